"""A positioned, strict JSON parser (RFC 8259).

`load_json` turns JSON text into `nodes` (Scalar, Mapping, Sequence) that keep the span of every
value and key. It is iterative (an explicit stack, never recursion), so nesting depth is limited
only by `MAX_DEPTH`, not by Python's recursion limit.

Tokens come from one compiled regex matched at successive offsets; a token's line and column come
from a list of line-start offsets searched with `bisect`. Columns count characters; only "\\n"
starts a new line (a "\\r" before it is whitespace at the end of the line).

The token loop is one function with everything in locals: building a node per value costs far
more than json.loads does, so the loop avoids every call it can, builds spans without the frozen
dataclass __init__, and runs with the cyclic garbage collector paused.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from jeplint.parse.nodes import Mapping, Node, ParseError, Scalar, Sequence, Span

MAX_DEPTH = 2000

_STRING_BODY = r'[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*'
_TOKEN = re.compile(
    r"[ \t\n\r]*(?:"
    rf'("{_STRING_BODY}")(?:[ \t\n\r]*(:))?'  # 1 string, 2 a colon after it (an object key)
    r"|(-?(?:0|[1-9][0-9]*))((?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"  # 3 integer part, 4 fraction/exponent
    r"|([{\[])"  # 5 open
    r"|([}\]])"  # 6 close
    r"|(,)"  # 7 comma
    r"|(true|false|null)"  # 8 literal
    r")"
)
# Token kinds are Match.lastindex values: a number always ends in group 4 (possibly empty).
_STRING, _KEY, _NUMBER, _OPEN, _CLOSE, _COMMA, _LITERAL = 1, 2, 4, 5, 6, 7, 8
_LITERALS = {"true": True, "false": False, "null": None}

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile(r"\n")
_STRING_PREFIX = re.compile('"' + _STRING_BODY)
_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"  # surrogate pair
    r"|\\u([0-9a-fA-F]{4})"
    r"|\\(.)"
)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

_AFTER_MEMBER = "expected ',' or '}' after object member"
_AFTER_ELEMENT = "expected ',' or ']' after array element"
_EXPECT_VALUE = "expected a JSON value"
_EXPECT_KEY = "expected a string object key"
_EXPECT_COLON = "expected ':' after object key"


def _span_factory() -> Any:
    """`make_span(path, line, col, end_line, end_col)`: a `Span` built by setting its slots directly.

    The frozen dataclass __init__ goes through object.__setattr__ per field and is about twice
    as slow; spans are built for every token, so it shows. The field check keeps this honest.
    """
    names = ("path", "line", "col", "end_line", "end_col")
    if tuple(f.name for f in dataclasses.fields(Span)) != names:
        raise TypeError("Span fields changed: update jsonpos._span_factory")
    new = Span.__new__
    set_path, set_line, set_col, set_end_line, set_end_col = (getattr(Span, n).__set__ for n in names)

    def make_span(path: str, line: int, col: int, end_line: int, end_col: int) -> Span:
        span = new(Span)
        set_path(span, path)
        set_line(span, line)
        set_col(span, col)
        set_end_line(span, end_line)
        set_end_col(span, end_col)
        return span

    return make_span


make_span = _span_factory()


def load_json(
    text: str, path: str, line: int = 1, col: int = 1, indent: int = 0, duplicates: list[tuple[str, Span]] | None = None
) -> Node:
    """Parse `text` as one JSON document; `line`/`col` place its first character in `path`.

    Only the first line is shifted by `col - 1`; later lines start at column 1, or at column
    `1 + indent` when `indent` columns were removed from each of them (a `<<-` heredoc body).
    A key repeated in one object keeps its last value (as `json.loads` and AWS do); when
    `duplicates` is given, each repeat is appended to it as (key, span of the repeat).
    Raises `ParseError` on malformed JSON or nesting deeper than `MAX_DEPTH`.
    """
    starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    positions = _Positions(path, starts, line, col, indent)
    positions.duplicates = duplicates
    with gc_paused():
        return _parse(text, positions)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a tree of nodes (which has no cycles).

    Every few hundred allocations trigger a collection, and the older generations' collections
    walk every node still alive: with earlier files' trees kept, parsing took over twice as long.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Positions:
    """Offsets to lines and columns, and errors raised at an offset."""

    def __init__(self, path: str, starts: list[int], first_line: int, col: int, indent: int) -> None:
        self.path = path
        self.starts = starts  # offset of each line's first character
        self.first_line = first_line
        # bases[i] is starts[i] shifted left by the columns line i lost in the enclosing file, so
        # that `offset - bases[i] + 1` is the column there.
        self.bases = [1 - col] + [start - indent for start in starts[1:]]
        self.duplicates: list[tuple[str, Span]] | None = None  # where repeated keys go, if wanted

    def at(self, offset: int) -> tuple[int, int]:
        """(line, col) of a character offset."""
        i = bisect_right(self.starts, offset) - 1
        return i + self.first_line, offset - self.bases[i] + 1

    def span(self, start: int, end: int) -> Span:
        return make_span(self.path, *self.at(start), *self.at(end))

    def fail(self, text: str, reason: str, offset: int) -> NoReturn:
        """Raise `reason` at the first non-blank character from `offset` (or a bad string's problem)."""
        offset = _skip_space(text, offset)
        if offset == len(text):
            reason = f"unexpected end of input: {reason}"
        elif text[offset] == '"':
            reason, offset = _string_problem(text, offset) or (reason, offset)
        raise ParseError(reason, *self.at(offset))


def _match_end(pattern: re.Pattern[str], text: str, offset: int) -> int:
    """Where a pattern that can match the empty string stops matching at `offset`."""
    m = pattern.match(text, offset)
    return m.end() if m is not None else offset


def _skip_space(text: str, offset: int) -> int:
    return _match_end(_WHITESPACE, text, offset)


def _string_problem(text: str, offset: int) -> tuple[str, int] | None:
    """Why the string starting at `offset` is malformed, and where; None if it is well-formed."""
    bad = _match_end(_STRING_PREFIX, text, offset)
    if bad >= len(text) or text[bad] in "\r\n":
        return "unterminated string", offset
    if text[bad] == "\\":
        return "invalid escape sequence in string", bad
    if text[bad] != '"':
        return "control character in string (must be escaped)", bad
    return None


def _unescape(body: str) -> str:
    """Decode the escapes of a validated string body.

    A lone surrogate (`\\ud800` without its pair) becomes U+FFFD, as in Go's encoding/json:
    json.loads would keep it, and a string holding one cannot be written out as UTF-8 (a report,
    a fingerprint)."""

    def replace(m: re.Match[str]) -> str:
        high, low, single, simple = m.groups()
        if high is not None:
            return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
        if single is not None:
            code = int(single, 16)
            return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)
        return _SIMPLE_ESCAPES[simple]

    return _ESCAPE.sub(replace, body)


