"""JEP106 broad-builtin-role: an identity holds a built-in role or managed policy that is broad by
design — AWS AdministratorAccess, PowerUserAccess or IAMFullAccess attached by ARN; GCP basic roles
`roles/owner` and `roles/editor` (and, as a note, `roles/viewer` held by a service account); Azure
Owner, Contributor and User Access Administrator; Kubernetes `cluster-admin`, or `admin` / `edit`.

Reported at the attachment (the ARN, the role of the binding, the binding subject).
Documentation: `rules/JEP106-broad-builtin-role/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog.broad_roles import AZURE_BROAD, GCP_BROAD, K8S_BROAD
from jeplint.graph.aws_managed import BROAD
from jeplint.graph.model import Binding, Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import binding_locations

# The basic Viewer role on a service account: read only, but of nearly everything (a note, like JEP102's
# read-only patterns).
GCP_VIEWER = (
    "read access to nearly every resource of the project: the configuration of every service, and data through "
    "BigQuery read sessions, BigQuery ML models and BigLake tables"
)


def _broad(binding: Binding) -> tuple[str, str] | None:
    """(what the role grants, level override) when the bound policy is broad by design."""
    policy = binding.policy
    if policy.kind == "aws-managed" and policy.name in BROAD:
        return BROAD[policy.name], ""
    if policy.kind == "gcp-predefined" and policy.name in GCP_BROAD:
        return GCP_BROAD[policy.name], ""
    if policy.kind == "gcp-predefined" and policy.name == "roles/viewer" and binding.identity.kind == "serviceaccount":
        return GCP_VIEWER, "note"
    if policy.kind == "azure-builtin" and policy.name in AZURE_BROAD:
        return AZURE_BROAD[policy.name], ""
    if policy.kind == "k8s-builtin" and policy.name in K8S_BROAD:
        namespaced = binding.scope_kind == "namespace" and policy.name != "cluster-admin"
        return K8S_BROAD[policy.name] + (" of its namespace" if namespaced else ""), "warning" if namespaced else ""
    return None


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for binding in graph.bindings:
        broad = _broad(binding)
        if broad is None:
            continue
        what, level = broad
        identity, policy = binding.identity, binding.policy
        scope = f" on {binding.scope}" if binding.scope else ""
        message = f"{identity.label} holds {policy.label} ({what}){scope} through {binding.via}"
        yield Finding(
            "JEP106",
            message,
            binding.span,
            binding_locations(binding, graph),
            fingerprint("JEP106", binding.span.path, identity.key, policy.key, binding.via),
            level,
            (identity.key,),
            grants=(policy.key,),
        )


RULE = Rule("JEP106", check)
