"""`jeplint diff --format text`: one block per changed identity, then the new and fixed findings."""

from __future__ import annotations

from typing import TextIO

from jeplint.diff.engine import DiffResult
from jeplint.diff.view import headline, rows, span_text
from jeplint.rules.base import Finding

SPANS_SHOWN = 3  # locations per row before "+N"


def summary(result: DiffResult) -> str:
    statuses = [d.status for d in result.delta.identities]
    parts = [f"{statuses.count(s)} {s}" for s in ("added", "changed", "removed") if statuses.count(s)]
    gaining = sum(1 for d in result.delta.identities if d.gained)
    findings = result.delta
    return (
        f"jeplint diff against {result.ref} ({result.commit[:12]}): "
        + (f"identities {', '.join(parts)} ({gaining} gaining privilege)" if parts else "no identity changed")
        + f"; findings: {len(findings.of('new'))} new, {len(findings.of('absent'))} fixed, "
        + f"{len(findings.of('updated'))} updated, {len(findings.of('unchanged'))} unchanged"
    )


def write(result: DiffResult, out: TextIO) -> None:
    for delta in result.delta.identities:
        out.write(f"{headline(delta)} [{delta.state.key}]\n")
        for row in rows(delta):
            where = ", ".join(span_text(s) for s in row.spans[:SPANS_SHOWN])
            where += f" +{len(row.spans) - SPANS_SHOWN}" if len(row.spans) > SPANS_SHOWN else ""
            if where:
                where = f"  ({'was ' if row.sign == '-' else ''}{where})"
            out.write(f"  {row.sign} {row.category.replace('_', ' ')}: {row.text}{where}\n")
        out.write("\n")
    _findings(out, "new findings", result.delta.of("new"))
    _findings(out, "updated findings", result.delta.of("updated"))
    _findings(out, "fixed findings (in the base only)", result.delta.of("absent"))
    out.write(summary(result) + "\n")


def _findings(out: TextIO, title: str, findings: list[Finding]) -> None:
    if not findings:
        return
    out.write(f"{title}:\n")
    for f in sorted(findings, key=Finding.sort_key):
        out.write(f"  {span_text(f.span)}: {f.rule_id} {f.message}\n")
    out.write("\n")
