"""The one place where spans become text: read a file's text, cut a token, apply edits, check the
result still parses, print a unified diff, write a file atomically.

Lines and columns are 1-based and count characters; an end column is exclusive. Files are read and
written with their own line endings (`newline=""`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from jeplint.edits import Edit
from jeplint.parse.nodes import Span

if TYPE_CHECKING:
    from jeplint.parse import ParsedFile


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def offset(text: str, line: int, col: int) -> int:
    """The index in `text` of (line, col); past the end of a line or of the text, its end."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return min(start + col - 1, end)


def cut(text: str, span: Span | Edit) -> str:
    """The text a span covers."""
    return text[offset(text, span.line, span.col) : offset(text, span.end_line, span.end_col)]


def line_before(text: str, line: int, col: int) -> str:
    """What is written on `line` before `col`."""
    at = offset(text, line, col)
    return text[text.rfind("\n", 0, at) + 1 : at]


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def disjoint(edits: Iterable[Edit]) -> tuple[list[Edit], list[Edit]]:
    """(edits that can be applied together, in file order; those overlapping an earlier one)."""
    kept: list[Edit] = []
    dropped: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start(), e.end())):
        if kept and kept[-1].end() > edit.start() or kept and kept[-1].start() == edit.start() == edit.end():
            dropped.append(edit)
        else:
            kept.append(edit)
    return kept, dropped


def apply(text: str, edits: Iterable[Edit]) -> str:
    """`text` with `edits` (of this one file, not overlapping) applied."""
    for edit in sorted(edits, key=lambda e: (e.start(), e.end()), reverse=True):
        start, end = offset(text, edit.line, edit.col), offset(text, edit.end_line, edit.end_col)
        text = text[:start] + edit.new_text + text[end:]
    return text


def parses(path: str, text: str) -> bool:
    """Whether `text`, as the content of `path`, parses without error: a fix must keep a file valid."""
    result = parsed_text(path, text)
    return result.error is None and (result.kind is not None or not result.documents)


@lru_cache(maxsize=16)
def parsed_text(path: str, text: str) -> ParsedFile:
    """`text` parsed as the content of `path`. Kept for the few edited texts a fix is checked with:
    whether it parses (`parses`), then what the folder reports with it (`jeplint.fix.verify`). Read
    only: nothing changes a parsed file."""
    from jeplint.parse import parse_text

    return parse_text(text, path, path)


def diff(path: str, old: str, new: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path.lstrip('/')}", f"b/{path.lstrip('/')}"
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomic(path: str, text: str) -> None:
    """Replace `path` by `text`: a temporary file in the same folder, renamed over it (keeping its
    mode). A symbolic link is kept: the file it points to is replaced."""
    import tempfile

    path = os.path.realpath(path)
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=".jeplint-fix-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of an index in `text`."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def find_literal(text: str, span: Span, value: str, quotes: str = "\"'") -> Span | None:
    """The span of the one quoted literal `value` inside `span` (quotes included); None when it is
    not written there exactly once."""
    start, end = offset(text, span.line, span.col), offset(text, span.end_line, span.end_col)
    found = [(at, at + len(value) + 2) for quote in quotes for at in _all(text, f"{quote}{value}{quote}", start, end)]
    if len(found) != 1:
        return None
    (line, col), (end_line, end_col) = position(text, found[0][0]), position(text, found[0][1])
    return Span(span.path, line, col, end_line, end_col)


def _all(text: str, needle: str, start: int, end: int) -> list[int]:
    out = []
    at = text.find(needle, start, end)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1, end)
    return out
