"""Terraform GCP resources -> service accounts, roles, IAM bindings and workloads.

Bindings come from every `google_<scope>_iam_member`, `_iam_binding` and `_iam_policy` (with a
`data "google_iam_policy"`), so project, folder, organization, service-account and resource-level
grants are all read; the binding records its scope and IAM condition. Roles are custom roles of the
scan (`google_*_iam_custom_role`, with the span of each permission) or predefined and basic roles,
expanded from the shipped catalogue. Workloads: Compute instances, instance templates, GKE node
pools, Cloud Run and Cloud Functions that run as a service account.

Dispatch is by table: `DECLARATIONS` (pass 1) and `EDGES` / `EDGE_FAMILIES` (pass 2) map a resource
type, or a family of types, to its handler; adding a resource type is one handler and one entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jeplint.catalog.cloud_roles import gcp_role_permissions
from jeplint.graph.model import Binding, Grant, Graph, Identity, Link, Policy, Value, Workload
from jeplint.graph.policy import describe, values_of
from jeplint.graph.terraform import NONE, Module, Scoped, traversal
from jeplint.graph.tf_modules import data_refs
from jeplint.parse.nodes import Block, Expr, Node, Scalar, Sequence, Span

_BINDING_TYPE = re.compile(r"^google_(?P<scope>\w+?)_iam_(?P<form>member|binding|policy)$")
_CUSTOM_ROLE_TYPES = ("google_project_iam_custom_role", "google_organization_iam_custom_role")
_SA_EMAIL = re.compile(r"^(?P<id>[a-z][a-z0-9-]{4,29})@(?P<project>[\w.-]+)\.iam\.gserviceaccount\.com$")
_SCOPE_ATTRS = (
    "project",
    "folder",
    "org_id",
    "service_account_id",
    "bucket",
    "dataset_id",
    "topic",
    "subscription",
    "secret_id",
    "crypto_key_id",
    "name",
)
# Workloads: resource type -> path of nested blocks to the attribute holding the service account email.
WORKLOADS = {
    "google_compute_instance": (("service_account",), "email", "Compute Engine instance"),
    "google_compute_instance_template": (("service_account",), "email", "instance template"),
    "google_container_node_pool": (("node_config",), "service_account", "GKE node pool"),
    "google_container_cluster": (("node_config",), "service_account", "GKE cluster nodes"),
    "google_cloud_run_v2_service": (("template",), "service_account", "Cloud Run service"),
    "google_cloud_run_v2_job": (("template", "template"), "service_account", "Cloud Run job"),
    "google_cloud_run_service": (("template", "spec"), "service_account_name", "Cloud Run service"),
    "google_cloudfunctions_function": ((), "service_account_email", "Cloud Function"),
    "google_cloudfunctions2_function": (("service_config",), "service_account_email", "Cloud Function"),
}


class GcpExtractor:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.accounts: dict[str, Identity] = {}  # key -> identity
        self.by_account_id: dict[str, Identity] = {}
        self.members: dict[str, Identity] = {}  # "user:x" -> identity
        self.custom_roles: dict[str, Policy] = {}  # key and role_id -> policy

    def add(self, modules: list[Module]) -> None:
        """Two passes: what edges name (`DECLARATIONS`), then the edges (`edge_handler`)."""
        for module in modules:
            for tf_type, label, block in module.each_resource():
                declare = DECLARATIONS.get(tf_type)
                if declare is not None:
                    declare(self, module, tf_type, label, block)
        for module in modules:
            for tf_type, label, block in module.each_resource():
                handler = edge_handler(tf_type)
                if handler is not None:
                    handler(self, module, tf_type, label, block)
            used = data_refs(module, "google_iam_policy")
            for (tf_type, label), block in module.data.items():
                if tf_type == "google_iam_policy" and label not in used:
                    for inner in block.blocks_of("binding"):
                        self._bind(
                            module,
                            f"data.google_iam_policy.{label}",
                            "wherever this policy is applied (outside the scan)",
                            inner.attrs.get("role"),
                            _items(module, inner.attrs.get("members")),
                            _condition(module, inner),
                            inner.span,
                        )

    def _account(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        account_id, note = module.name_of("google_service_account", label, block, ("account_id",))
        identity = Identity(
            "gcp",
            "serviceaccount",
            account_id,
            module.key("google_service_account", label),
            block.labels[1].span,
            origin=module.origin(),
            name_note=note,
        )
        self.accounts[identity.key] = identity
        if not note:
            self.by_account_id.setdefault(account_id, identity)
        self.graph.identities.append(identity)

    def _custom_role(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        role_id = module.text(block.attrs.get("role_id")) or label
        policy = Policy("gcp", "custom", role_id, module.key(tf_type, label), block.labels[1].span, origin=module.origin())
        grant = Grant(
            policy=policy, index=1, span=block.attrs["permissions"].span if "permissions" in block.attrs else block.span
        )
        grant.actions = values_of(block.attrs.get("permissions"), module.resolver(), module.renderer())
        grant.resources = [Value("*", grant.span)]
        policy.grants.append(grant)
        self.custom_roles[policy.key] = policy
        self.custom_roles.setdefault(role_id, policy)
        self.graph.policies.append(policy)

    # -- bindings -----------------------------------------------------------------------------

    def _bindings(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        """`google_<scope>_iam_member`, `_iam_binding` and `_iam_policy` (with its data document)."""
        match = _BINDING_TYPE.match(tf_type)
        assert match is not None  # dispatched by edge_handler on this pattern
        scope, form = match.group("scope"), match.group("form")
        address = module.address_of(tf_type, label)
        where = _scope_text(module, scope, block)
        entries: list[tuple[Node | None, list[Node], str]] = []  # (role node, member nodes, condition)
        if form in ("member", "binding"):
            members = [block.attrs["member"]] if "member" in block.attrs else _items(module, block.attrs.get("members"))
            entries.append((block.attrs.get("role"), members, _condition(module, block)))
        else:
            data = module.resolve(block.attrs.get("policy_data", NONE))
            if isinstance(data, Expr) and data.op == "ref":
                parts = traversal(data.text)
                source = (
                    module.data.get(("google_iam_policy", parts[2]))
                    if parts[:2] == ["data", "google_iam_policy"] and len(parts) >= 3
                    else None
                )
                for inner in source.blocks_of("binding") if source is not None else []:
                    entries.append(
                        (inner.attrs.get("role"), _items(module, inner.attrs.get("members")), _condition(module, inner))
                    )
        target = self._account_of(module, block.attrs.get("service_account_id")) if scope == "service_account" else None
        for role_node, members, condition in entries:
            self._bind(module, address, where, role_node, members, condition, block.span, scope.replace("_", "-"), target)

    def _account_of(self, module: Module, node: Node | None) -> Identity | None:
        """The service account of the scan a `service_account_id` names (reference, id or email)."""
        found = module.locate(node) if node is not None else None
        if found is not None and found[1][0] == "google_service_account":
            return self.accounts.get(found[2] or "")
        value = module.resolve(node) if node is not None else NONE
        match = (
            _SA_EMAIL.match(value.value.rsplit("/", 1)[-1])
            if isinstance(value, Scalar) and isinstance(value.value, str)
            else None
        )
        return self.by_account_id.get(match.group("id")) if match else None

    def _bind(
        self,
        module: Module,
        address: str,
        where: str,
        role_node: Node | None,
        members: list[Node],
        condition: str,
        fallback: Span,
        scope_kind: str = "",
        target: Identity | None = None,
    ) -> None:
        policy = self._role(module, role_node)
        if policy is None:
            return
        for member in members:
            identity = self._member(module, member)
            if identity is not None and target is not None and _workload_identity(policy, identity):
                # GKE workload identity: the Kubernetes ServiceAccount acts as this service account
                # (what it may then do is the service account's), not a privilege of its own.
                span = role_node.span if role_node else fallback
                self.graph.links.append(Link(identity, target, span, f"{address} (GKE workload identity)"))
                continue
            if identity is not None:
                self.graph.bindings.append(
                    Binding(
                        identity,
                        policy,
                        role_node.span if role_node else fallback,
                        address,
                        condition,
                        where,
                        scope_kind=scope_kind,
                        origin=module.origin(),
                    )
                )

    def _role(self, module: Module, node: Node | None) -> Policy | None:
        if node is None:
            return None
        value = module.resolve(node)
        found = module.locate(node) if isinstance(value, Expr) else None
        if found is not None and found[1][0] in _CUSTOM_ROLE_TYPES:  # the instance its index names
            role = self.custom_roles.get(found[2]) if found[2] else None
            if role is None:
                self._unresolved(node, "unknown instance key", f"which instance of {'.'.join(found[1][:2])} is meant")
            return role
        if isinstance(value, Expr):
            self._unresolved(node, "unknown value", f"the role {describe(value)}")
            return None
        if not isinstance(value, Scalar) or not isinstance(value.value, str):
            return None
        name = value.value
        if "/roles/" in name and not name.startswith("roles/"):  # projects/p/roles/custom, organizations/o/roles/custom
            return self.custom_roles.get(name.rsplit("/", 1)[-1])
        key = f"gcp-role:{name}"
        existing = self.graph.policy(key)
        if existing is not None:
            return existing
        policy = Policy("gcp", "gcp-predefined", name, key, None)
        permissions = gcp_role_permissions(name)
        if permissions is None:
            policy.unresolved = f"{name} is not in the GCP role catalogue"
        else:
            grant = Grant(policy=policy, index=1, span=value.span)
            grant.actions = [Value(p, value.span) for p in permissions]
            grant.resources = [Value("*", value.span)]
            policy.grants.append(grant)
        self.graph.policies.append(policy)
        return policy

    def _member(self, module: Module, node: Node, say: bool = True) -> Identity | None:
        """The identity a member names: a service account of the scan by reference (the instance
        its index names: `google_service_account.sa[each.value.sa].email`), else by its text; an
        instance or value that cannot be told is said as unresolved."""
        value = module.resolve(node)
        if isinstance(value, Expr):
            # A template built by a `for` (`[for sa in google_service_account.x : "serviceAccount:${sa.email}"]`)
            # comes back scoped: its references are read with the `for`'s variables.
            scope = value if isinstance(value, Scoped) else None
            inner = scope.inner if scope is not None else value
            refs = [inner] if inner.op == "ref" else [a for a in inner.args if isinstance(a, Expr) and a.op == "ref"]
            for ref in refs:
                found = module.locate(Scoped(ref, scope.module, scope.env) if scope is not None else ref)
                if found is not None and found[1][0] == "google_service_account" and len(found[1]) >= 2:
                    owner, parts, key = found
                    identity = self.accounts.get(key) if key else None
                    if identity is None and (parts[0], parts[1]) in owner.resources:
                        self._unresolved(node, "unknown instance key", f"which instance of {parts[0]}.{parts[1]} is meant")
                    return identity
            if say:
                self._unresolved(node, "unknown value", f"the member {describe(value)}")
            return None
        if not isinstance(value, Scalar) or not isinstance(value.value, str):
            if say:
                self._unresolved(node, "unknown value", f"the member {describe(value)}")
            return None
        return self.member_identity(value.value)

    def _unresolved(self, node: Node, category: str, what: str) -> None:
        self.graph.unresolved.append((node.span, category, f"IAM reference not resolved: {what}"))

    def member_identity(self, member: str) -> Identity:
        """The identity an IAM member string names (`serviceAccount:x@p.iam.gserviceaccount.com`, ...)."""
        kind, typed, name = member.partition(":")
        if not typed:  # no `user:` / `serviceAccount:` prefix (GCP rejects it): name it once, as a member
            kind, name = "", member
        if kind == "serviceAccount":
            match = _SA_EMAIL.match(name)
            if match and match.group("id") in self.by_account_id:
                return self.by_account_id[match.group("id")]
        if member in self.members:
            return self.members[member]
        nouns = {
            "serviceAccount": "serviceaccount",
            "user": "user",
            "group": "group",
            "domain": "domain",
            "principal": "federated-principal",
            "principalSet": "federated-principal",
        }
        if member in ("allUsers", "allAuthenticatedUsers"):
            identity = Identity("gcp", "public", member, f"gcp:{member}", None)
        else:
            identity = Identity("gcp", nouns.get(kind, kind or "member"), name or member, f"gcp:{member}", None)
        self.members[member] = identity
        self.graph.identities.append(identity)
        return identity

    def _workload(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        path, attr, kind = WORKLOADS[tf_type]
        holders = [block]
        for step in path:
            holders = [child for holder in holders for child in holder.blocks_of(step)]
        for holder in holders:
            node = holder.attrs.get(attr)
            identity = self._member(module, node, say=False) if node is not None else None
            if identity is None and node is not None:
                email = module.text(node)
                identity = self.member_identity(f"serviceAccount:{email}") if email else None
            if identity is not None:
                self.graph.workloads.append(
                    Workload("gcp", kind, module.text(block.attrs.get("name")) or label, block.labels[1].span, identity)
                )


Handler = Callable[[GcpExtractor, Module, str, str, Block], None]
# Pass 1, by resource type: what bindings and workloads name (service accounts, custom roles).
DECLARATIONS: dict[str, Handler] = {
    "google_service_account": GcpExtractor._account,
    **{t: GcpExtractor._custom_role for t in _CUSTOM_ROLE_TYPES},
}
# Pass 2, by resource type: the edges (workloads running as a service account) ...
EDGES: dict[str, Handler] = {t: GcpExtractor._workload for t in WORKLOADS}
# ... and by family: every `google_<scope>_iam_member|binding|policy`, whatever the scope.
EDGE_FAMILIES: tuple[tuple[re.Pattern[str], Handler], ...] = ((_BINDING_TYPE, GcpExtractor._bindings),)


def edge_handler(tf_type: str) -> Handler | None:
    """The pass-2 handler of a resource type: its family's first, then its own."""
    for pattern, handler in EDGE_FAMILIES:
        if pattern.match(tf_type):
            return handler
    return EDGES.get(tf_type)


def _workload_identity(policy: Policy, identity: Identity) -> bool:
    """`roles/iam.workloadIdentityUser` for `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/NAME]`."""
    return policy.name == "roles/iam.workloadIdentityUser" and ".svc.id.goog[" in identity.name


def _items(module: Module, node: Node | None) -> list[Node]:
    value = module.resolve(node) if node is not None else None
    return list(value.items) if isinstance(value, Sequence) else []


def _condition(module: Module, block: Block) -> str:
    conditions = block.blocks_of("condition")
    return (module.text(conditions[0].attrs.get("expression")) or "(condition)") if conditions else ""


def _scope_text(module: Module, scope: str, block: Block) -> str:
    for attr in _SCOPE_ATTRS:
        if attr in block.attrs:
            value = module.resolve(block.attrs[attr])
            shown = str(value.value) if isinstance(value, Scalar) else value.text if isinstance(value, Expr) else "?"
            return f"{scope.replace('_', ' ')} {shown}"
    return scope.replace("_", " ")
