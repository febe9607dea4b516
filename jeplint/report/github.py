"""GitHub Actions output: one workflow-command annotation per finding and per input problem.

    ::error file=iam.tf,line=24,col=18,endLine=24,endColumn=21,title=JEP101 full-wildcard-action::role ci ...

Text from the scanned files is neutralised first (`jeplint.neutral`: control characters, C1, bidi
overrides). Levels map to `error`, `warning` and `notice`. Escaping follows GitHub's toolkit
(`@actions/core` `command.ts`): in the message `%` -> `%25`, CR -> `%0D`, LF -> `%0A`; in property
values also `:` -> `%3A` and `,` -> `%2C`. `col`/`endColumn` are only sent when the finding starts
and ends on the same line (GitHub ignores them otherwise). A plain summary line follows: GitHub
shows only the first few annotations of a step, the log keeps every line.
"""

from __future__ import annotations

from typing import TextIO

from jeplint.neutral import neutral
from jeplint.report.text import summary
from jeplint.rules.base import Finding, catalogue
from jeplint.run import Problem, ScanResult

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, properties: dict[str, object], message: str) -> str:
    """`::level key=value,...::message` with every part escaped."""
    props = ",".join(f"{key}={escape_property(neutral(str(value), False, True))}" for key, value in properties.items())
    return f"::{COMMANDS[level]} {props}::{escape_data(neutral(message, False, True))}"


def finding_annotation(f: Finding) -> str:
    span = f.span
    properties: dict[str, object] = {"file": span.path, "line": span.line}
    if span.end_line == span.line:
        properties.update(col=span.col, endLine=span.end_line, endColumn=span.end_col)
    else:
        properties["endLine"] = span.end_line
    properties["title"] = f"{f.rule_id} {catalogue()[f.rule_id].name}"
    return command(f.level, properties, f.message + (f" [fix available: {f.fix.description}]" if f.fix is not None else ""))


def problem_annotation(p: Problem) -> str:
    properties: dict[str, object] = {"file": p.path, "line": p.line or 1}
    if p.col:
        properties["col"] = p.col
    properties["title"] = "jeplint: input not analysed" if p.not_analysed else "jeplint"
    return command(p.level, properties, p.reason)


def write(result: ScanResult, out: TextIO) -> None:
    out.writelines(finding_annotation(f) + "\n" for f in result.findings)
    out.writelines(problem_annotation(p) + "\n" for p in result.problems)
    out.write(summary(result) + "\n")
