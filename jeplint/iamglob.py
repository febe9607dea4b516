"""Wildcard matching with IAM's semantics, in one place.

IAM policy elements (actions, resources, principals, condition values with `StringLike`) know two
wildcards: `*` (any run of characters, the empty one included) and `?` (exactly one character).
There are no character classes: `[abc]` is three literal characters, unlike `fnmatch`. Action names
are case-insensitive (`s3:getobject` = `s3:GetObject`); ARNs and most condition values are not.
Kubernetes RBAC, GCP permissions and Azure operations use the same two wildcards where they allow
any, so every matcher in jeplint goes through here.

The matcher is linear in practice and never backtracks exponentially: the pattern is split at
`*`; the first piece must start the text, the last must end it, and each piece between is found
at its leftmost place (which is always safe for `*`-only gaps). Compiled matchers are memoized:
the same patterns recur across statements and identities.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[str], bool]


def matches(text: str, pattern: str, fold: bool = False) -> bool:
    """`text` matches the IAM wildcard `pattern`; `fold`: compare case-insensitively."""
    return _compile(pattern, fold)(text)


def action_matches(action: str, pattern: str) -> bool:
    """An action name against an action pattern (`s3:Get*`), case-insensitively, as IAM does."""
    return _compile(pattern, True)(action)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=65536)
def _compile(pattern: str, fold: bool) -> Matcher:
    if fold:
        folded = _compile(pattern.lower(), False)
        return lambda text: folded(text.lower())
    if not has_wildcard(pattern):
        return pattern.__eq__
    if pattern == "*":
        return lambda text: True
    pieces = pattern.split("*")
    if len(pieces) == 2 and "?" not in pattern:  # "prefix*" or "*suffix" or "a*b": the common shapes
        head, tail = pieces
        return lambda text: len(text) >= len(head) + len(tail) and text.startswith(head) and text.endswith(tail)
    parts = [_piece(p) for p in pieces]
    if len(parts) == 1:  # `?` but no `*`: the whole text, character for character
        only = parts[0]
        return lambda text: len(text) == only[0] and _at(text, only, 0)
    return lambda text: _match(text, parts)


def _piece(piece: str) -> tuple[int, re.Pattern[str] | None, str]:
    """(length, regex for a piece with `?`, or None and the literal piece)."""
    if "?" not in piece:
        return len(piece), None, piece
    return len(piece), re.compile("".join("." if c == "?" else re.escape(c) for c in piece), re.DOTALL), piece


def _match(text: str, parts: list[tuple[int, re.Pattern[str] | None, str]]) -> bool:
    first, last, middle = parts[0], parts[-1], parts[1:-1]
    if len(text) < sum(p[0] for p in parts):
        return False
    if not _at(text, first, 0):
        return False
    start, end = first[0], len(text) - last[0]
    for part in middle:
        found = _find(text, part, start, end)
        if found < 0:
            return False
        start = found + part[0]
    return start <= end and _at(text, last, end)


def _at(text: str, part: tuple[int, re.Pattern[str] | None, str], offset: int) -> bool:
    size, regex, literal = part
    if regex is None:
        return text.startswith(literal, offset)
    return regex.match(text, offset, offset + size) is not None


def _find(text: str, part: tuple[int, re.Pattern[str] | None, str], start: int, end: int) -> int:
    """Leftmost offset >= start where `part` matches wholly before `end`, or -1."""
    size, regex, literal = part
    if regex is None:
        return text.find(literal, start, end)
    for offset in range(start, end - size + 1):
        if regex.match(text, offset, offset + size) is not None:
            return offset
    return -1
