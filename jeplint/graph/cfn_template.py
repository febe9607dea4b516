"""A CloudFormation template and its intrinsic functions: `Ref` to parameters (defaults), pseudo
parameters, `Fn::Sub`, `Fn::Join`, `Fn::If` decided by `Conditions`, `Fn::GetAtt` names.

What the template itself decides is resolved; everything else stays unresolved (never guessed),
so an intrinsic inside an action list never breaks the rest of the statement.
"""

from __future__ import annotations

import re

from jeplint.graph.model import Value
from jeplint.parse.nodes import Mapping, Node, ParseError, Scalar, Sequence, Span
from jeplint.placeholders import substitute

_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
_GLOBALS = {"AWS::Serverless::Function": "Function", "AWS::Serverless::StateMachine": "StateMachine"}
_SUB_TARGET = re.compile(
    r"^(?:\$\{(\w+)(?:\.Arn)?\}"
    r"|arn:(?:\$\{AWS::Partition\}|aws[\w-]*):iam::(?:\$\{AWS::AccountId\}|\d{12}):"
    r"(?:role|user|group|instance-profile|policy)/(?:[\w+=,.@-]+/)*\$\{(\w+)\})$"
)


class Template:
    """One CloudFormation template with its intrinsic-function resolver."""

    def __init__(self, path: str, root: Mapping) -> None:
        self.path = path
        resources = root.get("Resources")
        self.resources: dict[str, Mapping] = {
            k: v for k, v in (resources.items.items() if isinstance(resources, Mapping) else []) if isinstance(v, Mapping)
        }
        # The logical id key is the most useful anchor for a whole resource.
        self.key_spans: dict[str, Span] = resources.key_spans if isinstance(resources, Mapping) else {}
        # `<Function>Role`, the logical id of the role SAM makes for a function or state machine
        # without `Role`: templates name it (`Roles: [!Ref ApiFunctionRole]`) -> the SAM resource
        self.aliases = {f"{logical}Role": logical for logical in self.resources if self._makes_role(logical)}
        params = root.get("Parameters")
        self.defaults: dict[str, Node] = {}
        self.parameters = set(params.items) if isinstance(params, Mapping) else set()
        for name, param in params.items.items() if isinstance(params, Mapping) else []:
            if isinstance(param, Mapping) and "Default" in param.items:
                self.defaults[name] = param.items["Default"]
        # parameter -> (parent template, the value its nested-stack resource passes), set by
        # `cfn_nested.link_nested_stacks` when the parent is in the scan
        self.inputs: dict[str, tuple[Template, Node]] = {}
        sections = root.get("Globals")  # SAM: properties every function (state machine, ...) takes
        self.globals = (
            {k: v for k, v in sections.items.items() if isinstance(v, Mapping)} if isinstance(sections, Mapping) else {}
        )
        conditions = root.get("Conditions")
        self.conditions: dict[str, Node] = dict(conditions.items) if isinstance(conditions, Mapping) else {}

    def _makes_role(self, logical: str) -> bool:
        props = self.properties(logical)
        named = props is not None and "Role" in props.items
        return self.type_of(logical) in _GLOBALS and not named and f"{logical}Role" not in self.resources

    def type_of(self, logical: str) -> str:
        kind = self.resources[logical].get("Type") if logical in self.resources else None
        return str(kind.value) if isinstance(kind, Scalar) else ""

    def global_property(self, logical: str, name: str) -> Node | None:
        """A SAM `Globals` property the resource takes when it does not write its own."""
        section = _GLOBALS.get(self.type_of(logical))
        return self.globals[section].items.get(name) if section in self.globals else None

    def properties(self, logical: str) -> Mapping | None:
        props = self.resources[logical].get("Properties")
        return props if isinstance(props, Mapping) else None

    # -- intrinsics ------------------------------------------------------------------------------

    def resolve(self, node: Node) -> Node:
        if not isinstance(node, Mapping) or len(node.items) != 1:
            return node
        ((fn, arg),) = node.items.items()
        if fn == "Ref" and isinstance(arg, Scalar):
            name = str(arg.value)
            if name in self.defaults:
                return self.defaults[name]
            if name in _PSEUDO:
                return Scalar(_PSEUDO[name], node.span)
        elif fn == "Fn::Sub":
            text, unknown = self._sub(arg)
            if text is not None and not unknown:
                return Scalar(text, node.span)
        elif fn == "Fn::If" and isinstance(arg, Sequence) and len(arg.items) == 3:
            chosen = self.condition(arg.items[0])
            if chosen is not None:  # decided by the parameters' defaults: that branch is deployed
                branch = arg.items[1 if chosen else 2]
                return Mapping({}, {}, branch.span) if _no_value(branch) else self.resolve(branch)
        elif fn == "Fn::Join" and isinstance(arg, Sequence) and len(arg.items) == 2:
            sep, parts = self.resolve(arg.items[0]), self.resolve(arg.items[1])
            if isinstance(sep, Scalar) and isinstance(parts, Sequence):
                resolved = [self.resolve(p) for p in parts.items]
                scalars = [p for p in resolved if isinstance(p, Scalar)]
                if len(scalars) == len(resolved):
                    return Scalar(str(sep.value).join(str(p.value) for p in scalars), node.span)
        return node

    def condition(self, name: Node, depth: int = 0) -> bool | None:
        """The value of a named condition from the parameters' defaults; None when undecided."""
        if not isinstance(name, Scalar) or depth > 10 or str(name.value) not in self.conditions:
            return None
        return self._truth(self.conditions[str(name.value)], depth + 1)

    def _truth(self, node: Node, depth: int) -> bool | None:
        if not isinstance(node, Mapping) or len(node.items) != 1:
            return None
        ((fn, arg),) = node.items.items()
        if fn == "Condition":
            return self.condition(arg, depth)
        parts = arg.items if isinstance(arg, Sequence) else []
        if fn == "Fn::Equals" and len(parts) == 2:
            left, right = self.resolve(parts[0]), self.resolve(parts[1])
            if isinstance(left, Scalar) and isinstance(right, Scalar):
                return str(left.value) == str(right.value)
            return None
        values = [self._truth(p, depth) for p in parts]
        if None in values or not values:
            return None
        if fn == "Fn::Not" and len(values) == 1:
            return not values[0]
        if fn == "Fn::And":
            return all(values)
        if fn == "Fn::Or":
            return any(values)
        return None

    def _sub(self, arg: Node) -> tuple[str | None, bool]:
        """Fn::Sub -> (text with unknown placeholders kept, whether any stayed unknown)."""
        variables: dict[str, Node] = {}
        if isinstance(arg, Sequence) and len(arg.items) == 2 and isinstance(arg.items[1], Mapping):
            variables = dict(arg.items[1].items)
            arg = arg.items[0]
        if not isinstance(arg, Scalar) or not isinstance(arg.value, str):
            return None, True
        unknown = False

        def replace(name: str, whole: str) -> str:
            nonlocal unknown
            value = self.resolve(variables[name]) if name in variables else None
            if value is None and name in _PSEUDO:
                return _PSEUDO[name]
            if value is None and name in self.defaults:
                value = self.resolve(self.defaults[name])
            if isinstance(value, Scalar):
                return str(value.value)
            unknown = True
            return whole

        return substitute(arg.value, replace, bang=False), unknown

    def render(self, node: Node) -> Value | None:
        """An intrinsic with unknown parts as text with `${...}` placeholders (never a wildcard)."""
        if isinstance(node, Mapping) and "Fn::Sub" in node.items and len(node.items) == 1:
            text, _ = self._sub(node.items["Fn::Sub"])
            if text is not None:
                return Value(text, node.span, unresolved="Fn::Sub", partial=True)
        if isinstance(node, Mapping) and "Fn::Join" in node.items and len(node.items) == 1:
            arg = node.items["Fn::Join"]
            if isinstance(arg, Sequence) and len(arg.items) == 2:
                sep, parts = self.resolve(arg.items[0]), self.resolve(arg.items[1])
                if isinstance(sep, Scalar) and isinstance(parts, Sequence):
                    texts = []
                    for part in parts.items:
                        value = self.resolve(part)
                        texts.append(str(value.value) if isinstance(value, Scalar) else "${" + _intrinsic_text(value) + "}")
                    return Value(str(sep.value).join(texts), node.span, unresolved="Fn::Join", partial=True)
        return None

    def input(self, node: Node) -> tuple[Template, Node] | None:
        """For `Ref P` of a parameter a parent stack in the scan passes: (parent, the value written)."""
        ref = node.items.get("Ref") if isinstance(node, Mapping) and len(node.items) == 1 else None
        return self.inputs.get(str(ref.value)) if isinstance(ref, Scalar) else None

    def parameter_ref(self, node: Node) -> str | None:
        """The parameter without default a `Ref` names (what a parent stack may pass), else None."""
        ref = node.items.get("Ref") if isinstance(node, Mapping) and len(node.items) == 1 else None
        name = str(ref.value) if isinstance(ref, Scalar) else ""
        return name if name in self.parameters and name not in self.defaults else None

    def document(self, doc: Node) -> Node:
        """A policy document whose `Statement` list holds `Fn::If` items: each replaced by the branch
        the parameters' defaults decide, or by both when undecided (either may be deployed); an
        `AWS::NoValue` branch adds no statement."""
        resolved = self.resolve(doc)
        statements = resolved.items.get("Statement") if isinstance(resolved, Mapping) else None
        listed = self.resolve(statements) if statements is not None else None
        if not isinstance(resolved, Mapping) or not isinstance(listed, Sequence):
            return doc
        spliced = _branches(listed.items, self)
        if len(spliced) == len(listed.items) and all(a is b for a, b in zip(spliced, listed.items, strict=True)):
            return doc
        return Mapping({**resolved.items, "Statement": Sequence(spliced, listed.span)}, resolved.key_spans, resolved.span)

    def logical_ref(self, node: Node) -> str | None:
        """The logical id a `Ref` / `Fn::GetAtt` names, if it is a resource of this template."""
        if isinstance(node, Mapping) and len(node.items) == 1:
            ((fn, arg),) = node.items.items()
            target = None
            if fn == "Ref" and isinstance(arg, Scalar):
                target = str(arg.value)
            elif fn == "Fn::GetAtt":
                first = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
                if isinstance(first, Scalar):
                    target = str(first.value).split(".")[0]
            elif fn == "Fn::Sub":
                return self._sub_target(arg)
            if target in self.resources:
                return target
            return self.aliases.get(target or "")
        return None

    def _sub_target(self, arg: Node) -> str | None:
        """The resource an `Fn::Sub` ARN names by its name or ARN (`${AppRole.Arn}`,
        `arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AppRole}`), also through a variable of
        the mapping form (`role/${Name}` with `Name: !Ref AppRole`)."""
        variables = (
            arg.items[1].items if isinstance(arg, Sequence) and len(arg.items) == 2 and isinstance(arg.items[1], Mapping) else {}
        )
        text = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
        match = _SUB_TARGET.match(str(text.value)) if isinstance(text, Scalar) and isinstance(text.value, str) else None
        name = (match.group(1) or match.group(2)) if match else None
        if name is None:
            return None
        if name in variables:
            return self.logical_ref(variables[name])
        return name if name in self.resources else self.aliases.get(name)


