"""The permission graph: identities, the policies bound to them, the grants inside those policies,
and the workloads that run as each identity.

Every element a rule can point at carries a `Span`. Objects compare by identity (``eq=False``):
two roles with the same name in two folders are two identities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jeplint.graph.conditions import Conditions
from jeplint.graph.lifetimes import Lifetime, Rotation
from jeplint.iamglob import action_matches
from jeplint.span import Span

if TYPE_CHECKING:
    from jeplint.graph.federation import Federation

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
    # Set when the cloud name is not known to the scan (`name` is then the resource address):
    # "name generated at apply", "name chris-${var.cgid}: known only at apply".
    name_note: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # Kubernetes labels (a ServiceAccount's)

    @property
    def label(self) -> str:
        """How every message names the identity: noun, name, and why the name is an address."""
        noun = _NOUNS.get((self.platform, self.kind)) or _NOUNS.get(("", self.kind)) or self.kind
        return f"{noun} {self.name}" + (f" ({self.name_note})" if self.name_note else "")


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
    conditions: Conditions = ()  # typed, see graph/conditions.py
    sid: str = ""
    key_spans: dict[str, Span] = field(default_factory=dict)  # "NotAction" -> span of that key
    unresolved: str = ""  # set when the whole statement could not be read

    def granting_token(self, action: str) -> Value | Span | None:
        """The token through which this statement names `action` (given in lower case): the matching
        element of `actions`, or the `NotAction` key of a statement that does not exclude it; None
        when it does not name it."""
        hit = self.action_token(action)
        if self.not_actions:
            return None if hit is not None else self.key_spans.get("NotAction", self.span)
        return hit

    def action_token(self, action: str) -> Value | None:
        """The first of `actions` that names `action` (given in lower case) by IAM's case-insensitive
        glob; None when none does. Literal elements of another length are passed over unread: a
        statement may list hundreds, and this is asked for every escalation need of every holder."""
        size = len(action)
        for value in self.actions:
            text = value.text
            if text is None:
                continue
            if "*" in text or "?" in text:
                if action_matches(action, text):
                    return value
            elif len(text) == size and text.lower() == action:
                return value
        return None

    @property
    def where(self) -> str:
        noun = {"kubernetes": "rule", "aws": "statement"}.get(self.policy.platform, "permissions block")
        return f"{self.policy.label}, {noun} {self.index}" + (f" ({self.sid})" if self.sid else "")


# Policy.purpose values. Only "identity" policies and the parts of resource policies bound to the
# identities they name grant anything to an identity of the scan.
PURPOSES = ("identity", "resource", "trust", "boundary", "scp")


@dataclass(slots=True, eq=False)
class Policy:
    """A set of grants: an IAM policy document (inline or managed), a Role or ClusterRole."""

    platform: str
    # inline | managed | document | aws-managed | iot (an IoT device policy) | Role | ClusterRole | k8s-builtin;
    # a resource policy's kind names it: "key policy", "bucket policy", ...; an SCP: scp | rcp
    kind: str
    name: str
    key: str
    span: Span | None
    grants: list[Grant] = field(default_factory=list)
    unresolved: str = ""  # why the document could not be read, when it could not
    origin: list[tuple[Span, str]] = field(default_factory=list)  # e.g. the module call that instantiates it
    # Why the identities holding it are not in the scan, in words, when the graph can tell (it is
    # passed to a module whose source is not in the scan, returned by an output nothing calls).
    attached_outside: str = ""
    # What the policy does (see PURPOSES): "identity" grants to the identities bound to it;
    # "resource" grants to the principals it names; "trust" says who may assume a role; "boundary"
    # (permissions boundary) and "scp" (service or resource control policy) only cap, never grant.
    purpose: str = "identity"
    resource: str = ""  # purpose "resource": the resource it is written on, as the source names it
    # The statements of a resource policy that name one set of identities of the scan, bound to
    # them: `parent` is the whole resource policy (which no identity holds).
    parent: Policy | None = None

    @property
    def label(self) -> str:
        if self.purpose == "resource" and self.resource:
            return f"{self.kind} of {self.resource}"
        if self.purpose == "scp":
            return f"{'resource' if self.kind == 'rcp' else 'service'} control policy {self.name}"
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
        if self.kind == "iot":
            return f"IoT policy {self.name}"
        return f"policy {self.name}"


@dataclass(slots=True, eq=False)
class Binding:
    """The edge identity <- policy: an attachment, an inline policy, a (Cluster)RoleBinding."""

    identity: Identity
    policy: Policy
    span: Span  # where the attachment is written
    via: str  # human description: "aws_iam_role_policy_attachment.deploy", "RoleBinding prod/read"
    condition: str = ""  # a condition on the binding itself (GCP IAM condition expression), if any
    scope: str = ""  # where the binding applies, in words, when narrower than the policy says
    # What kind of place `scope` is: organization | folder | project | service-account (and other GCP
    # resource kinds) | subscription | resource-group | resource | namespace | cluster; "" = as the policy says.
    scope_kind: str = ""
    namespace: str = ""  # a RoleBinding's namespace
    group: Identity | None = None  # held as a member of this group (the binding is the group's, copied)
    origin: list[tuple[Span, str]] = field(default_factory=list)  # the module calls that instantiate it, innermost first


@dataclass(frozen=True, slots=True)
class TokenMount:
    """How a Kubernetes pod spec mounts its ServiceAccount's token (`automountServiceAccountToken`).

    Settings are "unset", "true", "false" or "unknown" (an expression). The token is mounted unless
    the pod spec says false, or leaves it unset and the ServiceAccount says false."""

    pod: str  # the pod spec's setting
    account: str  # the ServiceAccount's setting ("unset" when it is not declared in the scan)
    spec: Span  # the pod spec
    first_key: Span | None  # the pod spec's first key, as written (where a setting would go before it)
    uses: tuple[str, ...] = ()  # what says the workload may use a token (Vault Agent annotations, ...)

    @property
    def mounted(self) -> bool:
        return self.pod == "true" or self.pod == "unset" and self.account in ("unset", "true")


@dataclass(slots=True, eq=False)
class Workload:
    """Something that runs as an identity: a Pod, a Deployment, a Lambda function, ..."""

    platform: str
    kind: str
    name: str
    span: Span
    identity: Identity
    token: TokenMount | None = None  # Kubernetes pod specs only
    # An ECS task definition's execution role only: what the ECS agent uses it for, as the container
    # definitions ask (`graph.ecs.AGENT_USES`); None when they cannot be read.
    agent_uses: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class GitHubSecretSource:
    """A GitHub Actions secret that holds a cloud key: whose (`cloud`) and from which resource."""

    cloud: str  # aws | gcp | azure
    source: str  # the key resource it is read from ("aws_iam_access_key.ci"), "" when known by name only


@dataclass(frozen=True, slots=True)
class RolesAnywhere:
    """An IAM Roles Anywhere profile, which issues the sessions."""

    profile: str


@dataclass(frozen=True, slots=True)
class PimAssignment:
    """An Azure PIM role assignment (eligible or active) and its schedule."""

    role: str
    scope: str
    eligible: bool
    bounded: bool  # an expiration is written


CredentialDetail = GitHubSecretSource | RolesAnywhere | PimAssignment


@dataclass(slots=True, eq=False)
class Credential:
    """A secret that authenticates as an identity: an access key, a password, a token, a key file;
    also a role session and an Azure PIM assignment, whose length the expiry rules judge too.

    `identity` is None when the credential's owner is not in the scan (`owner` then says who, in
    words). `family`: "never" (cannot be given an end: access keys, SA keys, legacy token Secrets,
    GitHub secrets holding cloud keys), "optional" (the end is optional: Entra ID passwords, Vault
    tokens, Key Vault secrets, projected tokens), "session" (role sessions) or "grant" (PIM).
    `lifetime` is None when the scan cannot evaluate it (no finding is made of it); `rotation` is
    what replaces or expires it periodically. `span` is where a finding points: the resource, or the
    attribute that sets the lifetime. Facts of one kind only are in `detail`.
    """

    platform: str
    kind: str  # e.g. "aws-access-key", "k8s-token-secret", "azure-client-secret", "aws-role-session"
    name: str
    span: Span
    identity: Identity | None = None
    family: str = "never"  # never | optional | session | grant
    owner: str = ""  # the identity as words (its label, or as written when it is not in the scan)
    lifetime: Lifetime | None = None
    rotation: Rotation | None = None
    address: str = ""  # the resource, when `name` is something else
    noun: str = ""  # what the secret is called: "client secret", "certificate", "SecretIDs"
    detail: CredentialDetail | None = None


@dataclass(slots=True, eq=False)
class Link:
    """Identity `source` can act as identity `target` (IRSA, GKE workload identity, AssumeRole)."""

    source: Identity
    target: Identity
    span: Span
    via: str


class FrozenGraphError(TypeError):
    """A fact was added to or removed from a graph after it was built."""


class _Sealed(list):
    """A list of graph facts after `Graph.freeze()`: reading works as before, changing it raises."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise FrozenGraphError("the permission graph is frozen once built: extractors add facts, rules only read them")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse  # type: ignore[assignment]


