"""Terraform blocks -> identities, policies and bindings.

Terraform resolves names per module, i.e. per directory: every `.tf`/`.tf.json` file of one folder
shares its resources, data sources, locals and variables. `Module.resolve` follows the references a
policy is usually written with (locals, variable defaults, `jsonencode`, `concat`, templates);
anything it cannot follow is left as an `Expr` and becomes an unresolved value downstream.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value
from jeplint.graph.policy import describe, grants_from_document, values_of
from jeplint.parse import ParsedFile
from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Span

_INDEX = re.compile(r"\[[^\]]*\]")
_MAX_DEPTH = 32  # reference chains longer than this are treated as unresolved (and cycles end here)

IDENTITY_TYPES = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}
INLINE_POLICY_TYPES = {"aws_iam_role_policy": "role", "aws_iam_user_policy": "user", "aws_iam_group_policy": "group"}
ATTACHMENT_TYPES = {
    "aws_iam_role_policy_attachment": "role",
    "aws_iam_user_policy_attachment": "user",
    "aws_iam_group_policy_attachment": "group",
}
_KIND_TYPE = {kind: tf_type for tf_type, kind in IDENTITY_TYPES.items()}


class Module:
    """The blocks of one Terraform directory, indexed for reference resolution."""

    def __init__(self, directory: str, blocks: Iterable[Block]) -> None:
        self.directory = directory
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.locals: dict[str, Node] = {}
        self.variables: dict[str, Node | None] = {}
        self.order: list[Block] = []
        for block in blocks:
            labels = [str(label.value) for label in block.labels]
            if block.type == "resource" and len(labels) == 2:
                self.resources[(labels[0], labels[1])] = block
                self.order.append(block)
            elif block.type == "data" and len(labels) == 2:
                self.data[(labels[0], labels[1])] = block
            elif block.type == "locals":
                self.locals.update(block.attrs)
            elif block.type == "variable" and labels:
                self.variables[labels[0]] = block.attrs.get("default")

    # -- references -------------------------------------------------------------------------------

    def resolve(self, node: Node, depth: int = 0) -> Node:
        """Follow references and evaluate the few functions policies use; unknowns stay `Expr`."""
        if not isinstance(node, Expr) or depth > _MAX_DEPTH:
            return node
        if node.op == "ref":
            return self._resolve_ref(node, depth)
        if node.op == "call":
            return self._resolve_call(node, depth)
        if node.op == "template":
            parts = [self.resolve(part, depth + 1) for part in node.args]
            if all(isinstance(p, Scalar) and not isinstance(p.value, (dict, list)) for p in parts):
                return Scalar("".join("" if p.value is None else str(p.value) for p in parts), node.span)  # type: ignore[union-attr]
        return node

    def _resolve_ref(self, node: Expr, depth: int) -> Node:
        parts = traversal(node.text)
        if len(parts) >= 2 and parts[0] == "local" and parts[1] in self.locals:
            return self._walk(self.resolve(self.locals[parts[1]], depth + 1), parts[2:], node, depth)
        if len(parts) >= 2 and parts[0] == "var":
            default = self.variables.get(parts[1])
            if default is not None:
                return self._walk(self.resolve(default, depth + 1), parts[2:], node, depth)
        return node

    def _walk(self, value: Node, rest: list[str], origin: Expr, depth: int) -> Node:
        for part in rest:
            value = self.resolve(value, depth + 1)
            if isinstance(value, Mapping) and part in value.items:
                value = value.items[part]
            else:
                return origin
        return self.resolve(value, depth + 1)

    def _resolve_call(self, node: Expr, depth: int) -> Node:
        args = [self.resolve(arg, depth + 1) for arg in node.args]
        if node.name in ("jsonencode", "tolist", "toset", "distinct", "compact") and len(args) == 1:
            return args[0]
        if node.name in ("concat", "flatten") and all(isinstance(a, Sequence) for a in args):
            items: list[Node] = []
            for arg in args:
                items.extend(arg.items)  # type: ignore[attr-defined]
            return Sequence(items, node.span)
        return node

    def render(self, node: Node) -> Value | None:
        """A template with unknown parts, as text with `${...}` placeholders (never a wildcard)."""
        if isinstance(node, Expr) and node.op == "template":
            text = []
            for part in node.args:
                value = self.resolve(part)
                text.append(str(value.value) if isinstance(value, Scalar) else "${" + describe(value) + "}")
            return Value("".join(text), node.span, unresolved=node.text, partial=True)
        return None

    # -- policy documents -------------------------------------------------------------------------

    def fill_policy(self, policy: Policy, node: Node | None) -> None:
        """Read a `policy = ...` value: jsonencode, heredoc/string JSON, or a policy-document data source."""
        if node is None:
            policy.unresolved = "no policy document"
            return
        value = self.resolve(node)
        if isinstance(value, Expr) and value.op == "ref":
            parts = traversal(value.text)
            if parts[:2] == ["data", "aws_iam_policy_document"] and len(parts) >= 3:
                block = self.data.get(("aws_iam_policy_document", parts[2]))
                if block is not None:
                    self.fill_from_data_document(policy, block)
                    return
            if len(parts) >= 3 and parts[0] in ("aws_iam_policy", "aws_iam_role_policy") and parts[-1] == "policy":
                target = self.resources.get((parts[0], parts[1]))
                if target is not None:
                    self.fill_policy(policy, target.attrs.get("policy"))
                    return
        if isinstance(value, Scalar) and isinstance(value.value, str):
            value = parse_embedded_json(value)
            if value is None:
                policy.unresolved = "policy string is not JSON"
                return
        if isinstance(value, Mapping):
            grants_from_document(policy, value, self.resolve, self.render)
            return
        policy.unresolved = describe(value)

    def fill_from_data_document(self, policy: Policy, block: Block) -> None:
        """`data "aws_iam_policy_document"` statement blocks -> grants."""
        for index, stmt in enumerate(block.blocks_of("statement"), start=1):
            grant = Grant(policy=policy, index=index, span=stmt.span)
            effect = self.resolve(stmt.attrs["effect"]) if "effect" in stmt.attrs else None
            if isinstance(effect, Scalar):
                grant.effect = str(effect.value)
            elif effect is not None:
                grant.effect = "Unknown"
            sid = stmt.attrs.get("sid")
            if isinstance(sid, Scalar):
                grant.sid = str(sid.value)
            for attr, field, negated in (
                ("actions", "actions", False),
                ("not_actions", "actions", True),
                ("resources", "resources", False),
                ("not_resources", "resources", True),
            ):
                if attr in stmt.attrs:
                    setattr(grant, field, values_of(stmt.attrs[attr], self.resolve, self.render))
                    setattr(grant, "not_" + field, negated)
                    grant.key_spans[_POLICY_KEY[attr]] = stmt.attr_spans[attr]
            conditions = {}
            for cond in stmt.blocks_of("condition"):
                test, variable = self.resolve(cond.attrs.get("test", _NONE)), self.resolve(cond.attrs.get("variable", _NONE))
                values = [v.text for v in values_of(cond.attrs.get("values"), self.resolve)]
                if isinstance(test, Scalar) and isinstance(variable, Scalar):
                    conditions.setdefault(str(test.value), {})[str(variable.value)] = values
            if conditions:
                grant.conditions = conditions
            policy.grants.append(grant)


_POLICY_KEY = {"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"}
_NONE = Scalar(None, Span("", 1, 1, 1, 1))


def traversal(text: str) -> list[str]:
    """`aws_iam_role.app[0].name` -> ["aws_iam_role", "app", "name"]."""
    return [part for part in _INDEX.sub("", text).split(".") if part]


def parse_embedded_json(value: Scalar) -> Node | None:
    """JSON written as an HCL string or heredoc, parsed with positions in the enclosing file."""
    from jeplint.parse.hcl import Heredoc
    from jeplint.parse.jsonpos import load_json

    text = str(value.value)
    if not text.lstrip().startswith("{"):
        return None
    span = value.span
    try:
        if isinstance(value, Heredoc):
            return load_json(text, span.path, value.body_line, 1 + value.indent, value.indent)
        return load_json(text, span.path, span.line, span.col + 1)
    except ParseError:
        return None


class TerraformExtractor:
    """Adds the IAM content of every Terraform module in the scan to a graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.identities: dict[str, Identity] = {}  # key -> identity
        self.by_name: dict[tuple[str, str], Identity] = {}  # (kind, name) -> identity
        self.policies: dict[tuple[str, str, str], Policy] = {}  # (dir, type, name) -> policy

    def add(self, files: list[ParsedFile]) -> None:
        by_dir: dict[str, list[ParsedFile]] = {}
        for parsed in files:
            by_dir.setdefault(posixpath.dirname(parsed.path), []).append(parsed)
        modules: list[Module] = []
        for directory, members in sorted(by_dir.items()):
            if _duplicate_addresses(members):
                # Not one valid module (Terraform would refuse it): examples or fixtures side by side.
                # Read each file as a module of its own rather than letting one hide the other.
                modules += [Module(parsed.path, parsed.documents) for parsed in members]  # type: ignore[arg-type]
            else:
                modules.append(Module(directory, [b for parsed in members for b in parsed.documents]))  # type: ignore[misc]
        for module in modules:
            self._identities(module)
        for module in modules:
            self._policies(module)
        for module in modules:
            self._bindings(module)

    # -- identities ------------------------------------------------------------------------------

    def _identities(self, module: Module) -> None:
        for (tf_type, label), block in module.resources.items():
            kind = IDENTITY_TYPES.get(tf_type)
            if kind is None:
                continue
            name = module.resolve(block.attrs.get("name", _NONE))
            display = str(name.value) if isinstance(name, Scalar) and name.value is not None else f"{tf_type}.{label}"
            identity = Identity("aws", kind, display, _key(module, tf_type, label), block.labels[1].span, _tags(module, block))
            self.identities[identity.key] = identity
            self.by_name.setdefault((kind, display), identity)
            self.graph.identities.append(identity)

    def _identity_ref(self, module: Module, kind: str, node: Node | None) -> Identity | None:
        """The identity a `role = ...` / `user = ...` argument names, declared or not."""
        if node is None:
            return None
        value = module.resolve(node)
        if isinstance(value, Expr) and value.op == "ref":
            parts = traversal(value.text)
            if len(parts) >= 2 and parts[0] in IDENTITY_TYPES:
                return self.identities.get(_key(module, parts[0], parts[1]))
            return None
        if isinstance(value, Scalar) and isinstance(value.value, str):
            name = value.value.rsplit("/", 1)[-1] if value.value.startswith("arn:") else value.value
            found = self.by_name.get((kind, name))
            if found is None:
                found = Identity("aws", kind, name, f"external:{kind}:{name}", None)
                self.by_name[(kind, name)] = found
                self.graph.identities.append(found)
            return found
        return None

    # -- policies ----------------------------------------------------------------------------------

    def _policies(self, module: Module) -> None:
        for (tf_type, label), block in module.resources.items():
            if tf_type == "aws_iam_policy" or tf_type in INLINE_POLICY_TYPES:
                name = module.resolve(block.attrs.get("name", _NONE))
                display = str(name.value) if isinstance(name, Scalar) and name.value is not None else f"{tf_type}.{label}"
                kind = "managed" if tf_type == "aws_iam_policy" else "inline"
                policy = Policy("aws", kind, display, _key(module, tf_type, label), block.labels[1].span)
                module.fill_policy(policy, block.attrs.get("policy"))
                self.policies[(module.directory, tf_type, label)] = policy
                self.graph.policies.append(policy)
            elif tf_type in IDENTITY_TYPES:
                for index, inline in enumerate(block.blocks_of("inline_policy"), start=1):
                    name = module.resolve(inline.attrs.get("name", _NONE))
                    display = str(name.value) if isinstance(name, Scalar) and name.value else f"{tf_type}.{label} inline_policy {index}"
                    policy = Policy("aws", "inline", display, f"{_key(module, tf_type, label)}#inline{index}", inline.span)
                    module.fill_policy(policy, inline.attrs.get("policy"))
                    self.graph.policies.append(policy)
                    identity = self.identities[_key(module, tf_type, label)]
                    self.graph.bindings.append(Binding(identity, policy, inline.span, f"inline_policy of {tf_type}.{label}"))
        # Standalone policy-document data sources that no resource uses are still worth a look: they
        # are often consumed by a module or a resource outside the scan.
        used = {key for key in _data_refs(module)}
        for (tf_type, label), block in module.data.items():
            if tf_type == "aws_iam_policy_document" and label not in used and block.blocks_of("statement"):
                policy = Policy("aws", "document", f"data.aws_iam_policy_document.{label}", _key(module, "data", label), block.labels[1].span)
                module.fill_from_data_document(policy, block)
                self.graph.policies.append(policy)

    # -- bindings ----------------------------------------------------------------------------------

    def _bindings(self, module: Module) -> None:
        for (tf_type, label), block in module.resources.items():
            address = f"{tf_type}.{label}"
            if tf_type in INLINE_POLICY_TYPES:
                kind = INLINE_POLICY_TYPES[tf_type]
                identity = self._identity_ref(module, kind, block.attrs.get(kind))
                policy = self.policies[(module.directory, tf_type, label)]
                if identity is not None:
                    self.graph.bindings.append(Binding(identity, policy, _attr_span(block, kind), address))
            elif tf_type in ATTACHMENT_TYPES:
                kind = ATTACHMENT_TYPES[tf_type]
                identity = self._identity_ref(module, kind, block.attrs.get(kind))
                policy = self._policy_ref(module, block.attrs.get("policy_arn"))
                if identity is not None and policy is not None:
                    self.graph.bindings.append(Binding(identity, policy, _attr_span(block, "policy_arn"), address))
            elif tf_type == "aws_iam_policy_attachment":
                policy = self._policy_ref(module, block.attrs.get("policy_arn"))
                if policy is None:
                    continue
                for attr, kind in (("roles", "role"), ("users", "user"), ("groups", "group")):
                    node = module.resolve(block.attrs.get(attr, _NONE))
                    for item in node.items if isinstance(node, Sequence) else []:
                        identity = self._identity_ref(module, kind, item)
                        if identity is not None:
                            self.graph.bindings.append(Binding(identity, policy, item.span, address))
            elif tf_type in IDENTITY_TYPES and "managed_policy_arns" in block.attrs:
                identity = self.identities[_key(module, tf_type, label)]
                node = module.resolve(block.attrs["managed_policy_arns"])
                for item in node.items if isinstance(node, Sequence) else []:
                    policy = self._policy_ref(module, item)
                    if policy is not None:
                        self.graph.bindings.append(Binding(identity, policy, item.span, f"managed_policy_arns of {address}"))

    def _policy_ref(self, module: Module, node: Node | None) -> Policy | None:
        if node is None:
            return None
        value = module.resolve(node)
        if isinstance(value, Expr) and value.op == "ref":
            parts = traversal(value.text)
            if len(parts) >= 2 and parts[0] == "aws_iam_policy":
                return self.policies.get((module.directory, "aws_iam_policy", parts[1]))
            return None
        if isinstance(value, Scalar) and isinstance(value.value, str):
            from jeplint.graph.aws_managed import managed_policy

            return managed_policy(self.graph, value.value, value.span)
        return None


