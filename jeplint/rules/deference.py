"""One finding per root cause: a rule that `defers_to` a stronger rule is not reported where the
stronger rule already reports the same statements for the same identities.

The relation is declared in each rule's `rules/<ID>-<name>/rule.yaml` (`defers_to: [JEP101]`) and
applied by the runner to the findings of one scan. It holds only when the stronger rule ran: with
`--select JEP102` or `--ignore JEP101`, JEP102 reports the statement itself.

A finding names its statements in `Finding.grants`: `<policy key>#<index>` for one statement,
`<policy key>` for a whole policy or role (a binding of a built-in role covers every statement of
that role). A weaker finding is dropped when every statement it names is covered by findings of the
rules it defers to, and those findings together name every identity it names (a finding about a
policy attached to no identity names none: the statements alone decide).
"""

from __future__ import annotations

from collections.abc import Iterable

from jeplint.rules.base import Finding, Related, Rule

K8S_KEYS = ("sa:", "user:", "group:", "Role:", "ClusterRole:")  # graph keys of Kubernetes identities and roles


def _covering(key: str) -> tuple[str, ...]:
    """The keys of a stronger finding that cover statement `key`: itself and its whole policy."""
    policy, sep, _ = key.rpartition("#")
    return (key, policy) if sep else (key,)


def apply(findings: list[Finding], rules: Iterable[Rule]) -> list[Finding]:
    """The findings without those a stronger rule of this scan already reports."""
    defers = {rule.id: rule.meta.defers_to for rule in rules}
    # (rule, statement key) -> identities the rule reports for that statement
    reported: dict[tuple[str, str], set[str]] = {}
    for finding in findings:
        for key in finding.grants:
            reported.setdefault((finding.rule_id, key), set()).update(finding.identities)
    kept = []
    for finding in findings:
        stronger = defers.get(finding.rule_id, ())
        if stronger and finding.grants and all(_covered(finding, key, stronger, reported) for key in finding.grants):
            continue
        kept.append(finding)
    return kept


def _covered(finding: Finding, key: str, stronger: tuple[str, ...], reported: dict[tuple[str, str], set[str]]) -> bool:
    holders: set[str] | None = None
    for rule_id in stronger:
        for cover in _covering(key):
            if (rule_id, cover) in reported:
                holders = (holders or set()) | reported[(rule_id, cover)]
    return holders is not None and set(finding.identities) <= holders


def collapse_copies(findings: list[Finding]) -> list[Finding]:
    """One finding for identical Kubernetes objects copied across the files of one install
    (`install.yaml`, `namespace-install.yaml`, `ha/install.yaml`). Copies share their graph keys
    (kind, namespace, name): findings of one rule about the same Role rules (or, without rules, the
    same message and identities) in other files become related locations of the one that names the
    most identities (the copy the bindings reach)."""
    groups: dict[tuple, list[Finding]] = {}
    kept: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        keys = finding.identities + finding.grants
        if not keys or not all(k.startswith(K8S_KEYS) for k in keys):
            kept.append(finding)
            continue
        group = (finding.rule_id, finding.grants) if finding.grants else (finding.rule_id, finding.message, finding.identities)
        groups.setdefault(group, []).append(finding)
    for copies in groups.values():
        best = max(copies, key=lambda f: (len(f.identities), -copies.index(f)))
        kept.append(best)
        for other in copies:
            if other is best:
                continue
            if other.span.path == best.span.path:
                kept.append(other)  # the same key twice in one file is not a copy of an install
                continue
            best.related.append(Related(other.span, f"the same in {other.span.path} (a copy of this object)"))
    return sorted(kept, key=Finding.sort_key)
