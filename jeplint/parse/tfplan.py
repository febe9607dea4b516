"""Terraform plan and state JSON (`terraform show -json`) -> one `Block` per module instance.

Recognised by content, whatever the file name: an object with `format_version` and one of
`planned_values`, `resource_changes`, `prior_state`, `values` or `configuration`. Terraform
documents that consumers accept every 1.x `format_version` and reject any other major version;
so does this parser (a `ParseError` naming the version, i.e. the file is reported, exit 2).

Each module of `planned_values` (a plan) or `values` (a state) becomes a
`Block("plan-module", [address])` whose nested blocks are its resource instances:
`resource "<type>" "<name><index>"` (or `data`) with the instance's values as attributes, so
`aws_iam_role.ci["deploy"]` keeps Terraform's address. Strings are literal values, never templates.
A value "known after apply" (`after_unknown` of its `resource_changes` entry) is an
`Expr("other", "(known after apply)")`: unknown, never guessed. Policy documents of
`aws_iam_policy_document` / `google_iam_policy` data sources are left out: their rendered JSON is
already in the resources that use them.

The root module's block also carries what ties the plan to its `.tf` source: attribute
`variables` (name -> the value the plan was made with) and `configuration` (the addresses the
root module's configuration declares: `aws_iam_role.ci`, `data.aws_iam_roles.x`, `module.app`).
"""

from __future__ import annotations

from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Span
from jeplint.parse.tfjson import values_block

PLAN_KEYS = ("planned_values", "resource_changes", "prior_state", "values", "configuration")
_DOCUMENT_DATA = frozenset({"aws_iam_policy_document", "google_iam_policy"})
KNOWN_AFTER_APPLY = "(known after apply)"


def is_plan(doc: Node) -> bool:
    return isinstance(doc, Mapping) and "format_version" in doc.items and any(k in doc.items for k in PLAN_KEYS)


def plan_modules(doc: Mapping, path: str) -> list[Block]:
    """The module instances of a plan or state document (see the module docstring)."""
    version = doc.items["format_version"]
    text = str(version.value) if isinstance(version, Scalar) else ""
    if text.split(".", 1)[0] != "1":
        raise ParseError(
            f"unsupported Terraform JSON format_version {text or '?'} (jeplint reads 1.x)", version.span.line, version.span.col
        )
    values = doc.items.get("planned_values") or doc.items.get("values")
    if values is None:
        return []
    root = values.items.get("root_module") if isinstance(values, Mapping) else None
    if not isinstance(root, Mapping):
        raise ParseError("plan JSON: planned_values/values has no root_module object", values.span.line, values.span.col)
    unknown = _after_unknown(doc.items.get("resource_changes"))
    out: list[Block] = []
    stack: list[Mapping] = [root]
    while stack:
        module = stack.pop(0)
        address = module.items.get("address")
        label = Scalar(str(address.value) if isinstance(address, Scalar) else "", module.span)
        resources = module.items.get("resources")
        blocks = [_resource(r, path, unknown) for r in _mappings(resources)]
        attrs = _root_attrs(doc, module.span) if module is root else {}
        out.append(Block("plan-module", [label], attrs, {}, [b for b in blocks if b is not None], module.span))
        stack.extend(_mappings(module.items.get("child_modules")))
    return out


def _root_attrs(doc: Mapping, span: Span) -> dict[str, Node]:
    """`variables` and `configuration` of the root module (see the module docstring)."""
    variables = doc.items.get("variables")
    values: dict[str, Node] = {}
    for name, entry in variables.items.items() if isinstance(variables, Mapping) else []:
        if isinstance(entry, Mapping) and "value" in entry.items:
            values[name] = entry.items["value"]
    configuration = doc.items.get("configuration")
    root = configuration.items.get("root_module") if isinstance(configuration, Mapping) else None
    declared: list[Node] = []
    if isinstance(root, Mapping):
        for resource in _mappings(root.items.get("resources")):
            address = resource.items.get("address")
            if isinstance(address, Scalar) and isinstance(address.value, str):
                declared.append(address)
        calls = root.items.get("module_calls")
        for name, call in calls.items.items() if isinstance(calls, Mapping) else []:
            declared.append(Scalar(f"module.{name}", call.span))
    return {"variables": Mapping(values, {}, span), "configuration": Sequence(declared, span)}


def _mappings(node: Node | None) -> list[Mapping]:
    if node is None:
        return []
    if not isinstance(node, Sequence):
        raise ParseError("plan JSON: expected an array", node.span.line, node.span.col)
    return [item for item in node.items if isinstance(item, Mapping)]


def _after_unknown(changes: Node | None) -> dict[str, Mapping]:
    """resource address -> its `after_unknown` object."""
    found: dict[str, Mapping] = {}
    for change in _mappings(changes):
        address, body = change.items.get("address"), change.items.get("change")
        after = body.items.get("after_unknown") if isinstance(body, Mapping) else None
        if isinstance(address, Scalar) and isinstance(after, Mapping):
            found[str(address.value)] = after
    return found


def _resource(resource: Mapping, path: str, unknown: dict[str, Mapping]) -> Block | None:
    items = resource.items
    mode, kind, name, address = (items.get(k) for k in ("mode", "type", "name", "address"))
    if not all(isinstance(n, Scalar) and isinstance(n.value, str) for n in (mode, kind, name)):
        raise ParseError("plan JSON: a resource without mode, type and name", resource.span.line, resource.span.col)
    assert isinstance(kind, Scalar) and isinstance(name, Scalar) and isinstance(mode, Scalar)
    if mode.value == "data" and kind.value in _DOCUMENT_DATA:
        return None
    index = items.get("index")
    suffix = ""
    if isinstance(index, Scalar) and index.value is not None:
        key = index.value
        suffix = f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else '["' + str(key) + '"]'
    values = items.get("values")
    body = values if isinstance(values, Mapping) else Mapping({}, {}, resource.span)
    labels = [Scalar(kind.value, kind.span), Scalar(name.value + suffix, (address or name).span)]
    block = values_block("data" if mode.value == "data" else "resource", labels, body, path)
    after = unknown.get(str(address.value)) if isinstance(address, Scalar) else None
    for attr, flag in after.items.items() if after is not None else []:
        if isinstance(flag, Scalar) and flag.value is True:
            block.attrs[attr] = Expr("other", KNOWN_AFTER_APPLY, flag.span)
            block.attr_spans.setdefault(attr, flag.span)
    return block
