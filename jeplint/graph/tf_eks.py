"""Amazon EKS access from Terraform: access entries with access policies, and Pod Identity.

- `aws_eks_access_policy_association` gives an IAM principal one of EKS's access policies, each the
  equivalent of a Kubernetes ClusterRole (`AmazonEKSClusterAdminPolicy` is cluster-admin,
  `AmazonEKSAdminPolicy` admin, `AmazonEKSEditPolicy` edit, `AmazonEKSViewPolicy` view). It becomes
  the binding Kubernetes would hold: a ClusterRoleBinding for `access_scope { type = "cluster" }`,
  one RoleBinding per namespace for `type = "namespace"`, whose subject is a Kubernetes user named
  after the principal. The objects join the cluster of the scan like `kubernetes_*` resources.
  `aws_eks_access_entry` with `kubernetes_groups` binds nothing by itself (groups need RBAC
  bindings, which the scan reads where they are declared).
- `aws_eks_pod_identity_association` lets a ServiceAccount act as an IAM role, as IRSA does: a
  `Link` from the ServiceAccount (declared in the scan or not) to the role.
"""

from __future__ import annotations

from jeplint.graph.model import Graph, Identity, Link
from jeplint.graph.terraform import Module
from jeplint.parse.nodes import Block, Mapping, Node, Scalar, Sequence, Span

ACCESS_POLICIES = {
    "AmazonEKSClusterAdminPolicy": "cluster-admin",
    "AmazonEKSAdminPolicy": "admin",
    "AmazonEKSEditPolicy": "edit",
    "AmazonEKSViewPolicy": "view",
}


def _m(items: dict[str, Node], span: Span) -> Mapping:
    return Mapping(items, dict.fromkeys(items, span), span)


def access_bindings(module: Module, label: str, block: Block, principal: str) -> list[Mapping]:
    """The Kubernetes bindings an access policy association amounts to (none when unknown)."""
    arn = module.text(block.attrs.get("policy_arn"))
    role = ACCESS_POLICIES.get((arn or "").rsplit("/", 1)[-1])
    if role is None:
        return []
    span = block.attrs["policy_arn"].span
    name = f"{module.address_of('aws_eks_access_policy_association', label)} ({arn.rsplit('/', 1)[-1]})"  # type: ignore[union-attr]
    subject = _m({"kind": Scalar("User", span), "name": Scalar(principal, span)}, span)
    ref = _m({"kind": Scalar("ClusterRole", span), "name": Scalar(role, span)}, span)
    scope = next(iter(block.blocks_of("access_scope")), None)
    kind = module.text(scope.attrs.get("type")) if scope is not None else None
    if kind == "namespace" and scope is not None:
        namespaces = module.resolve(scope.attrs.get("namespaces", Sequence([], span)))
        out = []
        for item in namespaces.items if isinstance(namespaces, Sequence) else []:
            ns = module.text(item)
            if ns is not None:
                meta = _m({"name": Scalar(name, span), "namespace": Scalar(ns, item.span)}, span)
                out.append(
                    _m(
                        {
                            "kind": Scalar("RoleBinding", span),
                            "metadata": meta,
                            "roleRef": ref,
                            "subjects": Sequence([subject], span),
                        },
                        span,
                    )
                )
        return out
    if kind != "cluster":
        return []  # an unknown scope: not assumed cluster-wide
    meta = _m({"name": Scalar(name, span)}, span)
    return [
        _m(
            {"kind": Scalar("ClusterRoleBinding", span), "metadata": meta, "roleRef": ref, "subjects": Sequence([subject], span)},
            span,
        )
    ]


PodIdentity = tuple[str, str, Identity, Span, str]  # namespace, ServiceAccount, role, where, address


def pod_identity(module: Module, label: str, block: Block, role: Identity | None) -> PodIdentity | None:
    """What a `aws_eks_pod_identity_association` says, when its parts are known."""
    ns, name = module.text(block.attrs.get("namespace")), module.text(block.attrs.get("service_account"))
    if role is None or ns is None or name is None:
        return None
    span = block.attrs["role_arn"].span if "role_arn" in block.attrs else block.span
    return ns, name, role, span, module.address_of("aws_eks_pod_identity_association", label)


def link_pod_identities(graph: Graph, found: list[PodIdentity]) -> None:
    """ServiceAccounts that act as a role through EKS Pod Identity (run after the manifests)."""
    accounts = {i.key: i for i in graph.identities if i.platform == "kubernetes"}
    for ns, name, role, span, address in found:
        key = f"sa:{ns}/{name}"
        account = accounts.get(key)
        if account is None:
            account = accounts[key] = Identity("kubernetes", "serviceaccount", f"{ns}/{name}", key, None)
            graph.identities.append(account)
        graph.links.append(Link(account, role, span, address))
