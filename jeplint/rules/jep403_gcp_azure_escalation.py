"""JEP403 gcp-azure-escalation: a GCP or Azure identity holds permissions that let it gain more:
GCP service-account impersonation (`getAccessToken`, `signBlob`, `signJwt`, `implicitDelegation`,
`serviceAccountKeys.create`), IAM policy writes (`*.setIamPolicy`), custom-role updates, and
`iam.serviceAccounts.actAs` with the permissions to run code (Cloud Functions, Compute Engine, Cloud
Run), and the GKE permissions that reach cluster-admin inside the project's clusters (binding or
escalating ClusterRoles, impersonation, ServiceAccount tokens, pod exec: `roles/container.admin`);
people and groups (`user:`, `group:`, `domain:`) are reported only for the impersonation paths held at
project scope or above (`roles/iam.serviceAccountTokenCreator`, `serviceAccountUser`): every member
can then become every service account there. Azure role assignment and role definition writes, `elevateAccess`, federated credentials on
managed identities, and running commands on virtual machines.

One finding per identity, at its declaration (or its binding when it is only referenced), naming
each path with the role and binding scope that grant it. A binding on one resource (a single service
account, a resource group) or under an IAM condition lowers the level by one; both, and the path is
not reported. Basic and broad built-in roles (Owner, Editor, Contributor, User Access Administrator)
are JEP106's and a custom `"*"` role JEP101's: paths held only through them are left to those rules.
Documentation: `rules/JEP403-gcp-azure-escalation/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog.escalation import Path, azure_paths, gcp_paths
from jeplint.graph.effective import effective
from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value
from jeplint.iamglob import matches as glob_matches
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import allows, identities_of, source_grants
from jeplint.rules.common.escalation import (
    RANK,
    Match,
    Part,
    anchor,
    finish,
    keep_smallest,
    lower,
    match_grants,
    ordered,
    part_locations,
    reportable,
    summary,
    token_span,
)
from jeplint.span import Span

PEOPLE = ("user", "group", "domain")  # GCP members that are people (user:, group:, domain:), not workloads
# Paths that make their holder a service account; held by people at project scope or above, every
# member of the binding can become every service account there.
IMPERSONATION = (
    "CreateServiceAccountKey",
    "GetServiceAccountAccessToken",
    "ServiceAccountImplicitDelegation",
    "ServiceAccountSignBlob",
    "ServiceAccountSignJwt",
    "ActAsServiceAccounts",
)
BROAD_SCOPES = ("project", "folder", "organization", "wherever")  # GCP binding scopes that reach every service account


def _gcp_token(grant: Grant, need: str) -> Value | None:
    wanted = need.lower()
    return next((v for v in grant.actions if v.text is not None and v.text.lower() == wanted), None)


def _azure_token(grant: Grant, need: str) -> Value | None:
    wanted = need.lower()
    if any(v.text is not None and glob_matches(wanted, v.text.lower()) for v in grant.excluded):
        return None
    return next((v for v in grant.actions if v.text is not None and glob_matches(wanted, v.text.lower())), None)


def _applies(path: Path, binding: Binding | None) -> bool:
    """Whether a GCP binding sits where the path works: folders.setIamPolicy held on a project grants
    nothing. Scopes jeplint cannot name (a policy applied outside the scan) are given the benefit."""
    kinds = {"organization": "Organization", "folder": "Folder", "project": "Project", "service-account": "ServiceAccount"}
    if binding is None or not path.scopes or not binding.scope_kind:
        return True
    return kinds.get(binding.scope_kind) in path.scopes


def _narrow(platform: str, binding: Binding | None) -> list[str] | None:
    """Why a binding reaches less than every identity it could: its scope, its condition. None for a
    time-bound grant (a condition on `request.time`): just-in-time access, whose length JEP2xx judge."""
    if binding is None:
        return []
    if "request.time" in binding.condition:
        return None
    why = []
    scope = binding.scope
    if platform == "gcp" and scope and not scope.startswith(BROAD_SCOPES):
        why.append(f"only on {scope}")
    if platform == "azure" and ("resourcegroups" in scope.lower() or "resource_group" in scope.lower()):
        why.append(f"only on {scope}")
    if binding.condition:
        why.append(f"under condition {binding.condition}")
    return why


def matches(platform: str, pairs: list[tuple[Binding | None, Policy]], held: set[str] | None) -> list[Match]:
    """The paths of `platform` the bound policies give; `held` (GCP: effective permissions, lower
    case) gates them, Azure patterns are matched statement by statement."""
    paths: tuple[Path, ...] = gcp_paths() if platform == "gcp" else azure_paths()
    token_of = _gcp_token if platform == "gcp" else _azure_token
    found = []
    for path in paths:
        if held is not None and not all(n.lower() in held for n in path.needs):
            continue
        parts = [
            Part(need, grant, token, binding)
            for need in path.needs
            for binding, policy in pairs
            if _applies(path, binding)
            for grant in policy.grants
            if allows(grant) and (token := token_of(grant, need)) is not None
        ]
        if {p.need for p in parts} != set(path.needs):
            continue
        candidates = [(why, p) for p in parts if p.need == path.target and (why := _narrow(platform, p.binding)) is not None]
        if not candidates:
            continue
        why, best = min(candidates, key=lambda item: len(item[0]))
        if not reportable(path.level, len(why)):
            continue
        scope = best.binding.scope if best.binding is not None else ""
        found.append(Match(path, parts, lower(path.level, len(why)), scope, [w for w in why if not w.startswith("only on")]))
    return ordered(keep_smallest(found))


def _finding(
    graph: Graph, subject: str, key: str, identity: Identity | None, found: list[Match], span: Span | None = None
) -> Finding:
    """One finding about an identity (at its declaration or binding), or an unbound role (at `span`)."""
    level = max((m.level for m in found), key=RANK.__getitem__)
    verb = "escalate to administrator" if level == "error" else "escalate its privileges"
    at = span or anchor(identity, found)
    message = (
        f"{subject} can {verb}: {summary(found)}"
        if identity is not None
        else f"{subject} lets its holder {verb}: {summary(found)}; it is attached to no identity in the scan"
    )
    return Finding(
        "JEP403",
        message,
        at,
        finish(part_locations(found), graph, identity),
        fingerprint("JEP403", at.path, key),
        level,
        (identity.key,) if identity is not None else (),
        grants=match_grants(found),
    )


def _people(graph: Graph, identity: Identity) -> Finding | None:
    """A person or group that can become every service account of a project (folder, organisation)."""
    pairs: list[tuple[Binding | None, Policy]] = [
        (b, b.policy) for b in graph.bindings_of(identity) if b.policy.platform == "gcp" and b.scope.startswith(BROAD_SCOPES[:3])
    ]
    if not pairs:
        return None
    held = {a.lower() for a in effective(graph, identity).actions}
    found = [m for m in matches("gcp", pairs, held) if m.path.id in IMPERSONATION]
    if not found:
        return None
    where = found[0].scope or "the project"
    finding = _finding(graph, identity.label, identity.key, identity, found)
    finding.message = f"{identity.label} can become every service account of {where}: {summary(found)}"
    return finding


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        if identity.platform == "gcp" and identity.kind in PEOPLE:
            people = _people(graph, identity)
            if people is not None:
                yield people
            continue
        if identity.platform not in ("gcp", "azure"):
            continue
        pairs: list[tuple[Binding | None, Policy]] = [
            (b, b.policy) for b in graph.bindings_of(identity) if b.policy.platform == identity.platform
        ]
        if not pairs:
            continue
        held = {a.lower() for a in effective(graph, identity).actions} if identity.platform == "gcp" else None
        found = matches(identity.platform, pairs, held)
        if found:
            yield _finding(graph, identity.label, identity.key, identity, found)
    seen: set[int] = set()
    for grant in source_grants(graph):
        policy = grant.policy
        if policy.platform not in ("gcp", "azure") or id(policy) in seen or identities_of(graph, policy):
            continue
        seen.add(id(policy))
        held = {v.text.lower() for g in policy.grants for v in g.actions if v.text} if policy.platform == "gcp" else None
        found = matches(policy.platform, [(None, policy)], held)
        if found:
            top = found[0]
            token = next(p.token for p in top.parts if p.need == top.path.target)
            yield _finding(graph, policy.label, policy.key, None, found, token_span(token))


RULE = Rule("JEP403", check)
