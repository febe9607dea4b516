"""JEP106 broad-builtin-role: an identity holds a built-in role or managed policy that is broad by
design — AWS AdministratorAccess, PowerUserAccess or IAMFullAccess attached by ARN, Kubernetes
`cluster-admin`, or `admin` / `edit` granted cluster-wide.

Reported at the attachment (the ARN or the binding subject). Documentation: `rules/JEP106-broad-builtin-role/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.aws_managed import BROAD
from jeplint.options import Options
from jeplint.graph.model import Graph
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import binding_locations

K8S_BROAD = {
    "cluster-admin": "every verb on every resource in the cluster",
    "admin": "read and write of nearly every namespaced resource, including Roles and RoleBindings",
    "edit": "write of nearly every namespaced resource, including Secrets and workloads",
}


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for binding in graph.bindings:
        policy = binding.policy
        if policy.kind == "aws-managed" and policy.name in BROAD:
            what = BROAD[policy.name]
        elif policy.kind == "k8s-builtin" and policy.name in K8S_BROAD:
            namespaced = binding.via.startswith("RoleBinding ")
            what = K8S_BROAD[policy.name] + (" of its namespace" if namespaced and policy.name != "cluster-admin" else "")
        else:
            continue
        identity = binding.identity
        message = f"{identity.label} holds {policy.label} ({what}) through {binding.via}"
        level = "warning" if policy.kind == "k8s-builtin" and binding.via.startswith("RoleBinding ") and policy.name != "cluster-admin" else ""
        yield Finding(
            "JEP106",
            message,
            binding.span,
            binding_locations(binding, graph),
            fingerprint("JEP106", binding.span.path, identity.key, policy.key, binding.via),
            level,
            (identity.key,),
        )


RULE = Rule("JEP106", check)
