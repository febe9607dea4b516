"""Terraform Azure resources -> managed identities, service principals, role definitions and
assignments, and the resources that run as an identity.

Identities: user-assigned identities, system-assigned identities of any resource with an
`identity { type = "SystemAssigned" }` block, Entra ID service principals and applications.
Roles: custom `azurerm_role_definition` (each action with its span; `not_actions` are subtracted)
or built-in roles by name or id, expanded from the shipped catalogue. Assignments record their scope.

Dispatch is by table: `DECLARATIONS` (pass 1) and `EDGES` (pass 2) map a resource type to its
handler; adding a resource type is one handler and one entry.
"""

from __future__ import annotations

from collections.abc import Callable

from jeplint.catalog.cloud_roles import azure_role
from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value, Workload
from jeplint.graph.policy import describe, values_of
from jeplint.graph.terraform import NONE, Module, traversal
from jeplint.parse.nodes import Block, Expr, Node, Scalar, Sequence

IDENTITY_TYPES = {
    "azurerm_user_assigned_identity": "managed-identity",
    "azuread_service_principal": "service-principal",
    "azuread_application": "application",
}


class AzureExtractor:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.identities: dict[str, Identity] = {}
        self.roles: dict[str, Policy] = {}
        self.system_of: dict[str, Identity] = {}  # resource key -> its system-assigned identity

    def add(self, modules: list[Module]) -> None:
        """Two passes: what assignments name (`DECLARATIONS`, then any resource's system-assigned
        identity), then the edges (`EDGES`, else the user-assigned identities a resource runs as)."""
        for module in modules:
            for tf_type, label, block in module.each_resource():
                declare = DECLARATIONS.get(tf_type)
                if declare is not None:
                    declare(self, module, tf_type, label, block)
                self._system_identity(module, tf_type, label, block)
        for module in modules:
            for tf_type, label, block in module.each_resource():
                EDGES.get(tf_type, AzureExtractor._user_assigned_workloads)(self, module, tf_type, label, block)

    def _declared_identity(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        """A user-assigned identity, an Entra ID service principal or application."""
        name, note = module.name_of(tf_type, label, block, ("name", "display_name"))
        identity = self._identity(module, IDENTITY_TYPES[tf_type], name, module.key(tf_type, label), block)
        identity.name_note = note

    def _system_identity(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        """`identity { type = "SystemAssigned" }` on any resource: an identity the resource runs as."""
        for identity_block in block.blocks_of("identity"):
            kind = module.text(identity_block.attrs.get("type")) or ""
            if "SystemAssigned" in kind:
                system = self._identity(
                    module, "system-identity", f"{tf_type}.{label}", module.key(tf_type, label, "identity"), block
                )
                self.system_of[module.key(tf_type, label)] = system
                self.graph.workloads.append(Workload("azure", tf_type, label, block.labels[1].span, system))

    def _identity(self, module: Module, kind: str, name: str, key: str, block: Block) -> Identity:
        identity = Identity("azure", kind, name, key, block.labels[1].span, origin=module.origin())
        self.identities[key] = identity
        self.graph.identities.append(identity)
        return identity

    def _definition(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        name = module.text(block.attrs.get("name")) or label
        policy = Policy(
            "azure", "custom", name, module.key("azurerm_role_definition", label), block.labels[1].span, origin=module.origin()
        )
        for permissions in block.blocks_of("permissions"):
            for attr, excluded in (("actions", "not_actions"), ("data_actions", "not_data_actions")):
                if attr not in permissions.attrs:
                    continue
                grant = Grant(policy=policy, index=len(policy.grants) + 1, span=permissions.span)
                grant.actions = values_of(permissions.attrs[attr], module.resolver(), module.renderer())
                grant.excluded = values_of(permissions.attrs.get(excluded), module.resolver(), module.renderer())
                grant.resources = [Value("*", permissions.span)]
                grant.key_spans["Action"] = permissions.attr_spans[attr]
                policy.grants.append(grant)
        self.roles[policy.key] = policy
        self.graph.policies.append(policy)

    def _role(self, module: Module, block: Block) -> Policy | None:
        node = block.attrs.get("role_definition_id") or block.attrs.get("role_definition_name")
        if node is None:
            return None
        value = module.resolve(node)
        located = module.locate(node) if isinstance(value, Expr) else None
        if located is not None and located[1][0] == "azurerm_role_definition":  # the instance its index names
            role = self.roles.get(located[2]) if located[2] else None
            if role is None:
                self._unresolved(node, "unknown instance key", f"which instance of {'.'.join(located[1][:2])} is meant")
            return role
        if not isinstance(value, Scalar) or not isinstance(value.value, str):
            self._unresolved(node, "unknown value", f"the role {describe(value)}")
            return None
        found = azure_role(value.value)
        name = found[0] if found else value.value
        key = f"azure-role:{name}"
        if key in self.roles:
            return self.roles[key]
        policy = Policy("azure", "azure-builtin", name, key, None)
        if found is None:
            policy.unresolved = f"{name} is not an Azure built-in role in jeplint's catalogue"
        for permissions in found[1] if found else []:
            for attr, excluded in (("actions", "notActions"), ("dataActions", "notDataActions")):
                if permissions.get(attr):
                    grant = Grant(policy=policy, index=len(policy.grants) + 1, span=value.span)
                    grant.actions = [Value(a, value.span) for a in permissions[attr]]
                    grant.excluded = [Value(a, value.span) for a in permissions.get(excluded, [])]
                    grant.resources = [Value("*", value.span)]
                    policy.grants.append(grant)
        self.roles[key] = policy
        self.graph.policies.append(policy)
        return policy

    def _principal(self, module: Module, node: Node | None, where: str = "") -> Identity | None:
        value = module.resolve(node) if node is not None else None
        found = module.locate(node) if isinstance(value, Expr) else None
        if found is not None and len(found[1]) >= 2 and (found[1][0], found[1][1]) in found[0].resources:
            # An identity of the scan, the instance its index names (`x[each.value.app].principal_id`,
            # `each.value.identity[0].principal_id` over `for_each = azurerm_linux_web_app.web`).
            system = len(found[1]) >= 3 and found[1][2] == "identity"
            identity = (self.system_of if system else self.identities).get(found[2] or "")
            if identity is not None:
                return identity
        if isinstance(value, Expr) and value.op == "ref":
            parts = traversal(value.text)
            if len(parts) >= 3 and parts[2] == "identity" and module.key(parts[0], parts[1], "identity") in self.identities:
                return self.identities[module.key(parts[0], parts[1], "identity")]
            if len(parts) >= 2 and module.key(parts[0], parts[1]) in self.identities:
                return self.identities[module.key(parts[0], parts[1])]
        if isinstance(value, Scalar) and isinstance(value.value, str):
            return self._external(value.value, f"external:azure:{value.value}")
        if isinstance(value, Expr):
            # A principal the scan cannot name (a data source, a variable): keep the assignment. A
            # per-instance value (`each.value.identity[0].principal_id`) names another principal in
            # every block that writes it: never one identity across blocks.
            per_instance = ("each." in value.text or "count." in value.text) and where
            key = module.key(f"{value.text}@{where}" if per_instance else value.text)
            return self._external(f"{value.text} of {where}" if per_instance else value.text, f"external:azure:{key}")
        return None

    def _unresolved(self, node: Node, category: str, what: str) -> None:
        self.graph.unresolved.append((node.span, category, f"IAM reference not resolved: {what}"))

    def _external(self, name: str, key: str) -> Identity:
        if key not in self.identities:
            self.identities[key] = Identity("azure", "principal", name, key, None)
            self.graph.identities.append(self.identities[key])
        return self.identities[key]

    def _assignment(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        policy = self._role(module, block)
        identity = self._principal(module, block.attrs.get("principal_id"), f"azurerm_role_assignment.{label}")
        if policy is None or identity is None:
            return
        scope = module.resolve(block.attrs.get("scope", NONE))
        where = str(scope.value) if isinstance(scope, Scalar) and scope.value else scope.text if isinstance(scope, Expr) else ""
        role_attr = "role_definition_id" if "role_definition_id" in block.attrs else "role_definition_name"
        self.graph.bindings.append(
            Binding(
                identity,
                policy,
                block.attrs[role_attr].span,
                module.address_of("azurerm_role_assignment", label),
                scope=where,
                scope_kind=azure_scope_kind(where),
                origin=module.origin(),
            )
        )

    def _user_assigned_workloads(self, module: Module, tf_type: str, label: str, block: Block) -> None:
        for identity_block in block.blocks_of("identity"):
            ids = module.resolve(identity_block.attrs.get("identity_ids", NONE))
            for item in ids.items if isinstance(ids, Sequence) else []:
                identity = self._principal(module, item)
                if identity is not None and identity.kind == "managed-identity":
                    self.graph.workloads.append(Workload("azure", tf_type, label, block.labels[1].span, identity))


Handler = Callable[[AzureExtractor, Module, str, str, Block], None]
# Pass 1, by resource type: what assignments name (identities, custom role definitions).
DECLARATIONS: dict[str, Handler] = {
    **{t: AzureExtractor._declared_identity for t in IDENTITY_TYPES},
    "azurerm_role_definition": AzureExtractor._definition,
}
# Pass 2, by resource type: the edges. Any other resource may run as user-assigned identities.
EDGES: dict[str, Handler] = {"azurerm_role_assignment": AzureExtractor._assignment}


def azure_scope_kind(scope: str) -> str:
    """What an Azure scope path names: management-group, subscription, resource-group or resource."""
    parts = [p.lower() for p in scope.strip("/").split("/") if p]
    if not parts or "${" in scope:
        return ""
    if "managementgroups" in parts:
        return "management-group"
    if "providers" in parts[2:] or len(parts) > 4:
        return "resource"
    if "resourcegroups" in parts:
        return "resource-group"
    return "subscription" if parts[0] == "subscriptions" else ""
