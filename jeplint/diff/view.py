"""What the renderers show of an identity's change: rows of (sign, category, text, locations).

Actions are grouped by service with counts per access level and a few names; every other fact is
one row. Added facts point at the working tree's lines; removed ones at the base's (prefixed
`was` by the renderers).
"""

from __future__ import annotations

from dataclasses import dataclass

from jeplint.diff import levels
from jeplint.diff.delta import Change, IdentityDelta
from jeplint.span import Span

NAMES_SHOWN = 4  # action names listed per service before "and N more"
CATEGORY_WORDS = {
    "actions": "actions",
    "resources": "resource",
    "bindings": "binding",
    "trust": "trusted by",
    "acts_as": "acts as",
    "workloads": "workload",
    "credentials": "credential",
    "escalations": "escalation",
}
HEADLINE = {"added": "new identity", "changed": "changed", "removed": "removed"}


@dataclass(slots=True)
class Row:
    sign: str  # "+" gained, "-" lost
    category: str
    text: str
    spans: list[Span]


def rows(delta: IdentityDelta) -> list[Row]:
    out: list[Row] = []
    for category, change in delta.changes.items():
        for sign, facts in (("+", change.added), ("-", change.removed)):
            if not facts:
                continue
            if category == "actions":
                out += _action_rows(sign, facts)
            else:
                out += [Row(sign, category, text, [s] if s else []) for text, s in sorted(facts.items())]
    order = {c: i for i, c in enumerate(CATEGORY_WORDS)}
    return sorted(out, key=lambda r: (r.sign != "+", order[r.category]))


def _action_rows(sign: str, facts: dict[str, Span | None]) -> list[Row]:
    by_service: dict[str, list[str]] = {}
    for action in facts:
        by_service.setdefault(levels.service_of(action), []).append(action)
    out = []
    for service, counts in levels.group(list(facts)).items():
        names = sorted(by_service[service], key=lambda a: (-levels.level(a), a))
        shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
        detail = ", ".join(f"{level} {n}" for level, n in counts.items() if level != "actions")
        text = f"{service}: {counts['actions']} ({detail}): {shown}"
        spans = sorted({s for a in names if (s := facts[a]) is not None}, key=lambda s: (s.path, s.line, s.col))
        out.append(Row(sign, "actions", text, spans))
    return out


def headline(delta: IdentityDelta) -> str:
    text = f"{delta.state.label}: {HEADLINE[delta.status]}"
    if delta.renamed_from:
        text += f" (was {delta.renamed_from})"
    if delta.gained:
        text += f", gains {levels.NAMES[delta.gained]}"
    return text


def counts(change: Change) -> tuple[int, int]:
    return len(change.added), len(change.removed)


def span_text(span: Span) -> str:
    return f"{span.path}:{span.line}:{span.col}"
