"""IAM policy documents (JSON, YAML or an HCL object) -> Grants.

Format-independent: the caller passes `resolve`, which turns a format's indirections (a Terraform
reference, a CloudFormation intrinsic) into a node, or leaves them as they are when unknown. Values
that stay unknown become `Value(text=None, unresolved=...)`: never a false wildcard.
"""

from __future__ import annotations

from collections.abc import Callable

from jeplint.graph.conditions import from_document
from jeplint.graph.model import Grant, Policy, Value
from jeplint.parse.nodes import Expr, Mapping, Node, Scalar, Sequence, Span, Tagged, plain

Resolve = Callable[[Node], Node]


def identity_resolve(node: Node) -> Node:
    return node


def describe(node: Node) -> str:
    """Short source-like text for an unresolved node, for messages."""
    if isinstance(node, Expr):
        return node.text
    if isinstance(node, Mapping) and len(node.items) == 1:
        key, inner = next(iter(node.items.items()))
        if key == "Ref" and isinstance(inner, Scalar):
            return f"Ref {inner.value}"
        return key
    if isinstance(node, Tagged):
        return node.tag
    return type(node).__name__.lower()


def values_of(node: Node | None, resolve: Resolve, render: Callable[[Node], Value | None] | None = None) -> list[Value]:
    """The elements of a string-or-list field, each as a Value with its own span."""
    if node is None:
        return []
    node = resolve(node)
    if isinstance(node, Sequence):
        out: list[Value] = []
        for item in node.items:
            resolved = resolve(item)
            if isinstance(resolved, Sequence):  # a list spliced in through a reference
                out.extend(values_of(resolved, resolve, render))
            else:
                out.append(_value(resolved, item.span, render))
        return out
    return [_value(node, node.span, render)]


def _value(node: Node, span: Span, render: Callable[[Node], Value | None] | None) -> Value:
    if isinstance(node, Scalar) and node.value is not None and not isinstance(node.value, (dict, list)):
        value = node.value
        text = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        # A value reached through a reference keeps the span of its own literal (e.g. in `locals`).
        return Value(text, node.span)
    if render is not None:
        rendered = render(node)
        if rendered is not None:
            return rendered
    return Value(None, span, unresolved=describe(node))


def _first(mapping: Mapping, *keys: str) -> tuple[str, Node] | None:
    for key in keys:
        if key in mapping.items:
            return key, mapping.items[key]
    return None


def grants_from_document(
    policy: Policy,
    doc: Node,
    resolve: Resolve = identity_resolve,
    render: Callable[[Node], Value | None] | None = None,
) -> None:
    """Fill `policy.grants` from an IAM policy document node (``{"Statement": [...]}``)."""
    doc = resolve(doc)
    if not isinstance(doc, Mapping):
        policy.unresolved = f"policy document is {describe(doc)}"
        return
    statements = doc.get("Statement")
    if statements is None:
        return
    statements = resolve(statements)
    items = statements.items if isinstance(statements, Sequence) else [statements]
    for index, raw in enumerate(items, start=1):
        stmt = resolve(raw)
        grant = Grant(policy=policy, index=index, span=raw.span)
        policy.grants.append(grant)
        if not isinstance(stmt, Mapping):
            grant.unresolved = describe(stmt)
            continue
        grant_from_statement(grant, stmt, resolve, render)


def grant_from_statement(grant: Grant, stmt: Mapping, resolve: Resolve, render: Callable[[Node], Value | None] | None) -> None:
    effect = stmt.get("Effect")
    if effect is not None:
        resolved = resolve(effect)
        grant.effect = str(resolved.value) if isinstance(resolved, Scalar) else "Unknown"
    sid = stmt.get("Sid")
    if isinstance(sid, Scalar) and sid.value is not None:
        grant.sid = str(sid.value)
    for keys, attr, negated in (
        (("Action", "NotAction"), "actions", "not_actions"),
        (("Resource", "NotResource"), "resources", "not_resources"),
    ):
        found = _first(stmt, *keys)
        if found is None:
            continue
        key, node = found
        setattr(grant, attr, values_of(node, resolve, render))
        setattr(grant, negated, key.startswith("Not"))
        grant.key_spans[key] = stmt.key_spans[key]
    condition = stmt.get("Condition")
    if condition is not None:
        grant.conditions = from_document(plain(resolve(condition)))
        grant.key_spans["Condition"] = stmt.key_spans["Condition"]
    for key in ("Principal", "NotPrincipal"):
        if key in stmt.items:
            grant.key_spans[key] = stmt.key_spans[key]
            grant.principals = principal_values(stmt.items[key], resolve, render)
            grant.not_principals = key == "NotPrincipal"


def principal_values(node: Node, resolve: Resolve, render: Callable[[Node], Value | None] | None) -> list[Value]:
    """`"*"` or `{"AWS": [...], "Service": ..., "Federated": ...}` -> Values "*", "AWS:<arn>", ...

    An unknown element keeps its type: `Value(None, unresolved="AWS:Fn::GetAtt Ci.Arn")`.
    """
    node = resolve(node)
    if not isinstance(node, Mapping):
        return values_of(node, resolve, render)
    out: list[Value] = []
    for kind, inner in node.items.items():
        for value in values_of(inner, resolve, render):
            if value.text is not None:
                value.text = f"{kind}:{value.text}"
            else:
                value.unresolved = f"{kind}:{_intrinsic(resolve(inner), value)}"
            out.append(value)
    return out


def _intrinsic(container: Node, value: Value) -> str:
    """What an unknown principal was written as: a CloudFormation intrinsic with its target
    (`Fn::GetAtt Ci.Arn`, `Ref Ci`), else the generic description."""
    items = container.items if isinstance(container, Sequence) else [container]
    for item in items:
        if item.span == value.span and isinstance(item, Mapping) and len(item.items) == 1:
            ((fn, arg),) = item.items.items()
            parts = arg.items if isinstance(arg, Sequence) else [arg]
            if fn in ("Ref", "Fn::GetAtt") and all(isinstance(p, Scalar) for p in parts):
                return f"{fn} " + ".".join(str(p.value) for p in parts)  # type: ignore[attr-defined]
    return value.unresolved
