"""What the expiry rules (JEP2xx) share: thresholds per credential kind, the phrases that say how long
something lives, the end dates written in grant conditions, and findings about a credential.

Every date comparison takes `now` from `Options.now`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from jeplint.graph.lifetimes import Lifetime, Rotation
from jeplint.graph.model import Credential, Grant, Graph, Identity
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, fingerprint
from jeplint.rules.common import MAX_RELATED
from jeplint.span import Span
from jeplint.timeparse import day_of, humanize, parse_timestamp

TOKEN_KINDS = ("vault-token", "vault-approle-token", "k8s-projected-token", "k8s-token-request")
NON_HUMAN = {
    "gcp": ("serviceaccount", "federated-principal"),
    "azure": ("managed-identity", "system-identity", "service-principal", "application"),
}
# Administrator-grade roles: full control, or control of who holds what (which is the same thing).
ADMIN_ROLES = {
    "gcp": (
        "roles/owner",
        "roles/resourcemanager.organizationAdmin",
        "roles/resourcemanager.folderAdmin",
        "roles/resourcemanager.projectIamAdmin",
        "roles/resourcemanager.folderIamAdmin",
        "roles/iam.securityAdmin",
    ),
    "azure": ("Owner", "User Access Administrator", "Role Based Access Control Administrator"),
}
_GCP_UNTIL = (
    re.compile(r"request\.time\s*<=?\s*timestamp\(\s*[\"']([^\"']+)[\"']\s*\)"),
    re.compile(r"timestamp\(\s*[\"']([^\"']+)[\"']\s*\)\s*>=?\s*request\.time"),
)
_AWS_TIME_KEYS = ("aws:currenttime", "aws:epochtime")


def limit_for(credential: Credential, options: Options) -> timedelta:
    """The threshold that applies to a credential: token, session or long-lived secret."""
    if credential.family == "session":
        return options.max_session_duration
    if credential.kind in TOKEN_KINDS:
        return options.max_token_lifetime
    return options.max_secret_age


def limit_phrase(limit: timedelta) -> str:
    """'the 90-day limit', 'the 1-hour limit'."""
    text = humanize(limit)
    return "the " + text.replace(" ", "-").removesuffix("s") + " limit"


def validity(lifetime: Lifetime, now: datetime, plural: bool = False) -> str:
    """'is valid for 1 year (end_date_relative = "8760h")', 'never expires (no expiration_date)', ..."""
    be, expire = ("are", "expire") if plural else ("is", "expires")
    length = lifetime.length(now)
    if length is None:
        return f"never {expire} ({lifetime.text})"
    if lifetime.ends is not None and lifetime.starts is None:
        return f"{be} valid until {day_of(lifetime.ends)}, {humanize(length)} from now ({lifetime.text})"
    return f"{be} valid for {humanize(length)} ({lifetime.text})"


def too_long(lifetime: Lifetime, now: datetime, limit: timedelta) -> bool:
    length = lifetime.length(now)
    return length is None or length > limit


def bounded_by(rotation: Rotation | None, limit: timedelta) -> bool:
    """A rotation (or expiry policy) at least as frequent as the limit bounds a credential's life."""
    return rotation is not None and rotation.period <= limit


def subject(credential: Credential) -> str:
    """Who holds what, ready for a verb: 'application ci has a client secret (azuread_application_password.ci) that'."""
    who, name, kind = owner(credential), credential.name, credential.kind
    if kind == "azure-key-vault-secret":
        return f"Key Vault secret {name} ({credential.address})"
    if kind.startswith("azure-"):
        return f"{who} has a {credential.noun} ({name}) that"
    if kind == "vault-approle-secret-id":
        return f"SecretIDs of {who} ({name})"
    if kind == "vault-approle-token":
        return f"tokens issued by {who} ({name})"
    if kind == "k8s-projected-token":
        return f"{name} mounts a token of {who} that"
    if kind == "k8s-token-request":
        return f"{name} requests a token of {who} that"
    return who


def credentials(graph: Graph, family: str) -> Iterator[Credential]:
    for credential in graph.credentials:
        if credential.family == family:
            yield credential


def lifetime_of(credential: Credential) -> Lifetime | None:
    return credential.lifetime


def owner(credential: Credential) -> str:
    return credential.owner


def identity_locations(graph: Graph, identity: Identity | None) -> list[Related]:
    """The identity's declaration and the workloads that run as it."""
    if identity is None:
        return []
    related = [Related(identity.span, f"{identity.label} is declared here")] if identity.span is not None else []
    for workload in graph.workloads_of(identity):
        related.append(Related(workload.span, f"{workload.kind} {workload.name} runs as {identity.label}"))
    return related


def credential_finding(rule_id: str, graph: Graph, credential: Credential, message: str, at: Span | None = None) -> Finding:
    """A finding at the credential's anchor (or `at`), with its identity, workloads and rotation as related."""
    related = identity_locations(graph, credential.identity)
    rotation = credential.rotation
    if rotation is not None:
        related.append(Related(rotation.span, rotation.text))
    who = credential.identity.key if credential.identity is not None else owner(credential)
    address = credential.address
    span = at or credential.span
    return Finding(
        rule_id,
        message,
        span,
        related[:MAX_RELATED],
        fingerprint(rule_id, span.path, credential.kind, credential.name, address, who),
        identities=(credential.identity.key,) if credential.identity is not None else (),
    )


def gcp_condition_end(expression: str) -> datetime | None:
    """The end an IAM condition puts on a binding (`request.time < timestamp("...")`), or None.

    A bound inside an `||` does not bound the binding, so such expressions have none.
    """
    if "||" in expression:
        return None
    ends = [parse_timestamp(m.group(1)) for pattern in _GCP_UNTIL for m in pattern.finditer(expression)]
    found = [e for e in ends if e is not None]
    return min(found) if found else None


def aws_grant_end(grant: Grant) -> tuple[datetime, str] | None:
    """(end, 'DateLessThan aws:CurrentTime'): the end a statement's condition puts on it, or None."""
    ends: list[tuple[datetime, str]] = []
    for condition in grant.conditions:
        base = condition.operator.removesuffix("IfExists")
        if base not in ("DateLessThan", "DateLessThanEquals", "NumericLessThan", "NumericLessThanEquals"):
            continue
        name = condition.key.lower()
        if name not in _AWS_TIME_KEYS or base.startswith("Numeric") and name != "aws:epochtime":
            continue
        moments = [_aws_moment(v) for v in condition.values]
        if moments and all(m is not None for m in moments):
            ends.append(
                (max(m for m in moments if m is not None), f"{condition.operator} {condition.key}")
            )  # any value satisfies it
    return min(ends, key=lambda end: end[0]) if ends else None  # every operator must hold


def _aws_moment(value: object) -> datetime | None:
    text = str(value)
    if re.fullmatch(r"\d{9,11}", text):
        return datetime.fromtimestamp(int(text), timezone.utc)
    return parse_timestamp(text)
