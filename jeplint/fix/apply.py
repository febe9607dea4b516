"""Applying fixes: every finding's edits, grouped by file, written atomically (`--fix`) or shown
as a unified diff (`--diff`). Edits that overlap one applied before them are left out and counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from jeplint.edits import Edit
from jeplint.fix import text as textedit
from jeplint.rules.base import Finding


@dataclass
class Outcome:
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old text, new text)
    fixed: int = 0  # findings whose fix is in `changed`
    skipped: list[str] = field(default_factory=list)  # why a fix was not applied


def plan(findings: list[Finding], texts: dict[str, str] | None = None) -> Outcome:
    """The new text of every file the findings' fixes change (nothing is written)."""
    outcome = Outcome()
    by_file: dict[str, list[tuple[Finding, Edit]]] = {}
    for finding in findings:
        if finding.fix is not None:
            for edit in finding.fix.edits:
                by_file.setdefault(edit.path, []).append((finding, edit))
    for path, pairs in sorted(by_file.items()):
        old = (texts or {}).get(path) or textedit.read(path)
        if old is None:
            outcome.skipped.append(f"{path}: cannot read the file")
            continue
        kept, dropped = textedit.disjoint(edit for _, edit in pairs)
        owners = {id(e): f for f, e in pairs}
        lost = {id(owners[id(e)]) for e in dropped}
        for edit in dropped:
            outcome.skipped.append(f"{path}:{edit.line}:{edit.col}: overlaps another fix; run again")
        applied = [e for e in kept if id(owners[id(e)]) not in lost]
        if applied:
            outcome.changed[path] = (old, textedit.apply(old, applied))
            outcome.fixed += len({id(owners[id(e)]) for e in applied})
    return outcome


def diff(outcome: Outcome) -> str:
    return "".join(textedit.diff(path, old, new) for path, (old, new) in sorted(outcome.changed.items()))


def write(outcome: Outcome) -> None:
    for path, (_, new) in sorted(outcome.changed.items()):
        textedit.write_atomic(path, new)


def carry_out(outcome: Outcome, show: bool, out: TextIO, err: TextIO) -> bool:
    """`--diff` (`show`): the unified diff on `out`. `--fix`: the files written, and how many
    findings were fixed on `err`. Either way the fixes not applied are said on `err`. False when a
    file could not be written (said on `err`)."""
    for reason in outcome.skipped:
        err.write(f"jeplint: fix not applied: {reason}\n")
    if show:
        out.write(diff(outcome))
        return True
    try:
        write(outcome)
    except OSError as exc:
        err.write(f"jeplint: error: cannot write a fix: {exc}\n")
        return False
    files = len(outcome.changed)
    err.write(
        f"jeplint: fixed {outcome.fixed} finding{'s' if outcome.fixed != 1 else ''} in {files} file{'s' if files != 1 else ''}\n"
    )
    return True
