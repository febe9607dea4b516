"""Wildcard actions (JEP101 `*`, JEP102 `s3:*`) of identities that declare their purpose.

When every identity holding the grant declares the same purpose (`jeplint.io/purpose`, or the
configuration), the pattern is replaced by the catalogue actions it matches whose function the
purpose allows (and the List actions of the purpose's services, which JEP302 never counts
as a function), sorted: a subset of what the pattern granted, never more. A full wildcard is
narrowed only when the purpose names its services (no `*` as domain), and write actions only when
the statement names its resources (a write on `Resource "*"` is JEP105's finding: the fix must not
add one), and no action that is part of an escalation path (JEP401's). Otherwise: a suggestion.
"""

from __future__ import annotations

import fnmatch

from jeplint.catalog import aws_actions, escalation
from jeplint.catalog.functions import Function, classify
from jeplint.edits import Fix
from jeplint.fix import syntax
from jeplint.fix.attach import Context, Outcome
from jeplint.graph.model import Grant, Value
from jeplint.rules.base import Finding
from jeplint.rules.jep302_purpose_mismatch import allowed_patterns, declared

FULL = ("*", "*:*")


def within_purpose(function: Function, purpose: tuple[str, ...], listing: bool) -> bool:
    """Whether a purpose allows a function; `listing` (a List/get/watch permission) is also allowed
    in the purpose's domains, as JEP302 never counts observing as a function."""
    if any(fnmatch.fnmatchcase(f"{function.domain}:{function.capability}", p) for p in purpose):
        return True
    domains = {p.partition(":")[0] for p in purpose}
    return listing and function.capability == "observe" and any(fnmatch.fnmatchcase(function.domain, d) for d in domains)


def narrowed(pattern: str, purpose: tuple[str, ...]) -> list[str] | None:
    """The actions `pattern` matches that a purpose's function patterns allow, sorted; None when
    they cannot be listed (unknown service, a purpose whose domain is a glob for a full wildcard)."""
    domains = {p.partition(":")[0] for p in purpose}
    if pattern in FULL:
        if any(ch in d for d in domains for ch in "*?["):
            return None
        candidates = [a for d in sorted(domains) for a in aws_actions.expand(f"{d}:*") or ()]
    else:
        found = aws_actions.expand(pattern)
        if found is None:
            return None
        candidates = list(found)
    keep = {a.full for a in candidates if within_purpose(classify(a.full, "aws"), purpose, a.name.startswith("List"))}
    return sorted(keep)


def _token(finding: Finding, context: Context) -> tuple[Grant, Value] | None:
    for policy in context.graph.policies:
        for grant in policy.grants:
            for value in grant.actions:
                if value.span == finding.span and value.text is not None and not value.partial:
                    return grant, value
    return None


def purpose_of(finding: Finding, context: Context) -> tuple[str, str] | None:
    """(purpose, how it is declared) shared by every identity of the finding."""
    found = set()
    for key in finding.identities:
        identity = context.identity(key)
        declaration = declared(identity, context.options) if identity is not None else None
        if declaration is None:
            return None
        found.add((declaration[0], declaration[2]))
    return next(iter(found)) if len({p for p, _ in found}) == 1 else None


def _every_resource(grant: Grant) -> bool:
    texts = [v.text for v in grant.resources]
    return grant.not_resources or not texts or "*" in texts or None in texts


def _writes(action: str) -> bool:
    found = aws_actions.expand(action)
    return bool(found and found[0].writes)


def fix(finding: Finding, context: Context) -> Outcome:
    located = _token(finding, context)
    if located is None or located[0].policy.platform != "aws":
        return None
    _, value = located
    pattern = value.text or ""
    advice = f'replace "{pattern}" by the actions this identity needs, or declare its purpose (tag jeplint.io/purpose)'
    purpose = purpose_of(finding, context)
    patterns = allowed_patterns(purpose[0]) if purpose else None
    if purpose is None or not patterns:
        return advice
    if pattern in FULL and len(located[0].actions) > 1:  # the other items, hidden behind "*" until now, would show
        return f'{advice}; drop the other actions of this statement, which "{pattern}" already grants'
    actions = narrowed(pattern, patterns)
    text = context.text(value.span.path)
    if not actions or text is None:
        return f"replace \"{pattern}\" by the actions purpose '{purpose[0]}' needs ({purpose[1]})"
    if _every_resource(located[0]) and any(_writes(a) for a in actions):
        return (
            f"replace \"{pattern}\" by the actions of purpose '{purpose[0]}' ({', '.join(actions)}) "
            'and name the resources instead of "*"'
        )
    risky = sorted({a for a in actions for path in escalation.aws_paths() if a.lower() in (n.lower() for n in path.needs)})
    if risky:
        return f"replace \"{pattern}\" by the actions of purpose '{purpose[0]}' ({', '.join(actions)}); {', '.join(risky)} can escalate (JEP401)"
    edit = syntax.replace_item(text, value.span, pattern, actions)
    description = f"Replace \"{pattern}\" by the {len(actions)} actions of purpose '{purpose[0]}' ({purpose[1]})"
    if edit is None:
        return description + ": " + ", ".join(actions)
    return Fix(description, (edit,))
