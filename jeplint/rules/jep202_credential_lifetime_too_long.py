"""JEP202 credential-lifetime-too-long: a credential whose end is optional has none, or one beyond
the threshold — Azure AD application / service-principal passwords and certificates, Key Vault
secrets, Vault tokens and AppRole SecretIDs and tokens, projected service-account tokens and
`kubernetes_token_request_v1`.

A workload that mounts its ServiceAccount's token although nothing in the scan gives that token a
use (`unused_tokens`) is a note: see the rule's documentation for when jeplint is certain of it.

Lifetimes are computed where they are written literally, with `timeadd()`, or through a
`time_offset` / `time_rotating`; a missing one takes the platform default (two years for Azure
secrets, Vault's 768-hour maximum TTL). Long-lived secrets are held to `Options.max_secret_age`,
tokens to `Options.max_token_lifetime`. An end date already past is JEP205's note, not this.
Documentation: `rules/JEP202-credential-lifetime-too-long/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Graph, Identity, Workload
from jeplint.graph.names import APPLY_NAMESPACE
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import identity_locations
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
    yield from unused_tokens(graph)


def _group_bound(identity: Identity, groups: set[str]) -> bool:
    """Whether a binding names a group every ServiceAccount of the identity's namespace (or of the
    cluster) is in; for a namespace set at apply, any namespace's group may be it."""
    namespace = identity.key.removeprefix("sa:").split("/", 1)[0]
    if namespace == APPLY_NAMESPACE and any(g.startswith("system:serviceaccounts:") for g in groups):
        return True
    return bool({"system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"} & groups)


def _token_unused(graph: Graph, workload: Workload, group_bound: set[str]) -> bool:
    """The workload mounts its token and nothing in the scan gives that token a use."""
    token, identity = workload.token, workload.identity
    if token is None or not token.mounted or token.pod != "unset" or token.uses:
        return False  # not mounted, or written on purpose (`true`), or a use is in sight
    if identity.span is None:
        return False  # made elsewhere (a namespace's default too): bound or set there, for all we know
    if graph.bindings_of(identity) or any(link.source is identity for link in graph.links):
        return False
    if _bound_by_name(graph, identity):
        return False
    return not _group_bound(identity, group_bound)


def _bound_by_name(graph: Graph, identity: Identity) -> bool:
    """For a ServiceAccount whose namespace is set at apply, a binding of a ServiceAccount of the same
    name in a named namespace may be it (the manifests applied to that namespace)."""
    namespace, _, name = identity.key.removeprefix("sa:").partition("/")
    if namespace != APPLY_NAMESPACE:
        return False
    return any(b.identity.key.startswith("sa:") and b.identity.key.rpartition("/")[2] == name for b in graph.bindings)


def unused_tokens(graph: Graph) -> Iterator[Finding]:
    group_bound = {b.identity.name for b in graph.bindings if b.identity.kind == "k8s-group"}
    for workload in graph.workloads:
        if workload.platform != "kubernetes" or not _token_unused(graph, workload, group_bound):
            continue
        identity = workload.identity
        message = (
            f"{workload.kind} {workload.name} mounts the token of serviceaccount {identity.name}, which holds no "
            "RBAC grant and acts as no cloud identity in the scan: nothing gives the token a use, yet every container gets "
            "it, and the API server accepts an automounted token for up to a year by default (extended expiration); set "
            "automountServiceAccountToken: false in its pod spec"
        )
        related = [Related(workload.span, f"{workload.kind} {workload.name} runs as {identity.label}")]
        related += [r for r in identity_locations(graph, identity) if r.span != workload.span]
        yield Finding(
            "JEP202",
            message,
            workload.span,
            related[:20],
            fingerprint("JEP202", "automount", workload.kind, workload.name, identity.key),
            "note",
            (identity.key,),
        )


RULE = Rule("JEP202", check)
