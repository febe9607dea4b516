# mypy: disable-error-code="union-attr,attr-defined,arg-type,assignment"
# (PyYAML's stubs type events and marks loosely: this module dispatches on the exact event class,
# and every mark of a parsed event is set.)
"""Positioned YAML: one node tree per document, built from PyYAML's event stream.

`load_yaml` reads the parser's events (libyaml's C parser when available) and composes the nodes
itself, iteratively: no PyYAML composer and no constructor ever runs, so no tag can run code and
no input can exhaust a stack. It enforces, exactly and as it goes:

- `MAX_DEPTH` levels of nesting (libyaml stops a little earlier on its own; both report the same
  reason);
- `MAX_ALIAS_EXPANSION` nodes reached through aliases ("billion laughs"): an alias is resolved to
  the very node of its anchor (shared, never copied), and the expanded size of every anchored node
  is tracked so the total stays a count, not a walk.

Plain scalars get YAML 1.1's implicit types (PyYAML's resolver): null, bool, int, float; any other
standard type (timestamps, binary) stays the source string, as does a value whose conversion fails.
CloudFormation short-form tags become their long form (`!Ref x` -> {"Ref": x},
`!GetAtt a.b` -> {"Fn::GetAtt": [a, b]}, `!Sub s` -> {"Fn::Sub": s}, ...); any other explicit tag
becomes a `Tagged` node, data only.

Marks from PyYAML are 0-based; spans are 1-based with an exclusive end. A block collection ends
where its last entry ends (PyYAML would end it at the next token, after any comments).
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from jeplint.parse.jsonpos import gc_paused, make_span
from jeplint.parse.nodes import Mapping, Node, ParseError, Scalar, Sequence, Span, Tagged, plain

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _Loader

MAX_DEPTH = 1000
MAX_ALIAS_EXPANSION = 1_000_000

_STANDARD = "tag:yaml.org,2002:"
_DATA_TAGS = frozenset(
    _STANDARD + name
    for name in ("null", "bool", "int", "float", "str", "binary", "timestamp", "merge", "value")
    + ("map", "seq", "omap", "pairs", "set")
)
_FN_NAMES = (
    "Sub Join Select Split If Equals And Or Not FindInMap Base64 Cidr GetAZs ImportValue Transform"
    " ToJsonString Length ForEach GetAtt"
)
_CFN_TAGS = {"!Ref": "Ref", "!Condition": "Condition"}
_CFN_TAGS.update({"!" + name: "Fn::" + name for name in _FN_NAMES.split()})
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_DEPTH_REASON = f"YAML nested deeper than {MAX_DEPTH} levels"


def load_yaml(text: str, path: str, duplicates: list[tuple[str, Span]] | None = None) -> list[Node]:
    """Parse every document of `text`; empty documents are skipped.

    A key repeated in one mapping keeps its last value (as Kubernetes and CloudFormation tools do);
    when `duplicates` is given, each repeat is appended to it as (key, span of the repeat).

    Raises `ParseError` for malformed YAML, nesting deeper than `MAX_DEPTH`, aliases expanding to
    more than `MAX_ALIAS_EXPANSION` nodes, and anything else PyYAML raises.
    """
    try:
        with gc_paused():
            return _Composer(text, path, duplicates).documents()
    except ParseError:
        raise
    except yaml.MarkedYAMLError as e:
        raise _marked_error(e) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        offset = min(e.position, len(text))  # libyaml counts UTF-8 bytes: near enough for a message
        line, col = text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        raise ParseError(f"unacceptable character #x{e.character:04x}: {e.reason}", line, col) from None
    except Exception as e:
        raise ParseError(f"invalid YAML: {e}") from None


def _marked_error(e: yaml.MarkedYAMLError) -> ParseError:
    mark = e.problem_mark or e.context_mark
    reason = e.problem or e.context or "invalid YAML"
    if reason.startswith("exceeded maximum nesting depth"):  # libyaml's own limit
        reason = _DEPTH_REASON
    if mark is None:
        return ParseError(reason)
    return ParseError(reason, mark.line + 1, mark.column + 1)


def _int(value: str) -> int:
    """YAML 1.1 int: signs, '_' separators, 0b/0o/0x, a leading 0 for octal, base 60 (1:30)."""
    digits = value.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-")
    if ":" in digits:
        return sign * _base60(digits, int)
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        return sign * int(digits, 8)
    return sign * int(digits, 0)


def _float(value: str) -> float:
    """YAML 1.1 float: '_' separators, .inf/.nan, base 60 (1:30.5)."""
    digits = value.replace("_", "").lower()
    sign = -1.0 if digits[:1] == "-" else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    if ":" in digits:
        return sign * _base60(digits, float)
    return sign * float(digits)


def _base60(digits: str, kind: type) -> Any:
    total = kind(0)
    for part in digits.split(":"):
        total = total * 60 + kind(part)
    return total


def _bool(value: str) -> bool:
    return _BOOLS[value.lower()]


_CONVERTERS = {
    _STANDARD + "null": lambda value: None,
    _STANDARD + "bool": _bool,
    _STANDARD + "int": _int,
    _STANDARD + "float": _float,
}


def _typed(tag: str, value: str) -> Any:
    """The Python value of a scalar with a standard tag; the string itself if that fails."""
    convert = _CONVERTERS.get(tag)
    if convert is None:
        return value
    try:
        return convert(value)
    except (ValueError, KeyError, OverflowError):
        return value


def _key_text(node: Node) -> str:
    """A mapping key that is not a plain scalar (an alias, a collection) as a string."""
    if isinstance(node, Scalar) and isinstance(node.value, str):
        return node.value
    try:
        return json.dumps(plain(node), default=str)
    except RecursionError:  # a key nested hundreds of levels deep
        return f"<complex key at {node.span}>"


class _Frame:
    """A collection being composed: its start event, items, and the key awaiting its value."""

    __slots__ = ("count", "event", "items", "key", "key_span", "key_spans", "last", "merges")

    def __init__(self, event: Event, is_mapping: bool, count: int) -> None:
        self.event = event
        self.items: Any = {} if is_mapping else []
        self.key_spans: dict[str, Span] | None = {} if is_mapping else None
        self.key: str | None = None
        self.key_span: Span | None = None
        self.count = count  # nodes composed before this one, for its expanded size
        self.last: Span | None = None  # span of the last entry
        self.merges: list[Node] = []  # values of `<<` merge keys, applied when the mapping closes


class _Composer:
    """Builds nodes from events with an explicit stack."""

    def __init__(self, text: str, path: str, duplicates: list[tuple[str, Span]] | None = None) -> None:
        self.path = path
        self.duplicates = duplicates
        self.loader = _Loader(text)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Node, int]] = {}  # anchor -> (node, expanded size)
        self.count = 0  # nodes composed so far, aliases counted at their expanded size
        self.expanded = 0  # nodes reached through aliases
        self.docs: list[Node] = []
        self.root: Node | None = None

    def documents(self) -> list[Node]:
        try:
            self.run()
        finally:
            self.loader.dispose()
        return self.docs

    def run(self) -> None:
        get_event = self.loader.get_event
        while True:
            event = get_event()
            kind = event.__class__
            if kind is ScalarEvent:
                self.scalar(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self.open(event, kind is MappingStartEvent)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self.close(event)
            elif kind is AliasEvent:
                self.alias(event)
            elif kind is DocumentStartEvent:
                self.anchors = {}
            elif kind is DocumentEndEvent:
                if self.root is not None:
                    self.docs.append(self.root)
                self.root = None
            elif kind is StreamEndEvent:
                return

    def span(self, event: Event) -> Span:
        start, end = event.start_mark, event.end_mark
        return make_span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def scalar(self, event: ScalarEvent) -> None:
        self.count += 1
        stack = self.stack
        if stack and stack[-1].key is None and stack[-1].key_spans is not None and event.anchor is None:
            frame = stack[-1]  # a plain key: only its text and span are needed
            frame.key = _MERGE if event.value == "<<" and event.implicit[0] else event.value
            frame.key_span = self.span(event)
            return
        if not stack and event.value == "" and event.tag is None and event.implicit[0]:
            return  # an empty document
        node = self.scalar_node(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1)
        self.add(node, node.span, event.value)

    def scalar_node(self, event: ScalarEvent) -> Node:
        span = self.span(event)
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            if not event.implicit[0]:  # quoted: always a string
                return Scalar(value, span)
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag in _DATA_TAGS:
            return Scalar(_typed(tag, value), span)
        if tag == "!GetAtt":
            resource, dot, attribute = value.partition(".")
            parts = [Scalar(resource, span)] + ([Scalar(attribute, span)] if dot else [])
            return self.tagged(tag, Sequence(parts, span))
        return self.tagged(tag, Scalar(value, span))

    def tagged(self, tag: str, node: Node) -> Node:
        """`node` under an explicit non-standard tag: a CloudFormation long form or `Tagged`."""
        name = _CFN_TAGS.get(tag)
        if name is None:
            return Tagged(tag, node, node.span)
        return Mapping({name: node}, {name: node.span}, node.span)

    def open(self, event: MappingStartEvent | SequenceStartEvent, is_mapping: bool) -> None:
        if len(self.stack) >= MAX_DEPTH:
            mark = event.start_mark
            raise ParseError(_DEPTH_REASON, mark.line + 1, mark.column + 1)
        self.stack.append(_Frame(event, is_mapping, self.count))
        self.count += 1

    def close(self, event: MappingEndEvent | SequenceEndEvent) -> None:
        frame = self.stack.pop()
        start = frame.event
        span = self.span(start)
        if start.flow_style or frame.last is None:  # a flow collection ends at its bracket
            end = self.span(event)
            span = make_span(self.path, span.line, span.col, end.end_line, end.end_col)
        else:  # a block collection ends with its last entry
            span = make_span(self.path, span.line, span.col, frame.last.end_line, frame.last.end_col)
        node: Node
        if frame.key_spans is not None:
            _merge(frame)
            node = Mapping(frame.items, frame.key_spans, span)
        else:
            node = Sequence(frame.items, span)
        if start.tag is not None and start.tag != "!" and start.tag not in _DATA_TAGS:
            node = self.tagged(start.tag, node)
        if start.anchor is not None:
            self.anchors[start.anchor] = (node, self.count - frame.count)
        self.add(node, span, None)

    def alias(self, event: AliasEvent) -> None:
        name = event.anchor
        mark = event.start_mark
        if name not in self.anchors:
            pending = any(frame.event.anchor == name for frame in self.stack)
            reason = "recursive YAML alias" if pending else "found undefined alias"
            raise ParseError(f"{reason} '{name}'", mark.line + 1, mark.column + 1)
        node, size = self.anchors[name]
        self.count += size
        self.expanded += size
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise ParseError(f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes", mark.line + 1, mark.column + 1)
        self.add(node, self.span(event), None)

    def add(self, node: Node, span: Span, key: str | None) -> None:
        """Put a finished node in the innermost collection.

        `span` is where it occurs (for an alias, the alias, not the anchored node); `key` is its
        text should it be a mapping key.
        """
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        if frame.key_spans is None:
            frame.items.append(node)
        elif frame.key is None:
            frame.key = key if key is not None else _key_text(node)
            frame.key_span = span
            return
        elif frame.key is _MERGE:
            frame.merges.append(node)
            frame.key = None
        else:
            if self.duplicates is not None and frame.key in frame.items:
                self.duplicates.append((frame.key, frame.key_span))
            frame.items[frame.key] = node
            frame.key_spans[frame.key] = frame.key_span
            frame.key = None
        frame.last = span


class _MergeKey(str):
    """The plain `<<` key, told apart by identity: no key text, whatever it holds, can equal it."""

    __slots__ = ()


_MERGE = _MergeKey("<<")  # a plain `<<` key (a quoted "<<" is an ordinary key)


def _merge(frame: _Frame) -> None:
    """Apply YAML merge keys (https://yaml.org/type/merge.html) as Kubernetes and CloudFormation
    tooling do (PyYAML, go-yaml): the keys of each merged mapping that the mapping does not set
    itself are added, the first merged mapping winning over later ones; `<<: [*a, *b]` merges each.
    Merged entries keep the positions where they are written (under the anchor)."""
    for value in frame.merges:
        sources = value.items if isinstance(value, Sequence) else [value]
        for source in sources:
            if not isinstance(source, Mapping):
                continue
            for key, item in source.items.items():
                if key not in frame.items:
                    frame.items[key] = item
                    frame.key_spans[key] = source.key_spans.get(key, item.span)  # type: ignore[index]
