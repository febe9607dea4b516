"""Terraform JSON syntax (`.tf.json`) -> the same `Block`s as `.tf` files.

The document is an object: `resource` / `data` hold type -> name -> body, `variable`, `output`,
`module` and `provider` hold name -> body, `locals` and `terraform` hold a body. At every level a
value may also be an array of objects (several blocks). Block labels keep the span of their JSON
key; a block's span is its body's.

Inside a body, a key naming a known nested block (`NESTED_BLOCKS`) whose value is an object or an
array of objects becomes nested `Block`s; everything else is an attribute. Strings holding
`${...}` or `%{...}` are Terraform templates: they are parsed as HCL, and every node of the result
carries the JSON string's span, the most precise location there is.
"""

from __future__ import annotations

from jeplint.parse.hcl import parse_template
from jeplint.parse.nodes import Block, Mapping, Node, ParseError, Scalar, Sequence, Span

# Top-level keys -> number of labels (keys nested before the body).
TOP_LEVEL = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1, "locals": 0, "terraform": 0}
# Bodies that hold only attributes, whatever their keys are called.
ATTRIBUTES_ONLY = frozenset({"locals", "module"})
# Nested blocks with labels (`"dynamic": {"statement": {...}}`) -> number of labels.
LABELLED_BLOCKS = {"dynamic": 1, "provisioner": 1, "backend": 1}
NESTED_BLOCKS = frozenset(
    {
        "statement",
        "condition",
        "principals",
        "not_principals",
        "inline_policy",
        "content",
        "lifecycle",
        "timeouts",
        "connection",
        "assume_role",
        "rule",
        "ingress",
        "egress",
        "validation",
        "precondition",
        "postcondition",
        "required_providers",
        *LABELLED_BLOCKS,
    }
)
COMMENT_KEY = "//"  # Terraform ignores this property wherever it appears


def tfjson_blocks(root: Node, path: str) -> list[Block]:
    """The top-level blocks of a parsed `.tf.json` document, in document order."""
    if not isinstance(root, Mapping):
        raise ParseError("a .tf.json file must hold a JSON object", root.span.line, root.span.col)
    blocks: list[Block] = []
    try:
        for key, value in root.items.items():
            if key in TOP_LEVEL:
                blocks.extend(_blocks(key, value, TOP_LEVEL[key], [], path))
    except RecursionError:
        raise ParseError("JSON nested too deeply", root.span.line, root.span.col) from None
    return blocks


def _objects(node: Node) -> list[Mapping]:
    """An object, or the objects of an array."""
    if isinstance(node, Mapping):
        return [node]
    if isinstance(node, Sequence):
        return [item for item in node.items if isinstance(item, Mapping)]
    return []


def _is_block_value(node: Node) -> bool:
    """An object, or a non-empty array of objects only."""
    if isinstance(node, Sequence):
        return bool(node.items) and all(isinstance(item, Mapping) for item in node.items)
    return isinstance(node, Mapping)


def _blocks(block_type: str, node: Node, labels_left: int, labels: list[Scalar], path: str) -> list[Block]:
    """The blocks `node` holds, after `labels_left` levels of label keys."""
    blocks: list[Block] = []
    for obj in _objects(node):
        if labels_left == 0:
            blocks.append(_block(block_type, labels, obj, path))
            continue
        for key, value in obj.items.items():
            if key != COMMENT_KEY:
                label = Scalar(key, obj.key_spans[key])
                blocks.extend(_blocks(block_type, value, labels_left - 1, [*labels, label], path))
    return blocks


def _block(block_type: str, labels: list[Scalar], body: Mapping, path: str, templates: bool = True) -> Block:
    attrs: dict[str, Node] = {}
    attr_spans: dict[str, Span] = {}
    nested: list[Block] = []
    with_blocks = block_type not in ATTRIBUTES_ONLY
    for key, value in body.items.items():
        if key == COMMENT_KEY:
            continue
        if with_blocks and key in NESTED_BLOCKS and _is_block_value(value):
            if templates:
                nested.extend(_blocks(key, value, LABELLED_BLOCKS.get(key, 0), [], path))
            else:  # values (plan JSON): nested blocks are lists of objects, without labels
                nested.extend(_block(key, [], obj, path, templates) for obj in _objects(value))
        else:
            attrs[key] = _value(value, path) if templates else value
            attr_spans[key] = body.key_spans[key]
    return Block(block_type, labels, attrs, attr_spans, nested, body.span)


def values_block(block_type: str, labels: list[Scalar], body: Mapping, path: str) -> Block:
    """A block from attribute values as `terraform show -json` writes them: strings are literal
    (never templates), nested blocks are lists of objects."""
    return _block(block_type, labels, body, path, templates=False)


def _value(node: Node, path: str) -> Node:
    """An attribute value, with its template strings parsed."""
    if isinstance(node, Scalar):
        value = node.value
        if isinstance(value, str) and ("${" in value or "%{" in value):
            return parse_template(value, path, node.span)
        return node
    if isinstance(node, Mapping):
        items = {key: _value(item, path) for key, item in node.items.items()}
        return Mapping(items, node.key_spans, node.span)
    if isinstance(node, Sequence):
        return Sequence([_value(item, path) for item in node.items], node.span)
    return node
