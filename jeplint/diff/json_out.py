"""`jeplint diff --format json` (`"schema": "jeplint-diff/1"`; fields are only ever added).

`base`, `base_commit`; `summary` (identities per status, findings per state); `identities[]`, biggest
risk first: `identity` (key), `name`, `kind`, `platform`, `status` (added, changed, removed),
`renamed_from`, `gains` (permissions management, write, read, none), `location`, `added_actions`
and `removed_actions` (sorted names), `added_by_service` and `removed_by_service` (counts per access
level), `action_locations` (where the added actions are granted), and for `resources`, `bindings`,
`trust`, `acts_as`, `workloads`, `credentials` and `escalations` an object `{"added": [...],
"removed": [...]}` of `{"value", "location"}` (a removed value's location is the base's);
`findings`: `new`, `updated`, `fixed` (findings as in `jeplint scan --format json`) and the count
of `unchanged`; `problems`: inputs of either side that could not be analysed.
"""

from __future__ import annotations

import json
from typing import Any

from jeplint.diff import levels
from jeplint.diff.delta import IdentityDelta
from jeplint.diff.engine import DiffResult
from jeplint.report.json_report import finding, location
from jeplint.rules.base import catalogue
from jeplint.run import Problem
from jeplint.span import Span

OTHER = ("resources", "bindings", "trust", "acts_as", "workloads", "credentials", "escalations")


def _loc(span: Span | None) -> dict[str, Any] | None:
    return location(span) if span is not None else None


def identity(delta: IdentityDelta) -> dict[str, Any]:
    state, actions = delta.state, delta.changes["actions"]
    spans = sorted({s for s in actions.added.values() if s is not None}, key=lambda s: (s.path, s.line, s.col))
    out: dict[str, Any] = {
        "identity": state.key,
        "name": state.name,
        "kind": state.kind,
        "platform": state.platform,
        "status": delta.status,
        "renamed_from": delta.renamed_from or None,
        "gains": levels.NAMES[delta.gained],
        "location": _loc(state.span),
        "added_actions": sorted(actions.added),
        "removed_actions": sorted(actions.removed),
        "added_by_service": levels.group(list(actions.added)),
        "removed_by_service": levels.group(list(actions.removed)),
        "action_locations": [location(s) for s in spans],
    }
    for category in OTHER:
        change = delta.changes[category]
        out[category] = {
            side: [{"value": v, "location": _loc(s)} for v, s in sorted(facts.items())]
            for side, facts in (("added", change.added), ("removed", change.removed))
        }
    return out


def _problem(side: str, p: Problem) -> dict[str, Any]:
    return {"side": side, "path": p.path, "line": p.line, "column": p.col, "reason": p.reason}


def report(result: DiffResult) -> dict[str, Any]:
    metas = catalogue()
    delta = result.delta
    statuses = [d.status for d in delta.identities]
    problems = [_problem("working tree", p) for p in result.head.problems if p.level == "error"]
    problems += [_problem("base", p) for p in result.base.problems]
    return {
        "schema": "jeplint-diff/1",
        "base": result.ref,
        "base_commit": result.commit,
        "summary": {
            "identities": {s: statuses.count(s) for s in ("added", "changed", "removed")},
            "gaining_privilege": sum(1 for d in delta.identities if d.gained),
            "findings": {
                s: len(delta.of(k))
                for s, k in (("new", "new"), ("updated", "updated"), ("fixed", "absent"), ("unchanged", "unchanged"))
            },
        },
        "identities": [identity(d) for d in delta.identities],
        "findings": {
            "new": [finding(f, metas) for f in delta.of("new")],
            "updated": [finding(f, metas) for f in delta.of("updated")],
            "fixed": [finding(f, metas) for f in delta.of("absent")],
            "unchanged": len(delta.of("unchanged")),
        },
        "problems": problems,
    }


def dumps(result: DiffResult) -> str:
    return json.dumps(report(result), indent=2, ensure_ascii=False) + "\n"