def _no_value(node: Node) -> bool:
    ref = node.items.get("Ref") if isinstance(node, Mapping) else None
    return isinstance(ref, Scalar) and ref.value == "AWS::NoValue"


def _intrinsic_text(node: Node) -> str:
    if isinstance(node, Mapping) and len(node.items) == 1:
        ((fn, arg),) = node.items.items()
        if isinstance(arg, Scalar):
            return f"{fn} {arg.value}"
        if isinstance(arg, Sequence) and all(isinstance(a, Scalar) for a in arg.items):
            return f"{fn} " + ".".join(str(a.value) for a in arg.items)  # type: ignore[attr-defined]
        return fn
    return "?"


def _template_value(text: str, values: dict[str, str], tpl: Template, span: Span) -> Value:
    def replace(name: str, whole: str) -> str:
        return values.get(name) or _PSEUDO.get(name) or whole

    rendered = substitute(text, replace, bang=False)
    return Value(rendered, span, partial="${" in rendered)


def _key_span(tpl: Template, logical: str) -> Span:
    return tpl.key_spans.get(logical) or tpl.resources[logical].span


def _branches(entries: list[Node], tpl: Template | None = None) -> list[Node]:
    """Policy entries with `Fn::If` replaced by the branch the parameters' defaults decide, or by both
    when undecided (either may be deployed); an `AWS::NoValue` branch adds nothing."""
    out: list[Node] = []
    for entry in entries:
        arg = entry.items.get("Fn::If") if isinstance(entry, Mapping) and len(entry.items) == 1 else None
        if isinstance(arg, Sequence) and len(arg.items) == 3:
            chosen = tpl.condition(arg.items[0]) if tpl is not None else None
            branches = arg.items[1:] if chosen is None else [arg.items[1 if chosen else 2]]
            for branch in branches:
                if not _no_value(branch):
                    out.extend(_branches(branch.items if isinstance(branch, Sequence) else [branch], tpl))
        else:
            out.append(entry)
    return out


def _json_string(node: Node, invalid: list[tuple[Span, str]]) -> Node | None:
    """A policy written as a JSON string (`AssumeRolePolicyDocument: >` then JSON): its nodes, each
    placed at the whole string, since a folded YAML scalar does not keep the JSON's own positions."""
    if not isinstance(node, Scalar) or not isinstance(node.value, str) or not node.value.lstrip().startswith("{"):
        return None
    from jeplint.parse.jsonpos import load_json

    try:
        parsed = load_json(node.value, node.span.path)
    except ParseError as exc:
        invalid.append((node.span, f"not analysed: the policy document is not valid JSON: {exc.reason}"))
        return None
    stack: list[Node] = [parsed]
    while stack:
        current = stack.pop()
        current.span = node.span
        if isinstance(current, Mapping):
            current.key_spans = dict.fromkeys(current.key_spans, node.span)
            stack.extend(current.items.values())
        elif isinstance(current, Sequence):
            stack.extend(current.items)
    return parsed
