"""JEP201 non-expiring-credential: a credential that cannot be given an end — an AWS access key, a
console password on a user that also has an access key, a GCP service-account key, a legacy
Kubernetes service-account-token Secret, a GitHub Actions secret that holds a cloud key.

A rotation within `Options.max_secret_age` (a `time_rotating` linked through `keepers` or
`replace_triggered_by`, an `iam.serviceAccountKeyExpiryHours` org policy, a password policy's
maximum age) bounds the credential and silences the finding; a slower one is named in it.
Documentation: `rules/JEP201-non-expiring-credential/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Credential, GitHubSecretSource, Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common.expiry import bounded_by, credential_finding, credentials, limit_phrase, owner
from jeplint.timeparse import humanize

ADVICE = {
    "aws-access-key": "let the workload assume a role instead (OIDC federation for CI, IRSA or EKS Pod Identity, "
    "IAM Roles Anywhere, an instance or task role)",
    "aws-login-profile": "a machine identity signs in with no password: remove the login profile",
    "gcp-sa-key": "use workload identity instead (Workload Identity Federation for CI, GKE Workload Identity, an attached "
    "service account), or rotate the key within {within} through keepers and a time_rotating",
    "k8s-token-secret": "mount a projected service-account token instead (TokenRequest API): it expires and the kubelet renews it",
}
GITHUB_ADVICE = {
    "aws": "let the workflow assume an IAM role through GitHub's OIDC provider (token.actions.githubusercontent.com) instead",
    "gcp": "let the workflow authenticate through Workload Identity Federation with GitHub's OIDC token instead",
    "azure": "let the workflow sign in with a federated identity credential for GitHub's OIDC token instead",
}
CLOUD_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}


def message(credential: Credential, options: Options) -> str:
    who, name = owner(credential), credential.name
    limit = options.max_secret_age
    rotation = credential.rotation
    slow = f"; {rotation.text}, over {limit_phrase(limit)}" if rotation is not None else ""
    if credential.kind == "github-secret":
        detail = credential.detail
        cloud, source = (detail.cloud, detail.source) if isinstance(detail, GitHubSecretSource) else ("", "")
        address = credential.address
        if source:
            held = f"the key of {who} ({source})" if who else f"the key {source}"
            what = f"stores {held}, which never expires"
        else:
            what = f"holds, by its name, a long-lived {CLOUD_NAMES.get(cloud, cloud)} key"
        return f"GitHub Actions secret {name} ({address}) {what}; {GITHUB_ADVICE.get(cloud, GITHUB_ADVICE['aws'])}"
    advice = ADVICE[credential.kind].format(within=humanize(limit))
    if credential.kind == "aws-access-key":
        return f"{who} has an access key ({name}) that never expires{slow}; {advice}"
    if credential.kind == "aws-login-profile":
        return f"{who} has an access key and also a console password ({name}) that never expires{slow}; {advice}"
    if credential.kind == "gcp-sa-key":
        return f"{who} has a user-managed key ({name}) that never expires{slow}; {advice}"
    return f"{name} holds a token of {who} that never expires (type kubernetes.io/service-account-token); {advice}"


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for credential in credentials(graph, "never"):
        if not bounded_by(credential.rotation, options.max_secret_age):
            yield credential_finding("JEP201", graph, credential, message(credential, options))


RULE = Rule("JEP201", check)
