"""JEP202 credential-lifetime-too-long: a credential whose end is optional has none, or one beyond
the threshold — Azure AD application / service-principal passwords and certificates, Key Vault
secrets, Vault tokens and AppRole SecretIDs and tokens, projected service-account tokens and
`kubernetes_token_request_v1`.

Lifetimes are computed where they are written literally, with `timeadd()`, or through a
`time_offset` / `time_rotating`; a missing one takes the platform default (two years for Azure
secrets, Vault's 768-hour maximum TTL). Long-lived secrets are held to `Options.max_secret_age`,
tokens to `Options.max_token_lifetime`. An end date already past is JEP205's note, not this.
Documentation: `rules/JEP202-credential-lifetime-too-long/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common.expiry import (
    bounded_by,
    credential_finding,
    credentials,
    lifetime_of,
    limit_for,
    limit_phrase,
    subject,
    too_long,
    validity,
)
from jeplint.timeparse import humanize

ADVICE = {
    "azure": "use a federated identity credential or a managed identity instead, or set end_date within {within}",
    "azure-key-vault-secret": "set expiration_date within {within} and rotate the secret, or let its consumer use a managed identity",
    "vault-token": "set explicit_max_ttl within {within}, or let the workload log in through an auth method that issues "
    "short tokens (Kubernetes, JWT/OIDC, cloud IAM)",
    "vault-approle-secret-id": "set secret_id_ttl within {within}, or use an auth method with no shared secret "
    "(Kubernetes, JWT/OIDC, cloud IAM)",
    "vault-approle-token": "set token_max_ttl within {within}",
    "k8s-projected-token": "lower its expiration to {within} at most: the kubelet renews the token before it expires",
    "k8s-token-request": "request a token of {within} at most, and renew it",
}


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for credential in credentials(graph, "optional"):
        lifetime = lifetime_of(credential)
        limit = limit_for(credential, options)
        if lifetime is None or lifetime.expired(options.now) or not too_long(lifetime, options.now, limit):
            continue
        if bounded_by(credential.rotation, limit):
            continue
        plural = credential.kind in ("vault-approle-secret-id", "vault-approle-token")
        how = validity(lifetime, options.now, plural)
        over = "" if lifetime.length(options.now) is None else f", over {limit_phrase(limit)}"
        advice = ADVICE.get(credential.kind, ADVICE["azure"]).format(within=humanize(limit))
        text = f"{subject(credential)} {how}{over}; {advice}"
        yield credential_finding("JEP202", graph, credential, text)


RULE = Rule("JEP202", check)