@dataclass(slots=True, eq=False)
class Graph:
    """The facts of one scan. Extractors append to the lists while the graph is built (append only:
    the lookup indexes catch up with what was appended); `build_graph` then calls `freeze()`, after
    which the fact lists cannot change. `memo` stays writable: it caches what rules derive from the
    facts (effective permissions), never facts themselves."""

    identities: list[Identity] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    consumed: set[str] = field(default_factory=set)  # policy files read through file(): not standalone
    memo: dict[str, dict[int, object]] = field(default_factory=dict)  # per-identity results rules share
    notes: list[tuple[Span, str]] = field(default_factory=list)  # things the scan could not follow
    federations: list[Federation] = field(default_factory=list)  # who signs in from outside (OIDC federation)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): inputs the graph could not take
    # IAM references (attachments, bindings, module inputs) not followed: (where, category, message)
    unresolved: list[tuple[Span, str, str]] = field(default_factory=list)
    # (where, reason): an embedded document (policy JSON in a string or heredoc) that does not parse:
    # not analysed, reported as an error at the position of the fault.
    invalid: list[tuple[Span, str]] = field(default_factory=list)
    frozen: bool = False
    _index: dict[str, dict[int, list]] = field(
        default_factory=lambda: {
            "policy": defaultdict(list),
            "identity": defaultdict(list),
            "workload": defaultdict(list),
            "link": defaultdict(list),
        }
    )
    _indexed: list[int] = field(default_factory=lambda: [0, 0, 0])  # bindings, workloads, links already indexed
    _policy_keys: dict[str, Policy] = field(default_factory=dict)  # key -> first policy, see policy()
    _policies_keyed: int = 0  # how many of `policies` _policy_keys has seen

    def freeze(self) -> Graph:
        """Seal the fact lists and complete the indexes; returns the graph."""
        if not self.frozen:
            for name in ("identities", "policies", "bindings", "workloads", "credentials", "links", "federations"):
                setattr(self, name, _Sealed(getattr(self, name)))
            self._catch_up()
            self.policy("")
            self.frozen = True
        return self

    def policy(self, key: str) -> Policy | None:
        """The first policy with this key (the index catches up with what was appended)."""
        for policy in self.policies[self._policies_keyed :]:
            self._policy_keys.setdefault(policy.key, policy)
        self._policies_keyed = len(self.policies)
        return self._policy_keys.get(key)

    def _catch_up(self) -> None:
        index, (bindings, workloads, links) = self._index, self._indexed
        for binding in self.bindings[bindings:]:
            index["policy"][id(binding.policy)].append(binding)
            index["identity"][id(binding.identity)].append(binding)
        for workload in self.workloads[workloads:]:
            index["workload"][id(workload.identity)].append(workload)
        for link in self.links[links:]:
            index["link"][id(link.target)].append(link)
        self._indexed = [len(self.bindings), len(self.workloads), len(self.links)]

    def _lookup(self, table: str, obj: object) -> list:
        if not self.frozen:
            self._catch_up()
        return self._index[table].get(id(obj), [])

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
