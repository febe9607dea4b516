"""Terraform AWS resources -> IAM identities, policies, bindings, memberships and workloads.

Covers roles, users and groups; inline policies (`aws_iam_*_policy`, `inline_policy` blocks),
customer managed policies and every attachment form (`*_policy_attachment`,
`aws_iam_policy_attachment`, `managed_policy_arns`); `aws_iam_policy_document` data sources with
`source_policy_documents` / `override_policy_documents` and `dynamic "statement"` blocks; group
memberships (members hold the group's policies); permissions boundaries; IAM Identity Center
permission sets; and the workloads that run as a role (Lambda, ECS tasks, EC2 through instance
profiles, CodeBuild).
"""

from __future__ import annotations

import re

from jeplint.graph.aws_managed import managed_policy, managed_policy_by_name
from jeplint.graph.model import Binding, Graph, Identity, Policy
from jeplint.graph.names import aws_named
from jeplint.graph.policy import describe
from jeplint.graph.terraform import NONE, Env, Module, Scoped, iterator_name, traversal
from jeplint.graph.tf_aws_documents import AwsDocuments
from jeplint.graph.tf_modules import data_refs
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span

IDENTITY_TYPES = {
    "aws_iam_role": "role",
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_ssoadmin_permission_set": "permission-set",
}
INLINE_POLICY_TYPES = {"aws_iam_role_policy": "role", "aws_iam_user_policy": "user", "aws_iam_group_policy": "group"}
ATTACHMENT_TYPES = {
    "aws_iam_role_policy_attachment": "role",
    "aws_iam_user_policy_attachment": "user",
    "aws_iam_group_policy_attachment": "group",
}
# Exclusive attachment lists -> (identity kind, argument naming it). `aws_iam_*_policies_exclusive`
# list inline policy names, whose documents are bound by their own `aws_iam_*_policy` resources.
EXCLUSIVE_ATTACHMENT_TYPES = {
    "aws_iam_role_policy_attachments_exclusive": ("role", "role_name"),
    "aws_iam_user_policy_attachments_exclusive": ("user", "user_name"),
    "aws_iam_group_policy_attachments_exclusive": ("group", "group_name"),
}
# An AWS managed policy ARN whose partition is an unknown value (`arn:${local.partition}:...`).
_ANY_PARTITION = re.compile(r"^arn:\$\{[^}]*\}:iam::aws:policy/([^$]+)$")
# Workloads: resource type -> (attribute naming the role, kind of workload)
WORKLOAD_ROLE_ATTRS = {
    "aws_lambda_function": (("role",), "Lambda function"),
    "aws_ecs_task_definition": (("task_role_arn", "execution_role_arn"), "ECS task definition"),
    "aws_codebuild_project": (("service_role",), "CodeBuild project"),
    "aws_sfn_state_machine": (("role_arn",), "Step Functions state machine"),
    "aws_glue_job": (("role_arn",), "Glue job"),
}


