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

from jeplint.graph.model import Credential, Graph, Identity, RolesAnywhere
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import people_only
from jeplint.rules.common.expiry import credential_finding, credentials, lifetime_of, limit_phrase, owner
from jeplint.timeparse import humanize

WARN_AT = timedelta(hours=12)  # AWS's longest role session: a warning from here on, a note below


CI_PROVIDERS = frozenset({"github", "gitlab", "terraform-cloud", "bitbucket"})


def ci_issuer(graph: Graph, identity: Identity | None) -> str | None:
    """The CI system whose jobs assume the role through OIDC federation (its name), if any: a job
    gets one session for the whole job, which no SDK renews."""
    for federation in graph.federations:
        issuer = federation.issuer
        if federation.identity is identity and (issuer.provider in CI_PROVIDERS or "circleci" in issuer.url):
            return "CircleCI" if "circleci" in issuer.url else issuer.name
    return None


def message(credential: Credential, options: Options, ci: str | None = None) -> str | None:
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
    if ci is not None:
        return (
            f"{owner(credential)} allows sessions of {up_to}, {over.split(';')[0]}: {ci} jobs that assume it get one session "
            f"each, so allow only as long as the longest job needs (lower it to {humanize(limit)} if none runs longer)"
        )
    return (
        f"{owner(credential)} allows sessions of {up_to}, {over}: AWS SDKs renew the sessions of instances, tasks "
        "and pods themselves (a CI job gets one session: allow only as long as its longest job needs)"
    )


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for credential in credentials(graph, "session"):
        if credential.kind == "aws-role-session" and people_only(credential.identity):
            continue  # a role people assume with MFA: a workforce session
        text = message(credential, options, ci_issuer(graph, credential.identity))
        if text is not None:
            finding = credential_finding("JEP203", graph, credential, text)
            lifetime = lifetime_of(credential)
            length = lifetime.length(options.now) if lifetime is not None else None
            if length is not None and length < WARN_AT:
                finding.level = "note"
            yield finding


RULE = Rule("JEP203", check)
