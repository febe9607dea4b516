"""Text output: `path:line:col: JEP101 message`, one line per finding, then a one-line summary.

Colour only when writing to a terminal and `NO_COLOR` is not set (https://no-color.org).
Suppressed findings are counted in the summary; with `show_suppressed` they are listed too, in
place, each marked `[suppressed: justification]`.
A finding with a fix ends with `[fix available]` (`--fix` applies it, `--diff` shows it).
Problems (inputs that could not be analysed) go to stderr in the same `path:line:col:` shape.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from jeplint.neutral import neutral
from jeplint.rules.base import Finding
from jeplint.run import Problem, ScanResult

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET, _BOLD = "\033[0m", "\033[1m"


def _place(path: str, line: int | None, col: int | None) -> str:
    return neutral(f"{path}:{line or 1}:{col or 1}")


def write(result: ScanResult, out: TextIO, err: TextIO, colour: bool, show_suppressed: bool = False) -> None:
    shown = [(f, "") for f in result.findings]
    if show_suppressed:
        shown += [(s.finding, f" [suppressed: {s.suppression.justification}]") for s in result.suppressed]
        shown.sort(key=lambda item: item[0].sort_key())
    for f, mark in shown:
        rule = f"{_COLOURS[f.level]}{f.rule_id}{_RESET}" if colour else f.rule_id
        place = _place(f.span.path, f.span.line, f.span.col)
        where = f"{_BOLD}{place}{_RESET}" if colour else place
        out.write(f"{where}: {rule} {neutral(f.message + mark, line_start=False)}{_fix_mark(f)}\n")
    for p in result.problems:
        err.write(problem_line(p) + "\n")
    out.write(summary(result) + "\n")


def problem_line(p: Problem) -> str:
    """`path:line:col: level: reason` for stderr, neutralised (`jeplint.neutral`)."""
    return f"{_place(p.path, p.line, p.col)}: {p.level}: {neutral(p.reason, line_start=False)}"


def _fix_mark(finding: Finding) -> str:
    """` [fix available]` when `--fix` would change it (suggestions in words are in JSON, SARIF and the editor)."""
    return " [fix available]" if finding.fix is not None else ""


def summary(result: ScanResult) -> str:
    levels = Counter(f.level for f in result.findings)
    failed = sum(1 for p in result.problems if p.not_analysed)
    wrong = sum(1 for p in result.problems if p.level == "error" and p.analysed)
    files = f"{result.analysed:,} file{'s' if result.analysed != 1 else ''}"
    if result.findings:
        parts = ", ".join(
            f"{levels[lv]} {lv}{'s' if levels[lv] != 1 else ''}" for lv in ("error", "warning", "note") if levels[lv]
        )
        text = f"Found {len(result.findings):,} finding{'s' if len(result.findings) != 1 else ''} ({parts}) in {files}"
    elif result.analysed == 0 and not failed:
        text = _nothing_analysed(result)
    else:
        text = f"No findings in {files}"
    if result.not_iac and (result.findings or result.analysed):
        text += f" ({result.not_iac:,} other file{'s' if result.not_iac != 1 else ''} read, not IaC)"
    text += f"; {len(result.suppressed):,} suppressed." if result.suppressed else "."
    if failed:
        text += f" {failed:,} input{'s' if failed != 1 else ''} could not be analysed (see stderr)."
    if wrong:
        text += f" {wrong:,} error{'s' if wrong != 1 else ''} in suppressions (see stderr)."
    return text


def _nothing_analysed(result: ScanResult) -> str:
    """Not "No findings": a scan that found no IaC has checked nothing, and says so."""
    read = len(result.files)
    if not read:
        return "No IaC files found: nothing was analysed"
    return (
        f"No IaC files found: nothing was analysed ({read:,} file{'s' if read != 1 else ''} read, none of them Terraform,"
        " CloudFormation, Kubernetes or an IAM policy)"
    )