def _number(m: re.Match[str], pos: _Positions) -> int | float:
    if m.group(4):
        return float(m.group(3) + m.group(4))
    try:
        return int(m.group(3))
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        raise ParseError("number too large", *pos.at(m.start(3))) from None


def _parse(text: str, pos: _Positions) -> Node:
    """The token loop.

    `m` is always the current token. State lives in locals: the innermost open container
    (`items`, `key_spans` -- None for an array --, `key`, `start`) and a stack of the outer ones.
    After a value is complete, `node`/`end` hold it and the loop reads what follows it.
    """
    match, new_span = _TOKEN.match, make_span
    path, starts, bases, first_line = pos.path, pos.starts, pos.bases, pos.first_line
    m = match(text, 0)
    if m is None and _skip_space(text, 0) == len(text):
        raise ParseError("empty document", *pos.at(len(text)))
    stack: list[tuple[Any, dict[str, Span] | None, str, int]] = []
    items: Any = None
    key_spans: dict[str, Span] | None = None
    key, start, at = "", 0, 0
    while True:
        # -- m must start a value; `at` is where it was looked for.
        if m is None:
            pos.fail(text, _EXPECT_VALUE, at)
        kind = m.lastindex
        end = m.end()
        if kind == _OPEN:
            if len(stack) >= MAX_DEPTH:
                raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels", *pos.at(end - 1))
            stack.append((items, key_spans, key, start))
            start, at = end - 1, end
            items, key_spans = ({}, {}) if m.group(5) == "{" else ([], None)
            m = match(text, end)
            if m is None or m.lastindex != _CLOSE:
                if key_spans is not None:
                    at, m, key = _read_key(text, m, at, pos, key_spans)
                continue
            node, end = _close(text, m, pos, items, key_spans, start)
            items, key_spans, key, start = stack.pop()
        else:
            if kind in (_STRING, _KEY):  # a value followed by ':' fails at the ':' next
                token = m.group(1)
                end = m.end(1)
                token_start = end - len(token)
                value: Any = token[1:-1]
                if "\\" in value:
                    value = _unescape(value)
            elif kind == _NUMBER:
                token_start = m.start(3)
                value = _number(m, pos)
            elif kind == _LITERAL:
                token_start = end - len(m.group(8))
                value = _LITERALS[m.group(8)]
            else:
                pos.fail(text, _EXPECT_VALUE, m.start(kind or 0))
            i = bisect_right(starts, token_start) - 1
            line, base = i + first_line, bases[i] - 1
            node = Scalar(value, new_span(path, line, token_start - base, line, end - base))
        # -- node is complete and ends at `end`: add it, then read ',' or a closing bracket.
        while True:
            if not stack:
                return _finish(text, node, end, pos)
            m = match(text, end)
            kind = m.lastindex if m is not None else 0
            if key_spans is not None:
                items[key] = node
                if kind == _COMMA:
                    at = m.end()  # type: ignore[union-attr]  # kind is set only when m matched
                    at, m, key = _read_key(text, match(text, at), at, pos, key_spans)
                    break
            else:
                items.append(node)
                if kind == _COMMA:
                    at = m.end()  # type: ignore[union-attr]  # kind is set only when m matched
                    m = match(text, at)
                    break
            if kind != _CLOSE:
                pos.fail(text, _AFTER_MEMBER if key_spans is not None else _AFTER_ELEMENT, end)
            node, end = _close(text, m, pos, items, key_spans, start)  # type: ignore[arg-type]  # kind == _CLOSE
            items, key_spans, key, start = stack.pop()


