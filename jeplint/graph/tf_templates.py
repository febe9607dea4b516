"""`templatefile(path, vars)` of a JSON policy: the file read as JSON (every token keeps its place in
the template file), then each string that interpolates (`"arn:aws:s3:::${bucket}/*"`) evaluated with
the template's variables. A part not known stays unknown (never a wildcard); a template that uses
directives (`%{ for }`, `%{ if }`) is not evaluated, and says so.
"""

from __future__ import annotations

from collections.abc import Callable

from jeplint.parse.hcl import parse_template
from jeplint.parse.nodes import Mapping, Node, ParseError, Scalar, Sequence

Evaluate = Callable[[Node], Node]  # a template string's node -> its value with the variables bound
_MAX_DEPTH = 64


def directives(node: Node, depth: int = 0) -> bool:
    """Whether a string of the document holds a template directive (`%{ ... }`, not `%%{`)."""
    if depth > _MAX_DEPTH:
        return True
    if isinstance(node, Mapping):
        return any(directives(value, depth + 1) for value in node.items.values())
    if isinstance(node, Sequence):
        return any(directives(item, depth + 1) for item in node.items)
    return isinstance(node, Scalar) and isinstance(node.value, str) and "%{" in node.value.replace("%%{", "")


def substitute(node: Node, path: str, evaluate: Evaluate, depth: int = 0) -> Node:
    """The document with every interpolating string replaced by its value (or its unknown template)."""
    if depth > _MAX_DEPTH:
        return node
    if isinstance(node, Mapping):
        items = {key: substitute(value, path, evaluate, depth + 1) for key, value in node.items.items()}
        return Mapping(items, node.key_spans, node.span)
    if isinstance(node, Sequence):
        return Sequence([substitute(item, path, evaluate, depth + 1) for item in node.items], node.span)
    if isinstance(node, Scalar) and isinstance(node.value, str) and "${" in node.value:
        try:
            template = parse_template(node.value, path, node.span)
        except ParseError:
            return node
        return evaluate(template)
    return node
