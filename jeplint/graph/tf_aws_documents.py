"""AWS in Terraform, the documents: a `policy = ...` value in every form it is written (jsonencode,
heredoc or string JSON, file(), `data "aws_iam_policy_document"` with source and override documents,
`dynamic` statements and conditions) read into the grants of a `Policy`."""

from __future__ import annotations

from collections.abc import Callable

from jeplint.graph.conditions import UNKNOWN, Condition
from jeplint.graph.model import Grant, Graph, Policy, Value
from jeplint.graph.policy import describe, grants_from_document, values_of
from jeplint.graph.terraform import NONE, Env, Module, iterator_name, parse_embedded_json, traversal
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence

_POLICY_KEY = {"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"}


class AwsDocuments:
    """Reads policy documents into grants; `AwsCore` adds identities and policies around it."""

    graph: Graph

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
                    self._fill_from_instance(module, owner, policy, node, block)
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

    def _fill_from_instance(self, module: Module, owner: Module, policy: Policy, node: Node, block: Block) -> None:
        """A data document with count / for_each: read with the `each` / `count` of the instance
        the reference names (`data.aws_iam_policy_document.x[each.key].json`, `each.value.json`
        over `for_each = data.aws_iam_policy_document.x`); said when that instance is not known."""
        if "for_each" not in block.attrs and "count" not in block.attrs:
            self.fill_from_data_document(owner, policy, block, set())
            return
        found = module.reference(node)
        label = str(block.labels[1].value)
        env = found[0].instance_env("data.aws_iam_policy_document", label, found[1].text, 0, found[2]) if found else None
        if env is None:
            policy.unresolved = f"which instance of data.aws_iam_policy_document.{label} is meant"
            self.graph.unresolved.append((node.span, "unknown instance key", f"IAM reference not resolved: {policy.unresolved}"))
            return
        saved, owner.current = owner.current, env
        try:
            self.fill_from_data_document(owner, policy, block, set())
        finally:
            owner.current = saved

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
                name = iterator_name(child, "statement")
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
            # a template with unknown parts keeps its text, `${...}` placeholders included: the org id
            # of `"${data.aws_organizations_organization.o.id}/*/ou-x/*"` is unknown, not a wildcard
            values = [v.text for v in values_of(cond.attrs.get("values"), module.resolver(cond_env), module.renderer(cond_env))]
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
            name = iterator_name(child, "condition")
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
