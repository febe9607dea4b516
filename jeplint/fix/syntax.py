"""Writing values in a file's own syntax (HCL, JSON, YAML): a literal in place of a literal, and
several list items in place of one, keeping the layout around them (inline or one per line).

Every function checks that the text at the span is exactly the literal expected (quoted or, in
YAML, plain) and returns None otherwise: a fix never rewrites something it did not read.
"""

from __future__ import annotations

import re

from jeplint.edits import Edit
from jeplint.fix import text as textedit
from jeplint.parse import file_format
from jeplint.parse.nodes import Span

_BLOCK_ITEM = re.compile(r"^\s*-\s+$")


def is_yaml(path: str) -> bool:
    return file_format(path) in ("yaml", "template") and not path.lower().endswith(".json")


def quote_of(text: str, span: Span, value: str) -> str | None:
    """The quote character around the literal `value` at `span` ('' for a plain YAML scalar), or
    None when something else is written there."""
    token = textedit.cut(text, span)
    for quote in ('"', "'"):
        if token == f"{quote}{value}{quote}" and (quote == '"' or is_yaml(span.path)):
            return quote
    if token == value and (value.isdigit() or is_yaml(span.path) and re.fullmatch(r"[A-Za-z0-9][\w:./*-]*", value)):
        return ""
    return None


def literal(value: str, quote: str) -> str:
    if quote == "" and not re.fullmatch(r"[A-Za-z0-9][\w:./-]*", value):
        quote = '"'
    return f"{quote}{value}{quote}"


def replace_literal(text: str, span: Span, old: str, new: str) -> Edit | None:
    quote = quote_of(text, span, old)
    if quote is None:
        return None
    return Edit(span.path, span.line, span.col, span.end_line, span.end_col, literal(new, quote))


def _in_list(text: str, span: Span) -> bool:
    before = text[: textedit.offset(text, span.line, span.col)].rstrip()
    return before.endswith(("[", ",")) or bool(
        is_yaml(span.path) and _BLOCK_ITEM.match(textedit.line_before(text, span.line, span.col))
    )


def replace_item(text: str, span: Span, old: str, new: list[str]) -> Edit | None:
    """Replace the literal `old` at `span` by the items `new`: spliced into the list it belongs to,
    or written as a list where it stood alone."""
    quote = quote_of(text, span, old)
    if quote is None or not new:
        return None
    items = [literal(v, quote) for v in new]
    prefix = textedit.line_before(text, span.line, span.col)
    newline = textedit.newline_of(text)
    if not _in_list(text, span):
        written = "[" + ", ".join(items) + "]"
    elif is_yaml(span.path) and _BLOCK_ITEM.match(prefix):
        written = (newline + prefix).join(items)
    elif not prefix.strip():
        written = ("," + newline + prefix).join(items)
    else:
        written = ", ".join(items)
    return Edit(span.path, span.line, span.col, span.end_line, span.end_col, written)
