"""AWS in Terraform, the edges: attachments and inline policies (identity <- policy), group
memberships, and the workloads that run as a role. One handler per resource family, found by
resource type in `BINDINGS`: adding a resource type is one handler and one table entry."""

from __future__ import annotations

from collections.abc import Callable

from jeplint.graph.ecs import agent_uses
from jeplint.graph.model import Binding, Identity, Workload
from jeplint.graph.policy import describe
from jeplint.graph.terraform import NONE, Module, parse_embedded_json, traversal
from jeplint.graph.tf_aws import (
    ATTACHMENT_TYPES,
    EXCLUSIVE_ATTACHMENT_TYPES,
    IDENTITY_TYPES,
    INLINE_POLICY_TYPES,
    WORKLOAD_ROLE_ATTRS,
    _attr_span,
)
from jeplint.graph.tf_aws_outside import explain_unattached
from jeplint.graph.tf_aws_resources import AwsResourcePolicies
from jeplint.parse.nodes import Block, Expr, Node, Scalar, Sequence, Span

Handler = Callable[["AwsExtractor", Module, str, str, Block, str], None]


class AwsExtractor(AwsResourcePolicies):
    """Every AWS identity, policy, binding, membership and workload of the module instances."""

    def add(self, modules: list[Module]) -> None:
        for module in modules:
            self._identities(module)
        for module in modules:
            self._policies(module)
        for module in modules:
            self._bindings(module)
        for module in modules:
            self.resource_policies(module)
        self.documents_by_shape()
        for module in modules:
            self._memberships(module)
            self._workloads(module)
        explain_unattached(self.graph, modules, self.policies)

    def _bindings(self, module: Module) -> None:
        for tf_type, label, block in module.each_resource():
            handler = BINDINGS.get(tf_type)
            if handler is not None:
                handler(self, module, tf_type, label, block, module.address_of(tf_type, label))

    def _inline(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_iam_role_policy` and its user/group forms: the inline policy bound to its identity."""
        kind = INLINE_POLICY_TYPES[tf_type]
        identity = self.identity_ref(module, kind, block.attrs.get(kind))
        if identity is not None:
            policy = self.policies[module.key(tf_type, label)]
            self.graph.bindings.append(Binding(identity, policy, _attr_span(block, kind), address, origin=module.origin()))

    def _attachment(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_iam_role_policy_attachment` and its user/group forms: one managed policy."""
        kind = ATTACHMENT_TYPES[tf_type]
        identity = self.identity_ref(module, kind, block.attrs.get(kind))
        policy = self.policy_ref(module, block.attrs.get("policy_arn"))
        if identity is not None and policy is not None:
            self.graph.bindings.append(
                Binding(identity, policy, _attr_span(block, "policy_arn"), address, origin=module.origin())
            )

    def _exclusive(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_iam_role_policy_attachments_exclusive` and its user/group forms: the complete list of
        managed policies of the identity (what it holds, nothing else)."""
        kind, attr = EXCLUSIVE_ATTACHMENT_TYPES[tf_type]
        identity = self.identity_ref(module, kind, block.attrs.get(attr))
        arns = module.resolve(block.attrs.get("policy_arns", NONE))
        for item in arns.items if isinstance(arns, Sequence) and identity is not None else []:
            policy = self.policy_ref(module, item)
            if policy is not None and identity is not None:
                self.graph.bindings.append(Binding(identity, policy, item.span, address, origin=module.origin()))

    def _policy_attachment(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_iam_policy_attachment`: one managed policy to lists of roles, users and groups."""
        policy = self.policy_ref(module, block.attrs.get("policy_arn"))
        if policy is None:
            return
        for attr, kind in (("roles", "role"), ("users", "user"), ("groups", "group")):
            node = self._list(module, block, attr, kind)
            for item in node.items if isinstance(node, Sequence) else []:
                identity = self.identity_ref(module, kind, item)
                if identity is not None:
                    self.graph.bindings.append(Binding(identity, policy, item.span, address, origin=module.origin()))

    def _list(self, module: Module, block: Block, attr: str, kind: str) -> Node:
        """A list of identities (`roles`, `users`, `groups`), said when it is not known."""
        node = block.attrs.get(attr)
        value = module.resolve(node) if node is not None else NONE
        if node is not None and not isinstance(value, Sequence):
            self._unresolved(node, "unknown value", f"the {kind}s named by {describe(value)}")
        return value

    def _iot_attachment(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_iot_policy_attachment`: an IoT policy to a certificate (the identity of a device)."""
        policy = self._iot_policy(module, block.attrs.get("policy"))
        target = block.attrs.get("target")
        if policy is not None and target is not None:
            resolved = module.resolve(target)
            parts = traversal(resolved.text) if isinstance(resolved, Expr) and resolved.op == "ref" else []
            name = f"{parts[0]}.{parts[1]}" if len(parts) >= 2 else (module.text(target) or "certificate")
            key = module.key(parts[0], parts[1]) if len(parts) >= 2 else module.key(tf_type, label, "target")
            found = module.resources.get((parts[0], parts[1])) if len(parts) >= 2 else None
            # `var.certificate_arn`: neither a certificate of the module nor a written ARN
            note = "its ARN is known only at apply" if found is None and not isinstance(resolved, Scalar) else ""
            identity = self.identities.get(key) or Identity(
                "aws", "iot-certificate", name, key, found.labels[1].span if found else None, name_note=note
            )
            if key not in self.identities:
                self.identities[key] = identity
                self.graph.identities.append(identity)
            self.graph.bindings.append(Binding(identity, policy, target.span, address, origin=module.origin()))

    def _sso_attachment(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_ssoadmin_managed_policy_attachment`: a managed policy to an SSO permission set."""
        identity = self.identity_ref(module, "permission-set", block.attrs.get("permission_set_arn"))
        policy = self.policy_ref(module, block.attrs.get("managed_policy_arn"))
        if identity is not None and policy is not None:
            self.graph.bindings.append(
                Binding(identity, policy, _attr_span(block, "managed_policy_arn"), address, origin=module.origin())
            )

    def _sso_customer_attachment(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`aws_ssoadmin_customer_managed_policy_attachment`: the permission set holds, in every
        account it is provisioned to, the customer managed policy of that name and path there.
        Bound to each policy of that name and path in the scan; none: said as unresolved."""
        identity = self.identity_ref(module, "permission-set", block.attrs.get("permission_set_arn"))
        for reference in block.blocks_of("customer_managed_policy_reference") if identity is not None else []:
            name = module.text(reference.attrs.get("name"))
            path = module.text(reference.attrs.get("path")) or "/"
            where = _attr_span(reference, "name")
            found = self.managed_by_name.get((name, path), []) if name is not None else []
            if not found:
                what = f"the customer managed policy {path}{name}" if name is not None else "a customer managed policy"
                self.graph.unresolved.append(
                    (
                        where,
                        "policy declared outside the scan",
                        f"IAM reference not resolved: {what} (no aws_iam_policy of that name in the scan)",
                    )
                )
            for policy in found:
                self.graph.bindings.append(Binding(identity, policy, where, address, origin=module.origin()))  # type: ignore[arg-type]

    def _identity_arns(self, module: Module, tf_type: str, label: str, block: Block, address: str) -> None:
        """`managed_policy_arns` and `permissions_boundary` written on the role, user or group itself."""
        identity = self.identities[module.key(tf_type, label)]
        node = module.resolve(block.attrs.get("managed_policy_arns", NONE))
        for item in node.items if isinstance(node, Sequence) else []:
            policy = self.policy_ref(module, item)
            if policy is not None:
                self.graph.bindings.append(
                    Binding(identity, policy, item.span, f"managed_policy_arns of {address}", origin=module.origin())
                )
        if "permissions_boundary" in block.attrs:
            identity.boundary = self.policy_ref(module, block.attrs["permissions_boundary"])

    def _memberships(self, module: Module) -> None:
        pairs: list[tuple[Identity, Identity, Span, str]] = []
        for tf_type, label, block in module.each_resource():
            address = module.address_of(tf_type, label)
            if tf_type == "aws_iam_user_group_membership":
                user = self.identity_ref(module, "user", block.attrs.get("user"))
                groups = self._list(module, block, "groups", "group")
                for item in groups.items if isinstance(groups, Sequence) and user else []:
                    group = self.identity_ref(module, "group", item)
                    if group is not None and user is not None:
                        pairs.append((user, group, item.span, address))
            elif tf_type == "aws_iam_group_membership":
                group = self.identity_ref(module, "group", block.attrs.get("group"))
                users = self._list(module, block, "users", "user")
                for item in users.items if isinstance(users, Sequence) and group else []:
                    user = self.identity_ref(module, "user", item)
                    if user is not None and group is not None:
                        pairs.append((user, group, item.span, address))
        for user, group, span, address in pairs:
            for binding in list(self.graph.bindings_of(group)):
                self.graph.bindings.append(
                    Binding(user, binding.policy, span, f"{address} (member of {group.label})", group=group)
                )

    def _workloads(self, module: Module) -> None:
        for tf_type, label, block in module.each_resource():
            if tf_type in WORKLOAD_ROLE_ATTRS:
                attrs, kind = WORKLOAD_ROLE_ATTRS[tf_type]
                for attr in attrs:
                    identity = self.identity_ref(module, "role", block.attrs.get(attr))
                    if identity is not None:
                        name = (
                            module.text(block.attrs.get("function_name") or block.attrs.get("family") or block.attrs.get("name"))
                            or label
                        )
                        suffix, uses = "", None
                        if attr == "execution_role_arn":
                            suffix = " (execution role)"
                            uses = agent_uses(block.attrs.get("container_definitions"), self._json_resolver(module))
                        workload = Workload("aws", kind, f"{name}{suffix}", block.labels[1].span, identity, agent_uses=uses)
                        self.graph.workloads.append(workload)
            elif tf_type in ("aws_instance", "aws_launch_template"):
                profile = block.attrs.get("iam_instance_profile")
                if tf_type == "aws_launch_template":
                    nested = block.blocks_of("iam_instance_profile")
                    profile = (nested[0].attrs.get("name") or nested[0].attrs.get("arn")) if nested else None
                identity = self._profile_role(module, profile)
                if identity is not None:
                    kind = "EC2 instance" if tf_type == "aws_instance" else "EC2 launch template"
                    self.graph.workloads.append(Workload("aws", kind, label, block.labels[1].span, identity))

    def _json_resolver(self, module: Module) -> Callable[[Node], Node]:
        """Resolve through the module, and read a JSON string (`container_definitions = <<EOF`) as data."""
        resolve = module.resolver()

        def read(node: Node) -> Node:
            value = resolve(node)
            if isinstance(value, Scalar) and isinstance(value.value, str):
                return parse_embedded_json(value) or value  # not a policy: a fault is not reported
            return value

        return read

    def _profile_role(self, module: Module, node: Node | None) -> Identity | None:
        if node is None:
            return None
        found = module.locate(node)  # `aws_iam_instance_profile.x.name` too, whose name is a known value
        if (
            found is not None
            and found[1][0] == "aws_iam_instance_profile"
            and ("aws_iam_instance_profile", found[1][1]) in found[0].resources
        ):
            owner, parts = found[0], found[1]
            return self.identity_ref(owner, "role", owner.resources[("aws_iam_instance_profile", parts[1])].attrs.get("role"))
        value = module.resolve(node)
        if isinstance(value, Expr) and value.op == "ref":
            parts = traversal(value.text)
            if len(parts) >= 2 and parts[0] == "aws_iam_instance_profile":
                profile = module.resources.get(("aws_iam_instance_profile", parts[1]))
                if profile is not None:
                    return self.identity_ref(module, "role", profile.attrs.get("role"))
        return None


BINDINGS: dict[str, Handler] = {
    **{t: AwsExtractor._inline for t in INLINE_POLICY_TYPES},
    **{t: AwsExtractor._attachment for t in ATTACHMENT_TYPES},
    **{t: AwsExtractor._exclusive for t in EXCLUSIVE_ATTACHMENT_TYPES},
    "aws_iam_policy_attachment": AwsExtractor._policy_attachment,
    "aws_iot_policy_attachment": AwsExtractor._iot_attachment,
    "aws_ssoadmin_managed_policy_attachment": AwsExtractor._sso_attachment,
    "aws_ssoadmin_customer_managed_policy_attachment": AwsExtractor._sso_customer_attachment,
    **{t: AwsExtractor._identity_arns for t in IDENTITY_TYPES},
}
