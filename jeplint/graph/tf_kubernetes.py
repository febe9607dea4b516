"""Terraform `kubernetes_*` resources -> the same object shapes as Kubernetes manifests.

`kubernetes_role_v1 { metadata { name = "x" } rule { api_groups = [""] ... } }` becomes
`{kind: Role, metadata: {name: x}, rules: [{apiGroups: [""], ...}]}` with every value's span kept,
and joins the manifests of the scan in one cluster (graph/kubernetes.py). A reference from an
IRSA / workload-identity annotation to a cloud identity of the same module is kept as
`identity:<key>` so the link survives the conversion.
"""

from __future__ import annotations

import re

from jeplint.graph.model import Graph
from jeplint.graph.terraform import Module
from jeplint.graph.tf_aws_edges import AwsExtractor
from jeplint.graph.tf_eks import PodIdentity, access_bindings, pod_identity
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span

KINDS = {
    "service_account": "ServiceAccount",
    "role": "Role",
    "cluster_role": "ClusterRole",
    "role_binding": "RoleBinding",
    "cluster_role_binding": "ClusterRoleBinding",
    "pod": "Pod",
    "deployment": "Deployment",
    "stateful_set": "StatefulSet",
    "daemonset": "DaemonSet",
    "daemon_set": "DaemonSet",
    "replication_controller": "ReplicationController",
    "job": "Job",
    "cron_job": "CronJob",
    "secret": "Secret",
}
_TYPE = re.compile(r"^kubernetes_(?P<kind>[a-z_]+?)(?:_v\d+)?$")
LIST_BLOCKS = {
    "rule": "rules",
    "subject": "subjects",
    "container": "containers",
    "init_container": "initContainers",
    "volume": "volumes",
    "env": "env",
    "port": "ports",
}
SPECIAL_KEYS = {"non_resource_urls": "nonResourceURLs"}
IDENTITY_TYPES = ("aws_iam_role", "google_service_account", "azurerm_user_assigned_identity")


def camel(name: str) -> str:
    if name in SPECIAL_KEYS:
        return SPECIAL_KEYS[name]
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class TerraformKubernetes:
    """Collects the Kubernetes objects declared through the Terraform kubernetes provider."""

    def __init__(self, graph: Graph, aws: AwsExtractor) -> None:
        self.graph = graph
        self.aws = aws
        self.objects: list[Mapping] = []
        self.pod_identities: list[PodIdentity] = []  # linked once the manifests' accounts are known

    def add(self, modules: list[Module]) -> None:
        for module in modules:
            for tf_type, label, block in module.each_resource():
                match = _TYPE.match(tf_type)
                if match and match.group("kind") in KINDS:
                    obj = self._mapping(module, block)
                    obj.items["kind"] = Scalar(KINDS[match.group("kind")], block.labels[0].span)
                    self.objects.append(obj)
                elif tf_type == "aws_eks_access_policy_association":
                    principal = self.aws.identity_ref(module, "role", block.attrs.get("principal_arn"))
                    if principal is not None:
                        self.objects += access_bindings(
                            module, label, block, f"{principal.name} (IAM {principal.kind}, EKS access entry)"
                        )
                elif tf_type == "aws_eks_pod_identity_association":
                    found = pod_identity(module, label, block, self.aws.identity_ref(module, "role", block.attrs.get("role_arn")))
                    if found is not None:
                        self.pod_identities.append(found)

    def _mapping(self, module: Module, block: Block) -> Mapping:
        items: dict[str, Node] = {}
        spans: dict[str, Span] = {}
        for name, node in block.attrs.items():
            items[camel(name)] = self._value(module, node)
            spans[camel(name)] = block.attr_spans[name]
        for child in block.blocks:
            converted = self._mapping(module, child)
            if child.type in LIST_BLOCKS:
                key = LIST_BLOCKS[child.type]
                existing = items.get(key)
                if isinstance(existing, Sequence):
                    existing.items.append(converted)
                else:
                    items[key] = Sequence([converted], child.span)
                    spans[key] = child.span
            elif camel(child.type) not in items:
                items[camel(child.type)] = converted
                spans[camel(child.type)] = child.span
        return Mapping(items, spans, block.span)

    def _value(self, module: Module, node: Node) -> Node:
        found = module.locate(node) if isinstance(node, Expr) else None
        if found is not None and found[1][0] in IDENTITY_TYPES and found[2] is not None:
            return Scalar("identity:" + found[2], node.span)
        value = module.resolve(node)
        if isinstance(value, Sequence):
            return Sequence([self._value(module, item) for item in value.items], value.span)
        if isinstance(value, Mapping):
            return Mapping({k: self._value(module, v) for k, v in value.items.items()}, value.key_spans, value.span)
        return value
