"""Privilege inherent to an identity's purpose, within its own scope: reported one level lower (or,
for an escalation path, not at all), with the reason in the message.

- The permissions AWS documents for the Amazon VPC CNI plugin (`AmazonEKS_CNI_Policy`, written
  inline) held by a node role (assumed by EC2) or by the role of the `aws-node` ServiceAccount: the
  CNI attaches network interfaces to the nodes; AWS gives no narrower resource for it.
- A deployment pipeline's role (assumed by CodePipeline, CodeBuild or CloudFormation) acting on the
  CloudFormation stacks it names, each by name: updating its stack is what the pipeline is for.
- A CloudFormation stack's own resources: every resource of the statement is named after the stack
  (`report-group/${AWS::StackName}*`, `function:${AWS::StackName}-worker`), so it reaches only what
  the stack itself creates.
- A GitOps controller (Argo CD, Flux: their well-known ServiceAccount names, or the
  `app.kubernetes.io/part-of` label) reading the Secrets of its own namespace, through a Role bound
  there: its repository and cluster credentials live there.
"""

from __future__ import annotations

import re

from jeplint.graph.model import Grant, Graph, Identity

# AmazonEKS_CNI_Policy (IPv4) and the IPv6 policy of the EKS user guide ("Amazon VPC CNI plugin for
# Kubernetes"), plus tagging the network interfaces it creates.
CNI_ACTIONS = frozenset(
    a.lower()
    for a in (
        "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface", "ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeInstanceTypes", "ec2:DescribeSubnets", "ec2:DetachNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute", "ec2:UnassignPrivateIpAddresses", "ec2:AssignIpv6Addresses",
        "ec2:CreateTags",
    )
)  # fmt: skip
CNI_ACCOUNT = "system:serviceaccount:kube-system:aws-node"
PIPELINE_SERVICES = frozenset({"codepipeline", "codebuild", "cloudformation"})
# A CloudFormation stack named in full: arn:<partition>:cloudformation:<region>:<account>:stack/<name>[/<id>]
_PLACEHOLDER = re.compile(r"\$\{[^}*]*\}")  # `${AWS::Region}`, `${var.stack}`: one value each
_STACK = re.compile(r"^arn:[^:]*:cloudformation:[^:]*:[^:]*:stack/([^/*?]+)(/.*)?$")
# The ServiceAccounts Argo CD and Flux install (their manifests and Helm charts name them so).
GITOPS_ACCOUNTS = {
    **dict.fromkeys(
        (
            "argocd-server", "argocd-application-controller", "argocd-applicationset-controller", "argocd-repo-server",
            "argocd-dex-server", "argocd-notifications-controller", "argocd-image-updater", "argocd-commit-server",
        ),
        "Argo CD",
    ),
    **dict.fromkeys(
        (
            "source-controller", "kustomize-controller", "helm-controller", "notification-controller",
            "image-reflector-controller", "image-automation-controller",
        ),
        "Flux",
    ),
}  # fmt: skip

GITOPS_LABELS = {"argocd": "Argo CD", "flux": "Flux"}  # values of app.kubernetes.io/part-of

_ANY_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
STACK_MARK = "\0stack\0"


def own_stack_resources(grant: Grant) -> bool:
    """Every resource of the statement is an ARN whose name starts with the stack's own name
    (`...:report-group/${AWS::StackName}*`; placeholders such as `${AWS::Region}` hold no `:`)."""
    texts = [v.text for v in grant.resources]
    if not texts or grant.not_resources:
        return False
    for text in texts:
        if text is None:
            return False
        parts = _ANY_PLACEHOLDER.sub("x", text.replace("${AWS::StackName}", STACK_MARK)).split(":", 5)
        if len(parts) != 6 or not re.search(r"(^|[/:])" + STACK_MARK, parts[5]):
            return False
    return True


CNI_REASON = "inherent to a node role: the VPC CNI plugin's permissions, as AWS documents them in AmazonEKS_CNI_Policy"
STACK_REASON = "inherent to a deployment pipeline: it acts on the CloudFormation stacks it names"


def _trusted_services(identity: Identity) -> set[str]:
    trust = identity.trust
    return {
        v.text.split(":", 1)[1].removesuffix(".amazonaws.com").removesuffix(".amazonaws.com.cn")
        for g in (trust.grants if trust is not None else [])
        if g.effect == "Allow"
        for v in g.principals
        if v.text and v.text.startswith("Service:")
    }


def _cni_holder(graph: Graph, identity: Identity) -> bool:
    """A node role (assumed by EC2) or the role the `aws-node` ServiceAccount acts as."""
    if identity.platform != "aws" or identity.kind != "role":
        return False
    if "ec2" in _trusted_services(identity):
        return True
    if any(link.source.key.endswith("kube-system/aws-node") for link in graph.links_to(identity)):
        return True
    conditions = [c for g in (identity.trust.grants if identity.trust else []) for c in g.conditions]
    return any(str(v) == CNI_ACCOUNT for c in conditions for v in c.values)


def cni(graph: Graph, grant: Grant, holders: list[Identity]) -> bool:
    """The statement grants only CNI actions, and every holder is a node role or the CNI's role."""
    actions = [v.text.lower() for v in grant.actions if v.text is not None]
    if grant.not_actions or not actions or len(actions) != len(grant.actions) or not set(actions) <= CNI_ACTIONS:
        return False
    return bool(holders) and all(_cni_holder(graph, h) for h in holders)


def own_stacks(grant: Grant, holders: list[Identity]) -> bool:
    """Every resource is a CloudFormation stack named in full, and every holder is a pipeline role."""
    if grant.not_resources or not grant.resources or not holders:
        return False
    if not all(v.text is not None and _STACK.match(_PLACEHOLDER.sub("x", v.text)) for v in grant.resources):
        return False
    return all(h.platform == "aws" and h.kind == "role" and _trusted_services(h) & PIPELINE_SERVICES for h in holders)


def inherent(graph: Graph, grant: Grant, holders: list[Identity]) -> str:
    """Why the statement is inherent to its holders' purpose, or ""."""
    if grant.policy.platform != "aws" or grant.effect != "Allow":
        return ""
    if cni(graph, grant, holders):
        return CNI_REASON
    if own_stacks(grant, holders):
        return STACK_REASON
    return ""


def _gitops_product(identity: Identity) -> str:
    """The GitOps product a ServiceAccount belongs to, by its well-known name or its
    `app.kubernetes.io/part-of` label (set by the Argo CD and Flux manifests and charts), or ""."""
    name = identity.key.removeprefix("sa:").partition("/")[2]
    return GITOPS_ACCOUNTS.get(name) or GITOPS_LABELS.get(identity.labels.get("app.kubernetes.io/part-of", ""), "")


def gitops(holders: list[Identity], namespaces: list[str]) -> str:
    """The GitOps product ("Argo CD", "Flux") when every holder is one of its ServiceAccounts, bound
    in its own namespace; else ""."""
    products = set()
    for holder in holders:
        ns = holder.key.removeprefix("sa:").partition("/")[0]
        product = _gitops_product(holder) if holder.kind == "serviceaccount" else ""
        if not product or set(namespaces) != {ns}:
            return ""
        products.add(product)
    return " and ".join(sorted(products)) if holders else ""
