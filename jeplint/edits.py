"""What a fix is: a description and text replacements at exact spans (1-based lines and columns,
end column exclusive, as every `Span`). An insertion is an edit whose start equals its end."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    new_text: str

    def start(self) -> tuple[int, int]:
        return (self.line, self.col)

    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_col)


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
