"""Configuration `exclude` globs, matched without backtracking (issue 20, item 3).

A glob compiled to a regular expression (`**/` as `(?:.*/)?`) backtracks: `**/**/**/**/**/**/zz`
against a path 100 folders deep took 22.7 s per file. Here a glob is a short list of tokens and a
path is read once, character by character, keeping the set of token positions it may be at (a
Thompson simulation): time is at most (path length x glob length), whatever the glob.

Syntax, as before: `*` any run of characters but `/`; `?` one character but `/`; `**/` any number
of whole folders (none too); `**` anything; other characters literally. A glob with a `/` (other
than a trailing one) is anchored at the configuration's folder, one without matches at any depth;
a glob that matches a folder also matches everything below it.
"""

from __future__ import annotations

_LIT, _STAR, _ONE, _ANY, _DIRS = range(5)


class Glob:
    """One compiled `exclude` glob; `match(path)` for a POSIX path relative to the configuration."""

    __slots__ = ("tokens",)

    def __init__(self, pattern: str) -> None:
        pattern = pattern.strip().replace("\\", "/")
        while pattern.startswith("./"):
            pattern = pattern[2:]
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern
        pattern = pattern.lstrip("/")
        tokens: list[tuple[int, str]] = [] if anchored else [(_DIRS, "")]
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                token, i = (_DIRS, ""), i + 3
            elif pattern.startswith("**", i):
                token, i = (_ANY, ""), i + 2
            elif pattern[i] in "*?":
                token, i = ((_STAR if pattern[i] == "*" else _ONE), ""), i + 1
            else:
                token, i = (_LIT, pattern[i]), i + 1
            if token[0] != _LIT and tokens and tokens[-1] == token and token[0] in (_STAR, _ANY, _DIRS):
                continue  # `**/**/` is `**/`, `****` is `**`: the same language, fewer states
            tokens.append(token)
        self.tokens = tokens

    def _closure(self, states: set[int]) -> set[int]:
        """Add the positions reachable without reading: past `*`, `**` and `**/` (which may be empty)."""
        stack = list(states)
        while stack:
            state = stack.pop()
            position, inside = divmod(state, 2)
            if not inside and position < len(self.tokens) and self.tokens[position][0] in (_STAR, _ANY, _DIRS):
                following = 2 * (position + 1)
                if following not in states:
                    states.add(following)
                    stack.append(following)
        return states

    def match(self, path: str) -> bool:
        end = 2 * len(self.tokens)
        below = -1  # a state past the end: the glob matched a folder, anything may follow
        states = self._closure({0})
        for char in path:
            after: set[int] = set()
            for state in states:
                if state == below:
                    after.add(below)
                    continue
                position, inside = divmod(state, 2)
                if position == len(self.tokens):
                    if char == "/":
                        after.add(below)
                    continue
                kind, literal = self.tokens[position]
                if kind == _LIT and char == literal or kind == _ONE and char != "/":
                    after.add(2 * (position + 1))
                elif kind == _STAR and char != "/" or kind == _ANY:
                    after.add(state)
                elif kind == _DIRS:  # entered a folder name: inside until its `/`
                    after.add(2 * position + 1)
                    if char == "/":
                        after.add(2 * (position + 1))
            if not after:
                return False
            states = self._closure(after)
        return end in states or below in states
