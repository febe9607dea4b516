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
from collections.abc import Callable

from jeplint.graph.aws_managed import managed_policy, managed_policy_by_name
from jeplint.graph.conditions import UNKNOWN, Condition
from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value
from jeplint.graph.names import aws_named
from jeplint.graph.policy import describe, grants_from_document, values_of
from jeplint.graph.terraform import NONE, Env, Module, parse_embedded_json, traversal
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
_POLICY_KEY = {"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"}
# Workloads: resource type -> (attribute naming the role, kind of workload)
WORKLOAD_ROLE_ATTRS = {
    "aws_lambda_function": (("role",), "Lambda function"),
    "aws_ecs_task_definition": (("task_role_arn", "execution_role_arn"), "ECS task definition"),
    "aws_codebuild_project": (("service_role",), "CodeBuild project"),
    "aws_sfn_state_machine": (("role_arn",), "Step Functions state machine"),
    "aws_glue_job": (("role_arn",), "Glue job"),
}


class AwsCore:
    """Identities, policies and statements; `tf_aws_edges.AwsExtractor` adds what links them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.identities: dict[str, Identity] = {}  # key -> identity
        self.by_name: dict[tuple[str, str], Identity] = {}  # (kind, name) -> identity
        # (module directory, module address, kind, name template with unknown parts) -> identity
        self.by_template: dict[tuple[str, str, str, str], Identity] = {}
        self.policies: dict[str, Policy] = {}  # key -> policy

    # -- identities ---------------------------------------------------------------------------

    def _identities(self, module: Module) -> None:
        for tf_type, label, block in module.each_resource():
            kind = IDENTITY_TYPES.get(tf_type)
            if kind is None:
                continue
            display = module.text(block.attrs.get("name")) or module.address_of(tf_type, label)
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
            )
            self.identities[identity.key] = identity
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
            elif tf_type in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                for index, inline in enumerate(block.blocks_of("inline_policy"), start=1):
                    display = (
                        module.text(inline.attrs.get("name")) or f"{module.address_of(tf_type, label)} inline_policy {index}"
                    )
                    policy = self._policy(module, "inline", display, module.key(tf_type, label) + f"#inline{index}", inline.span)
                    self.fill_policy(module, policy, inline.attrs.get("policy"))
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
                if label in remote:  # it feeds a module that is not in the scan: checked as a document
                    span, call = remote[label]
                    policy.origin.append((span, f"{call} receives this document; its source is not in the scan"))

    def _policy(self, module: Module, kind: str, name: str, key: str, span: Span) -> Policy:
        policy = Policy("aws", kind, name, key, span, origin=module.origin())
        self.policies[key] = policy
        self.graph.policies.append(policy)
        return policy

    def fill_policy(self, module: Module, policy: Policy, node: Node | None) -> None:
        """Read a `policy = ...` value: jsonencode, heredoc/string JSON, file(), or a data document."""
        if node is None:
            policy.unresolved = "no policy document"
            return
        found = module.locate(node)
        if found is not None:
            owner, parts, _key = found
            if parts[:2] == ["data", "aws_iam_policy_document"] and len(parts) >= 3:
                block = owner.data.get(("aws_iam_policy_document", parts[2]))
                if block is not None:
                    self.fill_from_data_document(owner, policy, block, set())
                    return
            if len(parts) >= 3 and parts[0] in ("aws_iam_policy", "aws_iam_role_policy") and parts[-1] == "policy":
                target = owner.resources.get((parts[0], parts[1]))
                if target is not None:
                    self.fill_policy(owner, policy, target.attrs.get("policy"))
                    return
        value = module.resolve(node)
        if isinstance(value, Scalar) and isinstance(value.value, str):
            parsed = parse_embedded_json(value, self.graph.invalid)
            if parsed is None:
                policy.unresolved = "policy string is not JSON"
                return
            value = parsed
        if isinstance(value, Mapping):
            grants_from_document(policy, value, module.resolver(), module.renderer())
            return
        policy.unresolved = describe(value)

    def fill_from_data_document(self, module: Module, policy: Policy, block: Block, seen: set[int]) -> None:
        """`data "aws_iam_policy_document"` -> grants: sources first, own statements, then overrides by sid."""
        if id(block) in seen:
            return
        seen.add(id(block))
        for source in self._documents(module, block.attrs.get("source_policy_documents")):
            self._fill_from_source(module, policy, source, seen)
        for stmt, env in self._statements(module, block):
            grant = Grant(policy=policy, index=len(policy.grants) + 1, span=stmt.span)
            self._statement(module, grant, stmt, env)
            policy.grants.append(grant)
        overrides = Policy("aws", policy.kind, policy.name, policy.key, policy.span)
        for override in self._documents(module, block.attrs.get("override_policy_documents")):
            self._fill_from_source(module, overrides, override, seen)
        for grant in overrides.grants:
            grant.policy = policy
            same = next((i for i, g in enumerate(policy.grants) if grant.sid and g.sid == grant.sid), None)
            if same is None:
                policy.grants.append(grant)
            else:
                policy.grants[same] = grant
        for index, grant in enumerate(policy.grants, start=1):
            grant.index = index

    def _fill_from_source(self, module: Module, policy: Policy, source: Block | Mapping, seen: set[int]) -> None:
        if isinstance(source, Block):
            self.fill_from_data_document(module, policy, source, seen)
        else:
            grants_from_document(policy, source, module.resolver(), module.renderer())

    def _documents(self, module: Module, node: Node | None) -> list[Block | Mapping]:
        """The documents of `source_policy_documents` / `override_policy_documents`: other data
        documents, and policies written as JSON (a string, a heredoc, `jsonencode`)."""
        if node is None:
            return []
        value = module.resolve(node)
        items = value.items if isinstance(value, Sequence) else [value]
        found: list[Block | Mapping] = []
        for item in items:
            item = module.resolve(item)
            if isinstance(item, Scalar) and isinstance(item.value, str):
                item = parse_embedded_json(item, self.graph.invalid) or item
            if isinstance(item, Mapping):
                found.append(item)
            elif isinstance(item, Expr) and item.op == "ref":
                parts = traversal(item.text)
                if parts[:2] == ["data", "aws_iam_policy_document"] and len(parts) >= 3:
                    block = module.data.get(("aws_iam_policy_document", parts[2]))
                    if block is not None:
                        found.append(block)
        return found

    def _statements(self, module: Module, block: Block) -> list[tuple[Block, Env | None]]:
        """Statement blocks in order, `dynamic "statement"` expanded over its for_each when known."""
        out: list[tuple[Block, Env | None]] = []
        for child in block.blocks:
            if child.type == "statement":
                out.append((child, None))
            elif child.type == "dynamic" and child.labels and child.labels[0].value == "statement":
                content = next(iter(child.blocks_of("content")), None)
                if content is None:
                    continue
                name = module.text(child.attrs.get("iterator")) or "statement"
                collection = module.resolve(child.attrs.get("for_each", NONE))
                if isinstance(collection, Sequence):
                    pairs = [(Scalar(i, item.span), item) for i, item in enumerate(collection.items)]
                elif isinstance(collection, Mapping):
                    pairs = [(Scalar(k, collection.key_spans[k]), v) for k, v in collection.items.items()]
                else:
                    unresolved = Block("statement", [], {}, {}, [], content.span)
                    out.append((unresolved, {"__unresolved__": Scalar(describe(collection), content.span)}))
                    continue
                for key, value in pairs:
                    out.append((content, {name: Mapping({"key": key, "value": value}, {}, value.span)}))
        return out

    def _statement(self, module: Module, grant: Grant, stmt: Block, env: Env | None) -> None:
        if env and "__unresolved__" in env:
            grant.unresolved = f"dynamic statement over {env['__unresolved__'].value}"  # type: ignore[attr-defined]
            return
        resolve, render = module.resolver(env), module.renderer(env)
        effect = resolve(stmt.attrs["effect"]) if "effect" in stmt.attrs else None
        if isinstance(effect, Scalar):
            grant.effect = str(effect.value)
        elif effect is not None:
            grant.effect = "Unknown"
        sid = resolve(stmt.attrs["sid"]) if "sid" in stmt.attrs else None
        if isinstance(sid, Scalar) and sid.value is not None:
            grant.sid = str(sid.value)
        for field in ("actions", "resources"):
            chosen = _element(stmt, field, resolve, render)
            if chosen is not None:
                attr, elements = chosen
                setattr(grant, field, elements)
                setattr(grant, "not_" + field, attr.startswith("not_"))
                grant.key_spans[_POLICY_KEY[attr]] = stmt.attr_spans[attr]
        conditions: list[Condition] = []
        for cond, cond_env in [(c, env) for c in stmt.blocks_of("condition")] + self._dynamic_conditions(
            module, stmt, env, conditions
        ):
            test, variable = (
                module.resolve(cond.attrs.get("test", NONE), 0, cond_env),
                module.resolve(cond.attrs.get("variable", NONE), 0, cond_env),
            )
            values = [v.text for v in values_of(cond.attrs.get("values"), module.resolver(cond_env))]
            if isinstance(test, Scalar) and isinstance(variable, Scalar):
                conditions.append(Condition(str(test.value), str(variable.value), tuple(values)))
        if conditions:
            grant.conditions = tuple(conditions)
        for kind in ("principals", "not_principals"):
            if stmt.blocks_of(kind):
                grant.key_spans["Principal" if kind == "principals" else "NotPrincipal"] = stmt.blocks_of(kind)[0].span
                grant.principals += _principals(stmt.blocks_of(kind), resolve, render)
                grant.not_principals = kind == "not_principals"

    def _dynamic_conditions(
        self, module: Module, stmt: Block, env: Env | None, conditions: list[Condition]
    ) -> list[tuple[Block, Env | None]]:
        """`dynamic "condition"` blocks of a statement, expanded over a known for_each. One whose
        for_each is unknown is recorded under the "?" operator: a condition exists, its key is unknown
        (a trust rule must not conclude that the statement has no `sub` condition)."""
        out: list[tuple[Block, Env | None]] = []
        for child in stmt.blocks_of("dynamic"):
            content = next(iter(child.blocks_of("content")), None)
            if not child.labels or child.labels[0].value != "condition" or content is None:
                continue
            name = module.text(child.attrs.get("iterator")) or "condition"
            collection = module.resolve(child.attrs.get("for_each", NONE), 0, env)
            if isinstance(collection, Sequence):
                pairs = [(Scalar(i, item.span), item) for i, item in enumerate(collection.items)]
            elif isinstance(collection, Mapping):
                pairs = [(Scalar(k, collection.key_spans[k]), v) for k, v in collection.items.items()]
            else:
                conditions.append(Condition(UNKNOWN, f"dynamic condition over {describe(collection)}"))
                continue
            out += [
                (content, {**(env or {}), name: Mapping({"key": key, "value": value}, {}, value.span)}) for key, value in pairs
            ]
        return out

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
                policy = managed_policy_by_name(self.graph, name, node.span)
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


def _principals(blocks: list[Block], resolve: Callable[[Node], Node], render: Callable[[Node], Value | None]) -> list[Value]:
    """`principals { type = "AWS", identifiers = [...] }` -> Values "AWS:<arn>" ("*" for type "*")."""
    out: list[Value] = []
    for block in blocks:
        kind = resolve(block.attrs.get("type", NONE))
        prefix = str(kind.value) if isinstance(kind, Scalar) and kind.value is not None else "?"
        for value in values_of(block.attrs.get("identifiers"), resolve, render):
            if value.text is None:
                value.unresolved = f"{prefix}:{value.unresolved}"
            elif prefix != "*":
                value.text = f"{prefix}:{value.text}"
            out.append(value)
    return out


def _attr_span(block: Block, attr: str) -> Span:
    return block.attrs[attr].span if attr in block.attrs else block.span


def _element(
    stmt: Block, field: str, resolve: Callable[[Node], Node], render: Callable[[Node], Value | None]
) -> tuple[str, list[Value]] | None:
    """Which of `actions` / `not_actions` (or `resources` / `not_resources`) a statement block sets,
    with its values. Terraform leaves out an argument whose value is null, so a null one is absent.
    Generic modules write both (`actions = s.value.actions`, `not_actions = s.value.not_actions`)
    and let the caller leave one null: when one of the two is known and the other is not, the
    known one is the statement's; when neither is known, the positive one is kept, unresolved, so
    no NotAction or NotResource is claimed that the scan cannot prove."""
    found: dict[str, list[Value]] = {}
    for attr in (field, f"not_{field}"):
        if attr in stmt.attrs:
            node = stmt.attrs[attr]
            resolved = resolve(node)
            if isinstance(resolved, Scalar) and resolved.value is None:
                continue  # null: Terraform leaves the argument out
            found[attr] = values_of(node, resolve, render)
    if len(found) < 2:
        return next(iter(found.items()), None)
    positive, negative = found[field], found[f"not_{field}"]
    if any(v.text is not None for v in negative) and not any(v.text is not None for v in positive):
        return f"not_{field}", negative
    return field, positive
