"""Where something is written: the one location type every stage shares.

Parsers create spans, the graph carries them on every fact, rules point findings at them and
reports print them. It lives here, below all of them, so that rules and reports never reach into
the parsers for it. Lines and columns are 1-based; `end_col` is exclusive (the SARIF convention).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[type[Span], tuple[str, int, int, int, int]]:
        # Pickled as its constructor's arguments: what a frozen dataclass with slots does by default
        # (`__setstate__` looking its fields up) costs twice as much to load, for every span of a
        # tree a parse worker sends back (`jeplint.run._parse_in_worker`).
        return (Span, (self.path, self.line, self.col, self.end_line, self.end_col))
