"""Step 5 of the pipeline: a ScanResult -> text, JSON or SARIF. Plain data, no third-party models."""

from __future__ import annotations

import urllib.parse

from jeplint.span import Span


def uri(path: str) -> str:
    """A repository-relative path as a URI reference (POSIX separators, percent-encoded)."""
    if path.startswith("/"):
        return "file://" + urllib.parse.quote(path)
    return urllib.parse.quote(path)


def region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.col, "endLine": span.end_line, "endColumn": span.end_col}