def _duplicate_addresses(files: list[ParsedFile]) -> bool:
    seen: set[tuple[str, ...]] = set()
    for parsed in files:
        for block in parsed.documents:
            if isinstance(block, Block) and block.type in ("resource", "data"):
                address = (block.type, *(str(label.value) for label in block.labels))
                if address in seen:
                    return True
                seen.add(address)
    return False


def _key(module: Module, tf_type: str, label: str) -> str:
    prefix = f"{module.directory}/" if module.directory else ""
    return f"{prefix}{tf_type}.{label}"


def _attr_span(block: Block, attr: str) -> Span:
    return block.attrs[attr].span if attr in block.attrs else block.span


def _tags(module: Module, block: Block) -> dict[str, str]:
    tags = module.resolve(block.attrs.get("tags", _NONE))
    if not isinstance(tags, Mapping):
        return {}
    return {k: str(v.value) for k, v in tags.items.items() if isinstance(v, Scalar)}


def _data_refs(module: Module) -> set[str]:
    """Labels of aws_iam_policy_document data sources referenced anywhere in the module."""
    found: set[str] = set()
    stack: list[Node] = [*module.resources.values(), *module.data.values(), *module.locals.values()]
    stack.extend(v for v in module.variables.values() if v is not None)
    while stack:
        node = stack.pop()
        if isinstance(node, Block):
            stack.extend(node.attrs.values())
            stack.extend(node.blocks)
        elif isinstance(node, Expr):
            if node.op == "ref" and node.text.startswith("data.aws_iam_policy_document."):
                parts = traversal(node.text)
                if len(parts) >= 3:
                    found.add(parts[2])
            stack.extend(node.args)
        elif isinstance(node, Mapping):
            stack.extend(node.items.values())
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    return found
