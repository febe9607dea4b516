"""Lifetimes written too long (JEP202, JEP203): the number is lowered to the limit, in its own unit.

`max_session_duration = 43200` becomes `3600`, `expirationSeconds: 86400` becomes `3600`, a
`validity_period_hours = 8760` becomes `2160`. Only a whole number written literally is changed,
and only downwards; anything else (a date, an expression) gets a suggestion.
"""

from __future__ import annotations

from datetime import timedelta

from jeplint.edits import Fix
from jeplint.fix import syntax
from jeplint.fix import text as textedit
from jeplint.fix.attach import Context, Outcome
from jeplint.graph.lifetimes import Lifetime
from jeplint.graph.model import Credential
from jeplint.rules.base import Finding
from jeplint.rules.common.expiry import limit_for
from jeplint.timeparse import humanize

UNITS = (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400))


def credential_at(finding: Finding, context: Context) -> tuple[Credential, Lifetime] | None:
    for credential in context.graph.credentials:
        lifetime = credential.lifetime
        if lifetime is not None and finding.span in (credential.span, lifetime.span):
            return credential, lifetime
    return None


def lowered(written: int, duration: timedelta, limit: timedelta) -> int | None:
    """`limit` in the unit `written` is in (the one where `written` equals `duration`), if lower."""
    for _, seconds in UNITS:
        if written * seconds == duration.total_seconds():
            new = limit.total_seconds() / seconds
            if new == int(new) and 0 < new < written:
                return int(new)
    return None


def fix(finding: Finding, context: Context) -> Outcome:
    found = credential_at(finding, context)
    if found is None:
        return None
    credential, lifetime = found
    limit = context.options.max_session_duration if finding.rule_id == "JEP203" else limit_for(credential, context.options)
    advice = f"shorten its lifetime to {humanize(limit)} at most"
    text = context.text(lifetime.span.path)
    if not lifetime.written or lifetime.duration is None or text is None:
        return advice
    token = textedit.cut(text, lifetime.span).strip("\"'")
    new = lowered(int(token), lifetime.duration, limit) if token.isdigit() else None
    edit = syntax.replace_literal(text, lifetime.span, token, str(new)) if new is not None else None
    if edit is None:
        return advice
    return Fix(f"Lower {token} to {new} ({humanize(limit)})", (edit,))
