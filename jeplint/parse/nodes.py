"""Positioned values: the common currency of every parser.

Every parser (HCL, JSON, YAML) turns a file into a tree of these nodes, and every node carries the
`Span` of the token it came from, so a rule can point at the exact offending string. Lines and
columns are 1-based; `end_col` is exclusive (the SARIF convention).

- `Scalar`: a literal (str, int, float, bool or None).
- `Mapping`: ordered keys -> nodes; each key keeps its own span (`key_spans`).
- `Sequence`: a list of nodes.
- `Expr`: an HCL expression the parser does not evaluate (a reference such as
  `aws_iam_role.app.name`, a function call, a template with interpolations, an operator, ...).
  `op` says which; `args` holds its operands; `text` is its source text, for messages.
- `Tagged`: a YAML node with an explicit non-standard tag (`!Ref x`, `!!python/object ...`). It is
  data only: a tag is never resolved to code.
"""

from __future__ import annotations

from typing import Any

from jeplint.span import Span


class Node:
    __slots__ = ("span",)
    span: Span


class Scalar(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, span: Span) -> None:
        self.value = value
        self.span = span

    def __repr__(self) -> str:
        return f"Scalar({self.value!r})"


class Mapping(Node):
    __slots__ = ("items", "key_spans")

    def __init__(self, items: dict[str, Node], key_spans: dict[str, Span], span: Span) -> None:
        self.items = items
        self.key_spans = key_spans
        self.span = span

    def get(self, key: str) -> Node | None:
        return self.items.get(key)

    def __repr__(self) -> str:
        return f"Mapping({self.items!r})"


class Sequence(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node], span: Span) -> None:
        self.items = items
        self.span = span

    def __repr__(self) -> str:
        return f"Sequence({self.items!r})"


class Expr(Node):
    """An unevaluated HCL expression.

    op values: "ref" (text is the traversal, e.g. ``data.aws_iam_policy_document.x.json``; args empty),
    "call" (name = function name, args = arguments), "template" (args = parts: Scalar strings and
    nodes of interpolations), "conditional" (args = [condition, then, else]), "binary" (name = the
    operator: == != && || < > <= >= + - * / %; args = [left, right]), and "other" for anything
    else (unary operators, splats): text only.
    """

    __slots__ = ("op", "name", "args", "text")

    def __init__(self, op: str, text: str, span: Span, name: str = "", args: list[Node] | None = None) -> None:
        self.op = op
        self.text = text
        self.name = name
        self.args = args or []
        self.span = span

    def __repr__(self) -> str:
        return f"Expr({self.op}, {self.text!r})"


class Tagged(Node):
    __slots__ = ("tag", "node")

    def __init__(self, tag: str, node: Node, span: Span) -> None:
        self.tag = tag
        self.node = node
        self.span = span

    def __repr__(self) -> str:
        return f"Tagged({self.tag}, {self.node!r})"


class Block(Node):
    """An HCL block (``resource "aws_iam_role" "app" { ... }``) or its ``.tf.json`` equivalent.

    `labels` are Scalars (with spans); `attrs` maps attribute names to values, `attr_spans` to the
    span of the attribute name; `blocks` are the nested blocks in source order.
    """

    __slots__ = ("type", "labels", "attrs", "attr_spans", "blocks")

    def __init__(
        self,
        type: str,
        labels: list[Scalar],
        attrs: dict[str, Node],
        attr_spans: dict[str, Span],
        blocks: list[Block],
        span: Span,
    ) -> None:
        self.type = type
        self.labels = labels
        self.attrs = attrs
        self.attr_spans = attr_spans
        self.blocks = blocks
        self.span = span

    def blocks_of(self, type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type]

    def __repr__(self) -> str:
        return f"Block({self.type}, {[lab.value for lab in self.labels]})"


AnyNode = Scalar | Mapping | Sequence | Expr | Tagged | Block


def plain(node: Node | None) -> Any:
    """Strip positions: the plain Python value of a node (expressions become their source text)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {k: plain(v) for k, v in node.items.items()}
    if isinstance(node, Sequence):
        return [plain(v) for v in node.items]
    if isinstance(node, Tagged):
        return {node.tag: plain(node.node)}
    if isinstance(node, Expr):
        return "${" + node.text + "}"
    raise TypeError(node)


class ParseError(Exception):
    """A file that cannot be analysed: reason plus the line (and column) where known."""

    def __init__(self, reason: str, line: int | None = None, col: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.col = col
