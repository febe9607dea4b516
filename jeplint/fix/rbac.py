"""RBAC `*` (JEP104) in a rule whose bound identities declare their purpose: each `*` in verbs,
resources and apiGroups becomes what the purpose needs, sorted, in one fix (JEP104 reports the rule
once, at its first wildcard: the finding goes only when every `*` goes).

- resources and apiGroups: the resources the API serves (the catalogue) in the rule's named groups
  and resources whose permissions — the rule's verbs, or every verb for `*` — include one the
  purpose allows (`fix.wildcard.within_purpose`: get/list/watch of the purpose's resources too).
  Only when every Kubernetes function of the purpose names one API group and resource family
  (`core/configmaps:modify`, not `core/*:modify`): what a wildcard resource would become must be a
  short, certain list. A custom resource the catalogue does not know is never written.
- verbs: the verbs the API serves for the (narrowed) resources whose function the purpose allows.

A narrowed rule that would still be an escalation path (JEP402 would report it) is a suggestion, as
is anything the purpose does not settle. The new lists are subsets of what `*` granted, never more.
"""

from __future__ import annotations

from jeplint.catalog import escalation, k8s
from jeplint.catalog.functions import classify
from jeplint.edits import Edit, Fix
from jeplint.fix import syntax
from jeplint.fix.attach import Context, Outcome
from jeplint.fix.wildcard import purpose_of, within_purpose
from jeplint.graph.model import Grant, Value
from jeplint.rules.base import Finding
from jeplint.rules.jep302_purpose_mismatch import allowed_patterns

ADVICE = 'list the verbs the workloads need instead of "*"'
FIELDS = (("apiGroups", "api_groups"), ("resources", "resources"), ("verbs", "actions"))


def _served() -> list[tuple[str, str, str]]:
    """(verb, group, resource) of every permission the API serves."""
    out = []
    for permission in k8s.all_permissions():
        verb, _, target = permission.partition(" ")
        group, _, resource = target.partition("/")
        out.append((verb, group, resource))
    return out


def _allowed(verb: str, group: str, resource: str, purpose: tuple[str, ...]) -> bool:
    return within_purpose(classify(f"{verb} {group}/{resource}", "kubernetes"), purpose, True)


def verbs_for(groups: list[str], resources: list[str], purpose: tuple[str, ...]) -> list[str]:
    keep = {v for v, g, r in _served() if g in groups and r in resources and _allowed(v, g, r, purpose)}
    return sorted(keep)


def certain_purpose(purpose: tuple[str, ...]) -> bool:
    """Every Kubernetes function of the purpose names one group and resource family, and there is one."""
    domains = [p.partition(":")[0] for p in purpose if "/" in p.partition(":")[0]]
    return bool(domains) and not any(ch in d for d in domains for ch in "*?[")


def targets_for(verbs: list[str], groups: list[str], resources: list[str], purpose: tuple[str, ...]) -> set[tuple[str, str]]:
    """(group, resource) the rule may keep: served, within its named groups/resources, with a verb
    of the rule that the purpose allows."""
    return {
        (g, r)
        for v, g, r in _served()
        if ("*" in verbs or v in verbs)
        and ("*" in groups or g in groups)
        and ("*" in resources or r in resources)
        and _allowed(v, g, r, purpose)
    }


def escalating(groups: list[str], resources: list[str], verbs: list[str]) -> str:
    """The first escalation risk (JEP402) the narrowed rule would still grant, as words; '' if none."""
    for risk in escalation.rbac_risks():
        for risk_groups, risk_resources, risk_verbs in risk.rules:
            if (
                any(g in risk_groups or "*" in risk_groups for g in groups)
                and any(r in risk_resources or "*" in risk_resources for r in resources)
                and any(v in risk_verbs or "*" in risk_verbs for v in verbs)
            ):
                return risk.short
    return ""


def _grant(finding: Finding, context: Context) -> Grant | None:
    for policy in context.graph.policies:
        for grant in policy.grants:
            if policy.platform == "kubernetes" and any(
                v.span == finding.span for v in [*grant.actions, *grant.resources, *grant.api_groups]
            ):
                return grant
    return None


def narrowed(grant: Grant, purpose: tuple[str, ...]) -> dict[str, list[str]] | str:
    """{field: its new list} for every field written with `*`, or why there is none (words)."""
    lists = {name: [v.text for v in getattr(grant, attr) if v.text is not None] for name, attr in FIELDS}
    if any(len(lists[name]) != len(getattr(grant, attr)) for name, attr in FIELDS):
        return "is declared, but some values of the rule are not literal"
    groups, resources, verbs = lists["apiGroups"], lists["resources"], lists["verbs"]
    new: dict[str, list[str]] = {}
    if "*" in groups or "*" in resources:
        if not certain_purpose(purpose):
            return "names no single resource for the wildcard resources or API groups"
        targets = targets_for(verbs, groups, resources, purpose)
        if "*" in groups:
            new["apiGroups"] = groups = sorted({g for g, _ in targets})
        if "*" in resources:
            new["resources"] = resources = sorted({r for g, r in targets if g in groups})
        if not groups or not resources:
            return "allows none of the resources the rule grants"
    if "*" in verbs:
        new["verbs"] = verbs = verbs_for(groups, resources, purpose)
    for name in new:
        new[name] = [v for v in new[name] if v not in lists[name]]
        if not new[name]:
            return f"needs only the {name} listed already"
    risky = escalating(groups, resources, verbs)
    if risky:
        return f"needs {', '.join(verbs)} on {', '.join(resources)}, and {risky} is an escalation path (JEP402)"
    return new


def fix(finding: Finding, context: Context) -> Outcome:
    grant = _grant(finding, context)
    if grant is None:
        return None
    purpose = purpose_of(finding, context)
    patterns = allowed_patterns(purpose[0]) if purpose else None
    text = context.text(finding.span.path)
    if purpose is None or not patterns or text is None:
        return (
            ADVICE + " (and resources, API groups), or declare the purpose of their ServiceAccount: annotation jeplint.io/purpose"
        )
    new = narrowed(grant, patterns)
    if isinstance(new, str):
        return f"{ADVICE}: purpose '{purpose[0]}' {new}"
    edits: list[Edit] = []
    for name, attr in FIELDS:
        star = next((v for v in getattr(grant, attr) if v.text == "*"), None)
        edit = syntax.replace_item(text, star.span, "*", new[name]) if isinstance(star, Value) and name in new else None
        if name in new and edit is None:
            return f"{ADVICE}: purpose '{purpose[0]}' needs {name} {', '.join(new[name])}"
        edits += [edit] if edit is not None else []
    shown = "; ".join(f"{name} {', '.join(v or '(core)' for v in items)}" for name, items in new.items())
    return Fix(f"Replace \"*\" by what purpose '{purpose[0]}' needs ({purpose[1]}): {shown}", tuple(edits))
