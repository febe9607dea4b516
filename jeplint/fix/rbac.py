"""RBAC `*` verbs (JEP104) of a rule whose bound identities declare their purpose: the verbs the
API serves for the rule's resources whose function the purpose allows (plus get/list/watch of the
purpose's resources), sorted, unless they would still be an escalation path (JEP402 would report
the narrowed rule: a suggestion instead). A `*` in resources or apiGroups is left as a suggestion: what a
wildcard resource would have to become is not certain.
"""

from __future__ import annotations

from jeplint.catalog import escalation, k8s
from jeplint.catalog.functions import classify
from jeplint.edits import Fix
from jeplint.fix import syntax
from jeplint.fix.attach import Context, Outcome
from jeplint.fix.wildcard import purpose_of, within_purpose
from jeplint.graph.model import Grant
from jeplint.rules.base import Finding
from jeplint.rules.jep302_purpose_mismatch import allowed_patterns


def verbs_for(groups: list[str], resources: list[str], purpose: tuple[str, ...]) -> list[str]:
    served = [p.split(" ", 1) for p in k8s.all_permissions()]
    keep = set()
    for verb, target in served:
        group, _, resource = target.partition("/")
        if group not in groups or resource not in resources:
            continue
        if within_purpose(classify(f"{verb} {target}", "kubernetes"), purpose, True):
            keep.add(verb)
    return sorted(keep)


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
            if policy.platform == "kubernetes" and any(v.span == finding.span for v in grant.actions):
                return grant
    return None


def fix(finding: Finding, context: Context) -> Outcome:
    grant = _grant(finding, context)
    if grant is None:
        return None
    advice = 'list the verbs the workloads need instead of "*"'
    groups = [v.text for v in grant.api_groups if v.text is not None]
    resources = [v.text for v in grant.resources if v.text is not None]
    if "*" in groups or "*" in resources or len(groups) != len(grant.api_groups) or len(resources) != len(grant.resources):
        return advice + ", and the resources and API groups too"
    purpose = purpose_of(finding, context)
    patterns = allowed_patterns(purpose[0]) if purpose else None
    text = context.text(finding.span.path)
    if purpose is None or not patterns or text is None:
        return advice + " (or declare the purpose of their ServiceAccount: annotation jeplint.io/purpose)"
    present = {v.text for v in grant.actions}
    verbs = [v for v in verbs_for(groups, resources, patterns) if v not in present]
    risky = escalating(groups, resources, verbs)
    if risky:
        return f"{advice}: purpose '{purpose[0]}' needs {', '.join(verbs)}, and {risky} is an escalation path (JEP402)"
    edit = syntax.replace_item(text, finding.span, "*", verbs) if verbs else None
    if edit is None:
        return advice
    return Fix(f"Replace verb \"*\" by {', '.join(verbs)} (purpose '{purpose[0]}', {purpose[1]})", (edit,))
