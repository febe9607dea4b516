"""What rules may be tuned by: thresholds and the clock, in one frozen object.

Rules receive an `Options` next to the graph (`check(graph, options)`). Defaults are documented with
their source; configuration files and CLI flags build a different `Options`, and tests pin `now`
so that date logic never reads the system clock behind their back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class Options:
    # The single source of "now" for every rule (UTC, timezone-aware).
    now: datetime = field(default_factory=_utcnow)

    # -- expiry (JEP2xx) ---------------------------------------------------------------------------
    # Longest acceptable life of a long-lived secret (access key, client secret, certificate,
    # SecretID, Key Vault secret) or rotation period: 90 days, per CIS AWS Foundations 1.14 "access
    # keys are rotated every 90 days or less" (AWS Config `access-keys-rotated` default
    # maxAccessKeyAge 90), CIS GCP 1.7 "service account keys are rotated every 90 days or less", and
    # GCP's `iam.serviceAccountKeyExpiryHours` maximum of 2160 h.
    max_secret_age: timedelta = timedelta(days=90)
    # Longest acceptable validity of a token (Kubernetes projected / TokenRequest tokens, Vault
    # tokens): 1 hour, the default of Kubernetes TokenRequest (expirationSeconds 3600), GCP access
    # tokens and AWS STS credentials.
    max_token_lifetime: timedelta = timedelta(hours=1)
    # Longest acceptable role session (AWS IAM role max_session_duration, IAM Roles Anywhere
    # duration_seconds): 1 hour, the AWS default of both; a workload refreshes its session itself.
    max_session_duration: timedelta = timedelta(hours=1)

    # -- multi-function identities (JEP3xx) ----------------------------------------------------------
    # Measured on ../shared/corpus/real (273 non-administrator identities with grants): distinct
    # functions median 1, p75 5, p90 7; domains with a non-observe function: 16% have 3 or more.
    # An identity is reported (warning) from this many distinct functions ...
    multi_function_functions: int = 6
    # ... or this many services (domains) it changes ...
    multi_function_domains: int = 4
    # ... or this many high-impact capabilities (identity-admin, credential-issue, code-execution,
    # approve, destroy, export-report). Identity administration next to another domain's function,
    # and separation-of-duties pairs, are errors whatever the counts.
    multi_function_high_impact: int = 4
    # Declared purposes by identity name or key (in addition to `jeplint.io/purpose` tags and
    # annotations): {"ci-deployer": "deploy"}.
    purposes: tuple[tuple[str, str], ...] = ()


DEFAULT = Options()
