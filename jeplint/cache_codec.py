"""Plain-data forms of what the parse cache stores: a `ParsedFile`, and the HCL parser's tables.

Both are JSON: strings, numbers, booleans, null and lists, read back by a decoder that checks the
shape of every value and builds only jeplint's own node classes (or, for the parser tables, hands
Lark the plain dictionaries it serializes itself). Nothing in a cache file names a class, a
function or a module, so a planted or corrupted file can at worst be refused (`CodecError`): it
cannot run code. This replaces pickles, which could (issue 20, item 1).

A parse result: `[FORMAT, kind, documents, error, notice, notice_at, lines]`; a node is a list
whose first item says which class it is (`_SCALAR` ...); a span is `[line, col, end_line, end_col]`
when it is in the file itself, with its path as a fifth item otherwise, so an entry does not hold
the display path and a moved file still finds it (the loader labels it with the current path).
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

from jeplint.parse import ParsedFile
from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Tagged
from jeplint.span import Span

FORMAT = 2  # bump when the layout below changes
_SCALAR, _MAPPING, _SEQUENCE, _EXPR, _TAGGED, _BLOCK, _HEREDOC = range(7)
_SCALAR_TYPES = (str, int, float, bool, type(None))


class CodecError(ValueError):
    """Not a cache entry this jeplint wrote: treated as a miss."""


# -- parse results ----------------------------------------------------------------------------


def dumps(parsed: ParsedFile) -> bytes:
    """`parsed` as JSON bytes without its display path. Raises RecursionError for very deep trees."""
    path = parsed.path

    def span(s: Span) -> list[Any]:
        return [s.line, s.col, s.end_line, s.end_col] if s.path == path else [s.line, s.col, s.end_line, s.end_col, s.path]

    def node(n: Node) -> list[Any]:
        if isinstance(n, Scalar):
            if hasattr(n, "body_line"):  # an HCL heredoc (`jeplint.parse.hcl.Heredoc`)
                return [_HEREDOC, n.value, span(n.span), n.body_line, getattr(n, "indent")]  # noqa: B009
            return [_SCALAR, n.value, span(n.span)]
        if isinstance(n, Mapping):
            keys = list(n.items)
            return [
                _MAPPING,
                keys,
                [node(n.items[k]) for k in keys],
                [[k, span(v)] for k, v in n.key_spans.items()],
                span(n.span),
            ]
        if isinstance(n, Sequence):
            return [_SEQUENCE, [node(i) for i in n.items], span(n.span)]
        if isinstance(n, Expr):
            return [_EXPR, n.op, n.text, n.name, [node(a) for a in n.args], span(n.span)]
        if isinstance(n, Tagged):
            return [_TAGGED, n.tag, node(n.node), span(n.span)]
        if isinstance(n, Block):
            keys = list(n.attrs)
            return [
                _BLOCK,
                n.type,
                [node(label) for label in n.labels],
                keys,
                [node(n.attrs[k]) for k in keys],
                [[k, span(v)] for k, v in n.attr_spans.items()],
                [node(b) for b in n.blocks],
                span(n.span),
            ]
        raise TypeError(f"not a node: {type(n).__name__}")

    error = None if parsed.error is None else [parsed.error.reason, parsed.error.line, parsed.error.col]
    notice_at = None if parsed.notice_at is None else list(parsed.notice_at)
    value = [FORMAT, parsed.kind, [node(d) for d in parsed.documents], error, parsed.notice, notice_at, parsed.lines]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes, display: str) -> ParsedFile:
    """The parse result `dumps` wrote, labelled `display`; CodecError for anything else."""
    try:
        value = json.loads(data)
        return _Decoder(display).parsed(value)
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError, UnicodeDecodeError) as exc:
        raise CodecError(f"not a jeplint cache entry: {type(exc).__name__}") from None


class _Decoder:
    """Builds nodes from the lists of `dumps`, checking the type of every field."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def parsed(self, value: Any) -> ParsedFile:
        fmt, kind, docs, error, notice, notice_at, lines = _list(value, 7)
        if fmt != FORMAT:
            raise CodecError("another cache format")
        result = ParsedFile(self.path, _opt(kind, str), [self.node(d) for d in _list(docs)], notice=_of(notice, str))
        if error is not None:
            reason, line, col = _list(error, 3)
            result.error = ParseError(_of(reason, str), _opt(line, int), _opt(col, int))
        if notice_at is not None:
            line, col = _list(notice_at, 2)
            result.notice_at = (_of(line, int), _of(col, int))
        if lines is not None:
            result.lines = [_of(line, str) for line in _list(lines)]
        return result

    def span(self, value: Any) -> Span:
        items = _list(value)
        if len(items) == 4:
            path = self.path
        elif len(items) == 5:
            path = _text(items[4])
        else:
            raise CodecError("not a span")
        return Span(path, *(_of(i, int) for i in items[:4]))

    def spans(self, value: Any) -> dict[str, Span]:
        return {_text(k): self.span(s) for k, s in (_list(pair, 2) for pair in _list(value))}

    def node(self, value: Any) -> Any:
        items = _list(value)
        kind = items[0] if items else None
        if kind == _SCALAR:
            _, scalar, span = _list(items, 3)
            if not isinstance(scalar, _SCALAR_TYPES):
                raise CodecError("not a scalar")
            return Scalar(sys.intern(scalar) if type(scalar) is str else scalar, self.span(span))
        if kind == _HEREDOC:
            from jeplint.parse.hcl import Heredoc  # imports lark: only for a file with a heredoc

            _, text, span, body_line, indent = _list(items, 5)
            return Heredoc(_of(text, str), self.span(span), _of(body_line, int), _of(indent, int))
        if kind == _MAPPING:
            _, keys, nodes, key_spans, span = _list(items, 5)
            pairs = _pairs(keys, nodes)
            return Mapping({k: self.node(n) for k, n in pairs}, self.spans(key_spans), self.span(span))
        if kind == _SEQUENCE:
            _, nodes, span = _list(items, 3)
            return Sequence([self.node(n) for n in _list(nodes)], self.span(span))
        if kind == _EXPR:
            _, op, text, name, args, span = _list(items, 6)
            return Expr(_text(op), _text(text), self.span(span), _text(name), [self.node(a) for a in _list(args)])
        if kind == _TAGGED:
            _, tag, inner, span = _list(items, 4)
            return Tagged(_text(tag), self.node(inner), self.span(span))
        if kind == _BLOCK:
            _, type_, labels, keys, nodes, attr_spans, blocks, span = _list(items, 8)
            decoded_labels = [self.node(label) for label in _list(labels)]
            decoded_blocks = [self.node(b) for b in _list(blocks)]
            if not all(isinstance(x, Scalar) for x in decoded_labels) or not all(isinstance(b, Block) for b in decoded_blocks):
                raise CodecError("not a block")
            attrs = {k: self.node(n) for k, n in _pairs(keys, nodes)}
            return Block(_text(type_), decoded_labels, attrs, self.spans(attr_spans), decoded_blocks, self.span(span))
        raise CodecError("not a node")


