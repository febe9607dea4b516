"""Compare two snapshots: what each identity gains and loses, and which findings are new or fixed.

Identities are matched by key. An identity that disappears under one key while one of the same
platform, kind and name appears under a key that differs only in its file or folder
(`State.local`: a renamed template, a module folder moved) is the same identity, renamed.

Findings are matched by fingerprint (`unchanged`, or `updated` when the message changed), then by
rule and message (a finding whose file was renamed is `unchanged`); the rest of the working tree's
are `new` and the rest of the base's `absent` (fixed).
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass, field

from jeplint.diff import levels
from jeplint.diff.snapshot import CATEGORIES, Facts, Snapshot, State, locate
from jeplint.rules.base import Finding
from jeplint.span import Span

LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2}


@dataclass(slots=True)
class Change:
    added: dict[str, Span | None] = field(default_factory=dict)
    removed: dict[str, Span | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(slots=True)
class IdentityDelta:
    state: State  # the working tree's state (the base's for a removed identity)
    status: str  # added | changed | removed
    changes: dict[str, Change]
    renamed_from: str = ""  # the base key, when the identity's file or folder was renamed
    gained: int = levels.NOTHING  # the most privilege gained (`jeplint.diff.levels`)

    def sort_key(self) -> tuple[int, int, int, str, str]:
        """Biggest risk first: privilege gained, escalations gained, actions gained."""
        escalations = len(self.changes["escalations"].added)
        return (-self.gained, -escalations, -len(self.changes["actions"].added), self.state.label, self.state.key)


@dataclass(slots=True)
class FindingDelta:
    finding: Finding
    state: str  # new | unchanged | updated | absent (SARIF baselineState)
    before: Finding | None = None  # the base's finding for unchanged and updated


@dataclass(slots=True)
class Delta:
    identities: list[IdentityDelta]
    findings: list[FindingDelta]

    def of(self, state: str) -> list[Finding]:
        return [d.finding for d in self.findings if d.state == state]


def compare(base: Snapshot, head: Snapshot) -> Delta:
    return Delta(_identities(base.states, head.states), _findings(base.findings, head.findings))


def _identities(base: dict[str, State], head: dict[str, State]) -> list[IdentityDelta]:
    renames = _renames([base[k] for k in base.keys() - head.keys()], [head[k] for k in head.keys() - base.keys()])
    out = []
    for key, after in head.items():
        before = base.get(key) or base.get(renames.get(key, ""))
        if before is None:
            out.append(_delta(after, "added", {c: _change({}, after.facts[c]) for c in CATEGORIES}))
            continue
        changes = {c: _change(before.facts[c], after.facts[c]) for c in CATEGORIES}
        if any(changes.values()):
            out.append(_delta(after, "changed", changes, before, renamed_from=renames.get(key, "")))
    paired = set(renames.values())
    for key, before in base.items():
        if key not in head and key not in paired:
            out.append(_delta(before, "removed", {c: _change(before.facts[c], {}) for c in CATEGORIES}))
    return sorted(out, key=IdentityDelta.sort_key)


def _renames(gone: list[State], new: list[State]) -> dict[str, str]:
    """head key -> base key, for identities whose only difference is the file or folder in their key."""

    def pairing(state: State) -> tuple[str, str, str, str]:
        return (state.platform, state.kind, state.name, state.local)

    counts = Counter(pairing(s) for s in gone) + Counter(pairing(s) for s in new)
    old = {pairing(s): s.key for s in gone if counts[pairing(s)] == 2}
    return {s.key: old[pairing(s)] for s in new if pairing(s) in old}


def _change(before: Facts, after: Facts) -> Change:
    if before.keys() == after.keys():
        return Change()
    return Change(
        {k: locate(k, v) for k, v in after.items() if k not in before},
        {k: locate(k, v) for k, v in before.items() if k not in after},
    )


def _delta(
    state: State, status: str, changes: dict[str, Change], before: State | None = None, renamed_from: str = ""
) -> IdentityDelta:
    delta = IdentityDelta(state, status, changes, renamed_from)
    if status != "removed":
        delta.gained = gained(state, changes, before)
    return delta


def gained(state: State, changes: dict[str, Change], before: State | None = None) -> int:
    """The most privilege the identity gains: added actions, resources newly in scope (weighted by
    what the grants naming them allow; a resource the base already covered, as `*` covers a named
    ARN, is not new scope), escalation paths gained."""
    found = levels.NOTHING
    if changes["escalations"].added:
        found = levels.PERMISSIONS
    for action in changes["actions"].added:
        found = max(found, levels.level(action))
        if found == levels.PERMISSIONS:
            return found
    covered = [r for r in before.facts["resources"] if not r.startswith(("NotResource ", "<"))] if before else []
    for resource in changes["resources"].added:
        if not any(fnmatch.fnmatchcase(resource, pattern) for pattern in covered):
            found = max(found, state.resource_level(resource))
    return found


def _findings(base: list[Finding], head: list[Finding]) -> list[FindingDelta]:
    by_print: dict[str, list[Finding]] = {}
    for finding in base:
        by_print.setdefault(finding.fingerprint, []).append(finding)
    out: list[FindingDelta] = []
    rest: list[Finding] = []
    for finding in head:
        same = by_print.get(finding.fingerprint)
        if same:
            before = same.pop(0)
            out.append(FindingDelta(finding, "unchanged" if before.message == finding.message else "updated", before))
        else:
            rest.append(finding)
    left = [f for group in by_print.values() for f in group]
    by_text: dict[tuple[str, str], list[Finding]] = {}
    for finding in left:
        by_text.setdefault((finding.rule_id, finding.message), []).append(finding)
    fresh = []
    for finding in rest:
        same = by_text.get((finding.rule_id, finding.message))
        if same:
            out.append(FindingDelta(finding, "unchanged", same.pop(0)))
        else:
            fresh.append(finding)
    gone = [f for group in by_text.values() for f in group]
    updated = _updated(gone, fresh)
    out += [FindingDelta(f, "updated", updated[id(f)]) if id(f) in updated else FindingDelta(f, "new") for f in fresh]
    paired = {id(f) for f in updated.values()}
    out += [FindingDelta(f, "absent") for f in gone if id(f) not in paired]
    return out


def _updated(gone: list[Finding], fresh: list[Finding]) -> dict[int, Finding]:
    """id(new finding) -> the base finding it updates: the only one of its rule, identities and
    file on each side (a JEP105 whose action list grew, say)."""

    def about(f: Finding) -> tuple[str, tuple[str, ...], str]:
        return (f.rule_id, f.identities, f.span.path)

    old, new = Counter(about(f) for f in gone), Counter(about(f) for f in fresh)
    before = {about(f): f for f in gone if old[about(f)] == 1}
    return {id(f): before[about(f)] for f in fresh if about(f) in before and new[about(f)] == 1}


def where(span: Span | None) -> str:
    return f"{span.path}:{span.line}" if span is not None else ""
