"""The permission graph: identities, the policies bound to them, the grants inside those policies,
and the workloads that run as each identity.

Every element a rule can point at carries a `Span`. Objects compare by identity (``eq=False``):
two roles with the same name in two folders are two identities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from jeplint.parse.nodes import Span

_NOUNS = {
    ("kubernetes", "serviceaccount"): "serviceaccount",
    ("gcp", "serviceaccount"): "service account",
    ("", "k8s-user"): "user",
    ("", "k8s-group"): "group",
    ("", "permission-set"): "permission set",
    ("", "managed-identity"): "managed identity",
    ("", "system-identity"): "system-assigned identity of",
    ("", "service-principal"): "service principal",
    ("", "federated-principal"): "federated principal",
    ("", "public"): "everyone:",
    ("", "iot-certificate"): "IoT certificate",
    ("", "workload-identity-pool"): "workload identity pool",
}


@dataclass(slots=True, eq=False)
class Identity:
    """Something that receives privileges: an IAM role, user or group, a ServiceAccount, ..."""

    platform: str  # aws | kubernetes | gcp | azure
    kind: str  # role | user | group | serviceaccount | k8s-user | k8s-group
    name: str
    key: str  # stable id, unique within a scan: "aws_iam_role.app@infra/", "sa:prod/api"
    span: Span | None  # None when the identity is only referenced, not declared in the scan
    tags: dict[str, str] = field(default_factory=dict)  # tags (cloud) or annotations (Kubernetes)
    origin: list[tuple[Span, str]] = field(default_factory=list)  # e.g. the module call that instantiates it
    boundary: Policy | None = None  # an AWS permissions boundary caps what the identity can do
    trust: Policy | None = None  # who may assume this identity (an AWS role's trust policy), when known
    tag_spans: dict[str, Span] = field(default_factory=dict)  # where each tag's value is written

    @property
    def label(self) -> str:
        noun = _NOUNS.get((self.platform, self.kind)) or _NOUNS.get(("", self.kind)) or self.kind
        return f"{noun} {self.name}"


@dataclass(slots=True, eq=False)
class Value:
    """One element of an action, resource, verb or principal list.

    `text` is None when the value could not be resolved; `unresolved` then says what was unknown.
    `partial` marks text rendered from a template with unknown parts (`arn:aws:s3:::${Bucket}/*`).
    """

    text: str | None
    span: Span
    unresolved: str = ""
    partial: bool = False


@dataclass(slots=True, eq=False)
class Grant:
    """One IAM policy statement or one Kubernetes RBAC rule."""

    policy: Policy
    index: int  # 1-based position in its policy
    span: Span
    effect: str = "Allow"
    actions: list[Value] = field(default_factory=list)  # AWS actions or RBAC verbs
    not_actions: bool = False
    resources: list[Value] = field(default_factory=list)  # ARNs or RBAC resources
    not_resources: bool = False
    excluded: list[Value] = field(default_factory=list)  # Azure notActions: subtracted from `actions`
    api_groups: list[Value] = field(default_factory=list)  # RBAC only
    resource_names: list[Value] = field(default_factory=list)  # RBAC only
    # Principal / NotPrincipal (trust and resource policies): "*", or "AWS:<arn>", "Service:<name>",
    # "Federated:<provider>", "CanonicalUser:<id>"; an unknown value keeps that prefix in `unresolved`.
    principals: list[Value] = field(default_factory=list)
    not_principals: bool = False
    conditions: dict[str, object] | None = None
    sid: str = ""
    key_spans: dict[str, Span] = field(default_factory=dict)  # "NotAction" -> span of that key
    unresolved: str = ""  # set when the whole statement could not be read

    @property
    def where(self) -> str:
        noun = {"kubernetes": "rule", "aws": "statement"}.get(self.policy.platform, "permissions block")
        return f"{self.policy.label}, {noun} {self.index}" + (f" ({self.sid})" if self.sid else "")


@dataclass(slots=True, eq=False)
class Policy:
    """A set of grants: an IAM policy document (inline or managed), a Role or ClusterRole."""

    platform: str
    kind: str  # inline | managed | document | aws-managed | Role | ClusterRole | k8s-builtin
    name: str
    key: str
    span: Span | None
    grants: list[Grant] = field(default_factory=list)
    unresolved: str = ""  # why the document could not be read, when it could not
    origin: list[tuple[Span, str]] = field(default_factory=list)  # e.g. the module call that instantiates it

    @property
    def label(self) -> str:
        if self.platform == "kubernetes":
            return f"{self.kind} {self.name}" if self.kind != "k8s-builtin" else f"built-in ClusterRole {self.name}"
        if self.kind == "aws-managed":
            return f"AWS managed policy {self.name}"
        if self.kind == "gcp-predefined":
            return f"GCP role {self.name}"
        if self.kind == "azure-builtin":
            return f"Azure built-in role {self.name}"
        if self.platform in ("gcp", "azure"):
            return f"custom role {self.name}"
        if self.kind == "document":
            return f"policy document {self.name}"
        return f"policy {self.name}"


@dataclass(slots=True, eq=False)
class Binding:
    """The edge identity <- policy: an attachment, an inline policy, a (Cluster)RoleBinding."""

    identity: Identity
    policy: Policy
    span: Span  # where the attachment is written
    via: str  # human description: "aws_iam_role_policy_attachment.deploy", "RoleBinding prod/read"
    condition: str = ""  # a condition on the binding itself (GCP IAM condition expression), if any
    scope: str = ""  # where the binding applies, when narrower than the policy says (project, namespace, ...)


@dataclass(slots=True, eq=False)
class Workload:
    """Something that runs as an identity: a Pod, a Deployment, a Lambda function, ..."""

    platform: str
    kind: str
    name: str
    span: Span
    identity: Identity


@dataclass(slots=True, eq=False)
class Credential:
    """A secret that authenticates as an identity: an access key, a password, a token, a key file;
    also a role session and an Azure PIM assignment, whose length the expiry rules judge too.

    `identity` is None when the credential's owner is not in the scan; `details` holds the
    kind-specific facts the expiry rules read, written by `graph/credentials.py` (which documents
    them): "family" (never | optional | session | grant), "owner" (the identity as words),
    "lifetime" (a `Lifetime`: end date, validity or default), "rotation" (a `Rotation`), ...
    `span` is where a finding points: the resource, or the attribute that sets the lifetime.
    """

    platform: str
    kind: str  # e.g. "aws-access-key", "k8s-token-secret", "azure-client-secret", "aws-role-session"
    name: str
    span: Span
    identity: Identity | None = None
    details: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Link:
    """Identity `source` can act as identity `target` (IRSA, GKE workload identity, AssumeRole)."""

    source: Identity
    target: Identity
    span: Span
    via: str


@dataclass(slots=True, eq=False)
class Graph:
    identities: list[Identity] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    consumed: set[str] = field(default_factory=set)  # policy files read through file(): not standalone
    memo: dict[str, dict[int, object]] = field(default_factory=dict)  # per-identity results rules share
    notes: list[tuple[Span, str]] = field(default_factory=list)  # things the scan could not follow
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): inputs the graph could not take
    # IAM references (attachments, bindings, module inputs) not followed: (where, category, message)
    unresolved: list[tuple[Span, str, str]] = field(default_factory=list)
    _index: dict[str, dict[int, list]] | None = None  # built on first query, after extraction
    _policy_keys: dict[str, Policy] = field(default_factory=dict)  # key -> first policy, see policy()
    _policies_keyed: int = 0  # how many of `policies` _policy_keys has seen

    def policy(self, key: str) -> Policy | None:
        """The first policy with this key. Extractors append to `policies` directly; the index
        catches up with what was appended since the last call."""
        for policy in self.policies[self._policies_keyed :]:
            self._policy_keys.setdefault(policy.key, policy)
        self._policies_keyed = len(self.policies)
        return self._policy_keys.get(key)

    def _lookup(self, table: str, obj: object) -> list:
        if self._index is None:
            index: dict[str, dict[int, list]] = {
                "policy": defaultdict(list),
                "identity": defaultdict(list),
                "workload": defaultdict(list),
                "link": defaultdict(list),
            }
            for link in self.links:
                index["link"][id(link.target)].append(link)
            for binding in self.bindings:
                index["policy"][id(binding.policy)].append(binding)
                index["identity"][id(binding.identity)].append(binding)
            for workload in self.workloads:
                index["workload"][id(workload.identity)].append(workload)
            self._index = index
        return self._index[table].get(id(obj), [])

    def invalidate(self) -> None:
        """Forget the lookup index: call after adding bindings or workloads."""
        self._index = None

    def holders(self, policy: Policy) -> list[Binding]:
        """The bindings through which identities hold `policy`."""
        return self._lookup("policy", policy)

    def bindings_of(self, identity: Identity) -> list[Binding]:
        return self._lookup("identity", identity)

    def workloads_of(self, identity: Identity) -> list[Workload]:
        return self._lookup("workload", identity)

    def links_to(self, identity: Identity) -> list[Link]:
        """Links through which other identities act as `identity` (IRSA, workload identity)."""
        return self._lookup("link", identity)

    def grants(self) -> list[Grant]:
        return [g for p in self.policies for g in p.grants]