def _list(value: Any, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise CodecError("unexpected shape")
    return value


def _of(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CodecError(f"expected {kind.__name__}")
    return value


def _text(value: Any) -> str:
    """A string of a tree, interned: the JSON decoder makes a new object for every occurrence, and
    a tree repeats its keys, types and references (on the real corpus 224k strings, 23k distinct:
    ~14 MB less once interned)."""
    if type(value) is not str:
        raise CodecError("expected str")
    return sys.intern(value)


def _opt(value: Any, kind: type) -> Any:
    return None if value is None else _of(value, kind)


def _pairs(keys: Any, nodes: Any) -> list[tuple[str, Any]]:
    keys, nodes = _list(keys), _list(nodes)
    if len(keys) != len(nodes):
        raise CodecError("keys and values differ in number")
    return [(_text(k), n) for k, n in zip(keys, nodes)]


# -- parser tables ----------------------------------------------------------------------------
# Lark serializes a parser to dictionaries (some with integer keys) and tuples of plain values.
# In JSON a dictionary becomes {"d": [[key, value], ...]} and a tuple {"t": [...]}; the file is
# `<sha-256 of the body>\n<body>`, and a body whose digest differs is refused before it is parsed.


def dump_tables(tables: Any) -> bytes:
    body = json.dumps(_tag(tables), separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def load_tables(data: bytes) -> Any:
    digest, _, body = data.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise CodecError("the parser tables do not match their digest")
    try:
        return json.loads(body, object_hook=_untag)
    except (ValueError, TypeError, RecursionError) as exc:
        raise CodecError(f"not parser tables: {type(exc).__name__}") from None


def _tag(value: Any) -> Any:
    if isinstance(value, dict):
        return {"d": [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"t": [_tag(v) for v in value]}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, _SCALAR_TYPES):
        return value
    raise TypeError(f"not plain data: {type(value).__name__}")


def _untag(obj: dict[str, Any]) -> Any:
    if list(obj) == ["t"] and isinstance(obj["t"], list):
        return tuple(obj["t"])
    if list(obj) == ["d"] and isinstance(obj["d"], list):
        out = {}
        for pair in obj["d"]:
            key, value = _list(pair, 2)
            if not isinstance(key, (str, int, tuple)):
                raise CodecError("not a plain key")
            out[key] = value
        return out
    raise CodecError("unexpected object in parser tables")
