"""Wildcard actions (JEP101 `*`, JEP102 `s3:*`) of identities that declare their purpose, or clearly
hold one function.

When every identity holding the grant declares the same purpose (`jeplint.io/purpose`, or the
configuration) — or, declaring none, every one clearly holds the same functions of the pattern's
service through its other statements (`held`: actions listed by name, in that one service) — the pattern is replaced by the catalogue actions it matches whose function the
purpose allows (and the List actions of the purpose's services, which JEP302 never counts
as a function), sorted: a subset of what the pattern granted, never more. A full wildcard is
narrowed only when the purpose names its services (no `*` as domain), and write actions only when
the statement names its resources (a write on `Resource "*"` is JEP105's finding: the fix must not
add one), and no action that is part of an escalation path (JEP401's). Otherwise: a suggestion.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from jeplint.catalog import aws_actions, escalation
from jeplint.catalog.functions import Function, classify
from jeplint.edits import Fix
from jeplint.fix import syntax
from jeplint.fix.attach import Context, Outcome
from jeplint.fix.held import shared
from jeplint.graph.model import Grant, Value
from jeplint.rules.base import Finding
from jeplint.rules.common.functions import DOMAIN_ALIASES
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
    return context.action_at(finding.span)


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


@dataclass(frozen=True)
class Basis:
    """What the narrowed actions follow: function patterns, named (`purpose 'x'`) and sourced."""

    patterns: tuple[str, ...]
    what: str
    how: str


def basis_of(finding: Finding, context: Context, grant: Grant, pattern: str) -> Basis | None:
    """The declared purpose of the finding's identities, else the functions they clearly hold
    (`held`) in the pattern's service."""
    purpose = purpose_of(finding, context)
    if purpose is not None:
        patterns = allowed_patterns(purpose[0])
        return Basis(patterns, f"purpose '{purpose[0]}'", purpose[1]) if patterns else None
    identities = [context.identity(key) for key in finding.identities]
    if not identities or None in identities:
        return None
    functions = shared(context.graph, [i for i in identities if i is not None], grant)
    service = pattern.partition(":")[0]
    if functions is None or pattern not in FULL and {DOMAIN_ALIASES.get(service, service)} != {d for d, _ in functions}:
        return None
    names = sorted(f"{d} {c}" for d, c in functions)
    what = f"function{'s' if len(names) > 1 else ''} {', '.join(names)}"
    return Basis(tuple(sorted(f"{d}:{c}" for d, c in functions)), what, "what the identity's other statements grant")


def fix(finding: Finding, context: Context) -> Outcome:
    located = _token(finding, context)
    if located is None or located[0].policy.platform != "aws":
        return None
    grant, value = located
    pattern = value.text or ""
    advice = f'replace "{pattern}" by the actions this identity needs, or declare its purpose (tag jeplint.io/purpose)'
    basis = basis_of(finding, context, grant, pattern)
    if basis is None:
        return advice
    if pattern in FULL and len(grant.actions) > 1:  # the other items, hidden behind "*" until now, would show
        return f'{advice}; drop the other actions of this statement, which "{pattern}" already grants'
    actions = narrowed(pattern, basis.patterns)
    text = context.text(value.span.path)
    if not actions or text is None:
        return f'replace "{pattern}" by the actions {basis.what} needs ({basis.how})'
    if _every_resource(grant) and any(_writes(a) for a in actions):
        return f'replace "{pattern}" by the actions of {basis.what} ({", ".join(actions)}) and name the resources instead of "*"'
    risky = sorted({a for a in actions for path in escalation.aws_paths() if a.lower() in (n.lower() for n in path.needs)})
    if risky:
        return (
            f'replace "{pattern}" by the actions of {basis.what} ({", ".join(actions)}); {", ".join(risky)} can escalate (JEP401)'
        )
    edit = syntax.replace_item(text, value.span, pattern, actions)
    description = f'Replace "{pattern}" by the {len(actions)} actions of {basis.what} ({basis.how})'
    if edit is None:
        return description + ": " + ", ".join(actions)
    return Fix(description, (edit,))
