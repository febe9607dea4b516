"""JSON output: a stable, documented shape for scripts (`"schema": "jeplint-report/1"`).

Top level: `schema`, `tool`, `summary`, `findings`, `identities`, `problems`, `not_iac` (files read that hold no IaC), and `suppressed`
when suppressed findings are asked for (`--show-suppressed`): each a finding plus its `suppression`
(`kind` inSource or external, `justification`, `until`, `location`). `summary.suppressed` always
counts them. Each finding has `fix` (description and edits, or null) and `suggestion` (words, or null).
Field names never change within a schema version; new fields may be added.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from jeplint import __version__
from jeplint.rules.base import Finding, RuleMeta, catalogue
from jeplint.run import ScanResult
from jeplint.span import Span
from jeplint.suppress import Suppressed


def location(span: Span) -> dict[str, Any]:
    return {"path": span.path, "line": span.line, "column": span.col, "end_line": span.end_line, "end_column": span.end_col}


def finding(f: Finding, metas: dict[str, RuleMeta]) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "rule_name": metas[f.rule_id].name,
        "level": f.level,
        "message": f.message,
        "location": location(f.span),
        "related": [{"message": r.message, "location": location(r.span)} for r in f.related],
        "fingerprint": f.fingerprint,
        "fix": fix(f),
        "suggestion": f.suggestion or None,
    }


def fix(f: Finding) -> dict[str, Any] | None:
    """A finding's fix: its description and edits (location + the text that replaces it)."""
    if f.fix is None:
        return None
    edits = [
        {
            "location": {"path": e.path, "line": e.line, "column": e.col, "end_line": e.end_line, "end_column": e.end_col},
            "text": e.new_text,
        }
        for e in f.fix.edits
    ]
    return {"description": f.fix.description, "edits": edits}


def suppressed(s: Suppressed, metas: dict[str, RuleMeta]) -> dict[str, Any]:
    how = s.suppression
    return {
        **finding(s.finding, metas),
        "suppression": {
            "kind": how.kind,
            "justification": how.justification,
            "until": how.until.isoformat() if how.until else None,
            "location": location(how.span) if how.span else None,
        },
    }


def report(result: ScanResult, show_suppressed: bool = False) -> dict[str, Any]:
    metas = catalogue()
    per_identity: Counter[str] = Counter()
    for f in result.findings:
        for key in f.identities:
            per_identity[key] += 1
    identities = []
    for identity in sorted(result.graph.identities, key=lambda i: (i.platform, i.kind, i.name, i.key)):
        bindings = result.graph.bindings_of(identity)
        identities.append(
            {
                "identity": identity.key,
                "platform": identity.platform,
                "kind": identity.kind,
                "name": identity.name,
                "declared": identity.span is not None,
                "location": location(identity.span) if identity.span else None,
                "policies": sorted({b.policy.label for b in bindings}),
                "grants": sum(len(b.policy.grants) for b in bindings),
                "workloads": sorted(f"{w.kind} {w.name}" for w in result.graph.workloads_of(identity)),
                "findings": per_identity[identity.key],
            }
        )
    return {
        "schema": "jeplint-report/1",
        "tool": {"name": "jeplint", "version": __version__},
        "summary": {
            "files_analysed": result.analysed,
            "files_failed": sum(1 for p in result.problems if p.not_analysed),
            "files_not_iac": result.not_iac,
            "findings": len(result.findings),
            "by_level": dict(sorted(Counter(f.level for f in result.findings).items())),
            "by_rule": dict(sorted(Counter(f.rule_id for f in result.findings).items())),
            "fixable": sum(1 for f in result.findings if f.fix is not None),
            "suppressed": len(result.suppressed),
            "unresolved": dict(sorted(Counter(category for _s, category, _m in result.graph.unresolved).items())),
        },
        "findings": [finding(f, metas) for f in result.findings],
        "identities": identities,
        "problems": [
            {"path": p.path, "line": p.line, "column": p.col, "level": p.level, "reason": p.reason} for p in result.problems
        ],
        "not_iac": result.not_iac_paths,
        **({"suppressed": [suppressed(s, metas) for s in result.suppressed]} if show_suppressed else {}),
    }


def dumps(result: ScanResult, show_suppressed: bool = False) -> str:
    return json.dumps(report(result, show_suppressed), indent=2, ensure_ascii=False) + "\n"


def write(result: ScanResult, out: TextIO, show_suppressed: bool = False) -> None:
    """`dumps` written to `out` piece by piece: the whole text and its pieces are never held at once
    (~10 MB at the peak of a large scan)."""
    json.dump(report(result, show_suppressed), out, indent=2, ensure_ascii=False)
    out.write("\n")
