"""JEP203 session-duration-too-long: a role lets its sessions last longer than the threshold —
`max_session_duration` / `MaxSessionDuration` of an IAM role, `duration_seconds` /
`DurationSeconds` of an IAM Roles Anywhere profile — above `Options.max_session_duration`.

A session is temporary by nature, so a length over the threshold is a note; at AWS's maximum of
12 hours (43,200 s) it is a warning (the knowledge base's "info above 1 hour, low at 43,200").

Roles that only people can assume (trust through `sts:AssumeRoleWithSAML` alone, or every trust
statement requiring MFA: a workload cannot present MFA) are left out: workforce sessions are not a
workload's. Documentation: `rules/JEP203-session-duration-too-long/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from jeplint.graph.model import Credential, Graph, RolesAnywhere
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import people_only
from jeplint.rules.common.expiry import credential_finding, credentials, lifetime_of, limit_phrase, owner
from jeplint.timeparse import humanize

WARN_AT = timedelta(hours=12)  # AWS's longest role session: a warning from here on, a note below


def message(credential: Credential, options: Options) -> str | None:
    lifetime = lifetime_of(credential)
    limit = options.max_session_duration
    length = lifetime.length(options.now) if lifetime is not None else None
    if lifetime is None or length is None or length <= limit:
        return None
    up_to, over = f"up to {humanize(length)} ({lifetime.text})", f"over {limit_phrase(limit)}; lower it to {humanize(limit)}"
    if credential.kind == "aws-rolesanywhere-session":
        profile = credential.detail.profile if isinstance(credential.detail, RolesAnywhere) else ""
        to = f" to {credential.identity.label}" if credential.identity is not None else ""
        return f"IAM Roles Anywhere profile {profile} issues sessions of {up_to}{to}, {over}: the credential helper renews sessions itself"
    return f"{owner(credential)} allows sessions of {up_to}, {over}: AWS SDKs and CI credential actions renew sessions themselves"


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for credential in credentials(graph, "session"):
        if credential.kind == "aws-role-session" and people_only(credential.identity):
            continue  # a role people assume with MFA: a workforce session
        text = message(credential, options)
        if text is not None:
            finding = credential_finding("JEP203", graph, credential, text)
            lifetime = lifetime_of(credential)
            length = lifetime.length(options.now) if lifetime is not None else None
            if length is not None and length < WARN_AT:
                finding.level = "note"
            yield finding


RULE = Rule("JEP203", check)