def _read_key(
    text: str, m: re.Match[str] | None, at: int, pos: _Positions, key_spans: dict[str, Span]
) -> tuple[int, re.Match[str] | None, str]:
    """Read a key token `m` (which includes its colon); record its span.

    `at` is where `m` was looked for. Returns the end of the colon, the token after it (the
    value's) and the key.
    """
    if m is None or m.lastindex != _KEY:
        if m is not None and m.lastindex == _STRING:
            pos.fail(text, _EXPECT_COLON, m.end())
        pos.fail(text, _EXPECT_KEY, at)
    token = m.group(1)
    key = token[1:-1]
    if "\\" in key:
        key = _unescape(key)
    token_end = m.end(1)
    i = bisect_right(pos.starts, token_end) - 1
    line, base = i + pos.first_line, pos.bases[i] - 1
    span = make_span(pos.path, line, token_end - len(token) - base, line, token_end - base)
    if pos.duplicates is not None and key in key_spans:
        pos.duplicates.append((key, span))
    key_spans[key] = span
    end = m.end()
    return end, _TOKEN.match(text, end), key


def _close(
    text: str, m: re.Match[str], pos: _Positions, items: Any, key_spans: dict[str, Span] | None, start: int
) -> tuple[Node, int]:
    """Build the innermost container at its closing token `m`; returns it and its end offset."""
    end = m.end()
    if m.group(6) != ("}" if key_spans is not None else "]"):
        if items:
            pos.fail(text, _AFTER_MEMBER if key_spans is not None else _AFTER_ELEMENT, end - 1)
        pos.fail(text, _EXPECT_KEY if key_spans is not None else _EXPECT_VALUE, end - 1)
    span = pos.span(start, end)
    return (Mapping(items, key_spans, span) if key_spans is not None else Sequence(items, span)), end


def _finish(text: str, node: Node, end: int, pos: _Positions) -> Node:
    """Return the top-level `node` if only whitespace follows it."""
    end = _skip_space(text, end)
    if end != len(text):
        raise ParseError("extra data after JSON value", *pos.at(end))
    return node