class AwsCore(AwsDocuments):
    """Identities, policies and statements; `tf_aws_edges.AwsExtractor` adds what links them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.identities: dict[str, Identity] = {}  # key -> identity
        self.by_name: dict[tuple[str, str], Identity] = {}  # (kind, name) -> identity
        # (module directory, module address, kind, name template with unknown parts) -> identity
        self.by_template: dict[tuple[str, str, str, str], Identity] = {}
        self.policies: dict[str, Policy] = {}  # key -> policy
        # (name, path) -> customer managed policies of that name, which SSO permission sets reference
        self.managed_by_name: dict[tuple[str, str], list[Policy]] = {}
        self.documents: list[tuple[Module, Policy]] = []  # data documents no resource consumes

    # -- identities ---------------------------------------------------------------------------

    def _identities(self, module: Module) -> None:
        for tf_type, label, block in module.each_resource():
            kind = IDENTITY_TYPES.get(tf_type)
            if kind is None:
                continue
            display, note = module.name_of(tf_type, label, block, generated=True)
            tags = module.resolve(block.attrs.get("tags", NONE))
            tag_values = {k: module.resolve(v) for k, v in tags.items.items()} if isinstance(tags, Mapping) else {}
            identity = Identity(
                "aws",
                kind,
                display,
                module.key(tf_type, label),
                block.labels[1].span,
                {k: str(v.value) for k, v in tag_values.items() if isinstance(v, Scalar)},
                module.origin(),
                tag_spans={k: v.span for k, v in tag_values.items()},
                name_note=note,
            )
            self.identities[identity.key] = identity
            if not note:
                self.by_name.setdefault((kind, display), identity)
            rendered = module.render(module.resolve(block.attrs.get("name", NONE)))
            if rendered is not None and rendered.text:  # `cg-role-${var.cgid}`: the same text names it here
                self.by_template.setdefault((module.directory, module.address, kind, rendered.text), identity)
            self.graph.identities.append(identity)

    def identity_ref(self, module: Module, kind: str, node: Node | None) -> Identity | None:
        """The identity a `role = ...` / `user = ...` / ARN argument names, declared or not: by the
        reference it is written with (through locals, module inputs and outputs, instances), by
        its name when that is a known value, else an identity declared outside the scan named by
        the expression (`var.ci_role`, `data.aws_iam_role.x`). None only when the instance of a
        resource in the scan cannot be told (said as unresolved)."""
        if node is None:
            return None
        found = module.locate(node)
        if found is not None:
            owner, parts, key = found
            if parts[0] in IDENTITY_TYPES and (parts[0], parts[1]) in owner.resources:
                identity = self.identities.get(key) if key else None
                if identity is None:
                    self._unresolved(node, "unknown instance key", f"which instance of {parts[0]}.{parts[1]} is meant")
                return identity
            if parts[0] in IDENTITY_TYPES:  # a resource of a file that is not in the scan (one file checked alone)
                return aws_named(self.graph, self.by_name, kind, f"{parts[0]}.{parts[1]} (declared outside the scan)")
            if parts[0] == "aws_iam_instance_profile" and (parts[0], parts[1]) in owner.resources:
                profile = owner.resources[(parts[0], parts[1])]
                return self.identity_ref(owner, "role", profile.attrs.get("role"))
            if parts[0] == "data" and len(parts) >= 3 and parts[1] in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                block = owner.data.get((parts[1], parts[2]))
                name = (
                    owner.text(block.attrs.get("name") or block.attrs.get("user_name") or block.attrs.get("group_name"))
                    if block
                    else None
                )
                return aws_named(
                    self.graph, self.by_name, kind, name or f"data.{parts[1]}.{parts[2]} (declared outside the scan)"
                )
        value = module.resolve(node)
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value:
            return aws_named(self.graph, self.by_name, kind, value.value)
        rendered = module.render(value)
        if rendered is not None and rendered.text:  # a name with unknown parts, written alike in this module
            found_by_text = self.by_template.get((module.directory, module.address, kind, rendered.text))
            if found_by_text is not None:
                return found_by_text
        if isinstance(value, Expr) and value.op == "ref" and traversal(value.text)[:1] == ["var"]:
            return aws_named(self.graph, self.by_name, kind, f"{value.text} (declared outside the scan)")
        call = _remote_call(module, value)
        if call is not None and isinstance(value, Expr):
            return aws_named(self.graph, self.by_name, kind, f"{value.text} (an output of module.{call}, not in the scan)")
        self._unresolved(node, "unknown value", f"the {kind} named by {describe(value)}")
        return None

    def _unresolved(self, node: Node, category: str, what: str) -> None:
        self.graph.unresolved.append((node.span, category, f"IAM reference not resolved: {what}"))

    # -- policies -----------------------------------------------------------------------------

    def _policies(self, module: Module) -> None:
        identity: Identity | None
        for tf_type, label, block in module.each_resource():
            if tf_type in ("aws_iam_policy", "aws_iot_policy") or tf_type in INLINE_POLICY_TYPES:
                display = module.text(block.attrs.get("name")) or module.address_of(tf_type, label)
                kind = "inline" if tf_type in INLINE_POLICY_TYPES else "iot" if tf_type == "aws_iot_policy" else "managed"
                policy = self._policy(module, kind, display, module.key(tf_type, label), block.labels[1].span)
                self.fill_policy(module, policy, block.attrs.get("policy"))
                name = module.text(block.attrs.get("name"))
                if tf_type == "aws_iam_policy" and name is not None:
                    path = module.text(block.attrs.get("path")) or "/"
                    self.managed_by_name.setdefault((name, path), []).append(policy)
            elif tf_type in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                for index, (inline, env) in enumerate(self._inline_blocks(module, block), start=1):
                    saved, module.current = module.current, {**(module.current or {}), **env}
                    try:
                        display = (
                            module.text(inline.attrs.get("name")) or f"{module.address_of(tf_type, label)} inline_policy {index}"
                        )
                        key = module.key(tf_type, label) + f"#inline{index}"
                        policy = self._policy(module, "inline", display, key, inline.span)
                        self.fill_policy(module, policy, inline.attrs.get("policy"))
                    finally:
                        module.current = saved
                    identity = self.identities[module.key(tf_type, label)]
                    self.graph.bindings.append(Binding(identity, policy, inline.span, f"inline_policy of {tf_type}.{label}"))
                if tf_type == "aws_iam_role" and "assume_role_policy" in block.attrs:
                    # The trust policy: who may assume the role. Not a grant, so not in graph.policies.
                    node = block.attrs["assume_role_policy"]
                    trust = Policy(
                        "aws",
                        "trust",
                        f"assume_role_policy of {tf_type}.{label}",
                        module.key(tf_type, label) + "#trust",
                        node.span,
                        origin=module.origin(),
                    )
                    self.fill_policy(module, trust, node)
                    self.identities[module.key(tf_type, label)].trust = trust
            elif tf_type == "aws_ssoadmin_permission_set_inline_policy":
                identity = self.identity_ref(module, "permission-set", block.attrs.get("permission_set_arn"))
                policy = self._policy(
                    module, "inline", module.address_of(tf_type, label), module.key(tf_type, label), block.labels[1].span
                )
                self.fill_policy(module, policy, block.attrs.get("inline_policy"))
                if identity is not None:
                    self.graph.bindings.append(
                        Binding(identity, policy, _attr_span(block, "permission_set_arn"), module.address_of(tf_type, label))
                    )
        # Policy documents that no resource of the module consumes: often passed to a module or a
        # resource outside the scan; still worth a look.
        remote: dict[str, tuple[Span, str]] = {}
        used = data_refs(module, "aws_iam_policy_document", remote)
        for (tf_type, label), block in module.data.items():
            if (
                tf_type == "aws_iam_policy_document"
                and label not in used
                and (block.blocks_of("statement") or block.blocks_of("dynamic"))
            ):
                policy = self._policy(
                    module, "document", f"data.aws_iam_policy_document.{label}", module.key("data", label), block.labels[1].span
                )
                self.fill_from_data_document(module, policy, block, set())
                self.documents.append((module, policy))
                if label in remote:  # it feeds a module that is not in the scan: checked as a document
                    span, call = remote[label]
                    policy.origin.append((span, f"{call} receives this document; its source is not in the scan"))

    def _inline_blocks(self, module: Module, block: Block) -> list[tuple[Block, Env]]:
        """`inline_policy` blocks, then `dynamic "inline_policy"` content once per element of a known
        for_each, with its iterator (`inline_policy.key`, `.value`); an unknown for_each is said."""
        found: list[tuple[Block, Env]] = [(inline, {}) for inline in block.blocks_of("inline_policy")]
        for child in block.blocks_of("dynamic"):
            content = next(iter(child.blocks_of("content")), None)
            if not child.labels or child.labels[0].value != "inline_policy" or content is None:
                continue
            name = iterator_name(child, "inline_policy")
            node = child.attrs.get("for_each", NONE)
            collection = module.resolve(node)
            if isinstance(collection, Sequence):
                pairs = [(Scalar(i, item.span), item) for i, item in enumerate(collection.items)]
            elif isinstance(collection, Mapping):
                pairs = [(Scalar(k, collection.key_spans.get(k, v.span)), v) for k, v in collection.items.items()]
            else:
                self._unresolved(
                    node, "unknown for_each", f"the inline policies of dynamic inline_policy over {describe(collection)}"
                )
                continue
            found.extend((content, {name: Mapping({"key": key, "value": value}, {}, value.span)}) for key, value in pairs)
        return found

    def _policy(self, module: Module, kind: str, name: str, key: str, span: Span) -> Policy:
        policy = Policy("aws", kind, name, key, span, origin=module.origin())
        self.policies[key] = policy
        self.graph.policies.append(policy)
        return policy

    def _declared_policy(self, module: Module, value: Node, tf_type: str) -> Policy | None:
        """The policy a reference such as `aws_iam_policy.x.arn` names, when it is of `tf_type`."""
        found = module.locate(value)
        if found is not None and found[1][0] == tf_type and found[2] is not None:
            return self.policies.get(found[2])
        return None

    def _iot_policy(self, module: Module, node: Node | None) -> Policy | None:
        """An IoT policy by reference or by name."""
        if node is None:
            return None
        value = module.resolve(node)
        if isinstance(value, Scalar):
            names = {
                p.name: p
                for (t, label) in module.resources
                if t == "aws_iot_policy"
                for p in [self.policies.get(module.key(t, label))]
                if p
            }
            return names.get(str(value.value))
        return self._declared_policy(module, value, "aws_iot_policy")

    def _customer_policy(self, name: str) -> Policy | None:
        """The customer managed policy of the scan a `data "aws_iam_policy"` reads by name (the
        first declared, when several roots declare one of that name)."""
        found = [p for (n, _path), policies in self.managed_by_name.items() if n == name for p in policies]
        return found[0] if found else None

    def policy_ref(self, module: Module, node: Node | None) -> Policy | None:
        """A customer managed policy by reference, or an AWS managed policy by ARN (written, with an
        unknown partition `arn:${...}:iam::aws:policy/X`, or read by a `data "aws_iam_policy"`)."""
        if node is None:
            return None
        declared = self._declared_policy(module, node, "aws_iam_policy")
        if declared is not None:
            return declared
        found = module.locate(node)
        if found is not None and found[1][:2] == ["data", "aws_iam_policy"] and len(found[1]) >= 3:
            block = found[0].data.get(("aws_iam_policy", found[1][2]))
            arn = found[0].text(block.attrs.get("arn")) if block is not None else None
            name = found[0].text(block.attrs.get("name")) if block is not None else None
            policy = managed_policy(self.graph, arn, node.span) if arn else None
            if policy is None and name is not None:
                policy = managed_policy_by_name(self.graph, name, node.span) or self._customer_policy(name)
            if policy is None:
                self._unresolved(
                    node, "policy declared outside the scan", f"the policy read by data.aws_iam_policy.{found[1][2]}"
                )
            return policy
        value = module.resolve(node)
        if isinstance(value, Scalar) and isinstance(value.value, str):
            return managed_policy(self.graph, value.value, value.span)
        rendered = module.render(value)
        match = _ANY_PARTITION.match(rendered.text or "") if rendered is not None else None
        if match is not None:
            return managed_policy(self.graph, "arn:aws:iam::aws:policy/" + match.group(1), node.span)
        return None


def _attr_span(block: Block, attr: str) -> Span:
    return block.attrs[attr].span if attr in block.attrs else block.span


def _remote_call(module: Module, value: Node) -> str | None:
    """The module call a `module.<name>...` reference (of `module`, or of the module a carried
    value belongs to) names when that module's source is not in the scan."""
    if not isinstance(value, Expr) or value.op != "ref":
        return None
    owner = value.module if isinstance(value, Scoped) else module
    parts = traversal(value.text)
    if len(parts) < 3 or parts[0] != "module" or parts[1] in owner.children:
        return None
    return parts[1] if any(str(c.labels[0].value) == parts[1] for c in owner.module_calls) else None
