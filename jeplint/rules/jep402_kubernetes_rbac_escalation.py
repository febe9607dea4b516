"""JEP402 kubernetes-rbac-escalation: an RBAC rule lets its holders escalate: `bind`, `escalate`,
`impersonate`, read Secrets, create `serviceaccounts/token`, exec into pods (`get` or `create` on
`pods/exec` / `pods/attach`), proxy to nodes, create pods or pod controllers, approve certificate
signing requests, or write admission webhooks.

Reported at the verb that grants it, naming the holders and where the grant applies: cluster-wide
(a ClusterRoleBinding, or `kube-system`) or in one namespace (a RoleBinding), with the level of the
risk for that scope. A `*` verb is JEP104's finding (its message names the resources) and
cluster-admin is JEP106's: only named verbs are reported here; a `*` in resources or apiGroups is
followed, since it hides which sensitive resources the rule reaches. The risks:
`jeplint.catalog.escalation.rbac_risks`. Documentation: `rules/JEP402-kubernetes-rbac-escalation/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog.escalation import RbacRisk, rbac_risks
from jeplint.graph.model import Grant, Graph, Policy, Value
from jeplint.graph.names import APPLY_NAMESPACE
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import grant_finding, identities_of, source_grants, who
from jeplint.rules.common.escalation import RANK, lower
from jeplint.rules.common.purpose import gitops

PRIVILEGED_NAMESPACES = ("kube-system",)
READ_ALL = ("list", "watch", "*")  # verbs that return every Secret, not one guessed name


def resource_matches(written: str, wanted: str) -> bool:
    """RBAC resource matching: `*`, the name, `pods/*` (every subresource of pods), `*/exec`."""
    if written in ("*", wanted):
        return True
    if written.endswith("/*"):
        return wanted.startswith(written[:-1])
    return written.startswith("*/") and wanted.endswith(written[1:])


def verbs_for(grant: Grant, risk: RbacRisk) -> list[Value]:
    """The verb tokens of `grant` that give `risk` (empty when the rule does not). Verbs must be
    named: a `*` verb is JEP104's finding, whose message names the resources. A `*` in apiGroups or
    resources is followed, since it hides which sensitive resources the rule reaches."""
    groups = [v.text for v in grant.api_groups if v.text is not None]
    resources = [v.text for v in grant.resources if v.text is not None]
    hits: list[Value] = []
    for api_groups, wanted, verbs in risk.rules:
        if not any(g == "*" or g in api_groups for g in groups):
            continue
        if not any(resource_matches(r, w) for r in resources for w in wanted):
            continue
        hits += [v for v in grant.actions if v.text is not None and v.text in verbs and v not in hits]
    return hits


def _scope(graph: Graph, policy: Policy) -> tuple[bool, str]:
    """(cluster-wide, words): where the rule applies, from the bindings of its role."""
    namespaces: list[str] = []
    for binding in graph.holders(policy):
        if binding.scope_kind != "namespace":
            return True, "cluster-wide"
        namespaces.append(binding.namespace)
    if not namespaces:
        if policy.kind == "ClusterRole":
            return True, "wherever it is bound"
        namespaces = [policy.key.split(":", 1)[-1].split("/", 1)[0]]  # Role:<namespace>/<name>
    unique = sorted(set(namespaces))
    if unique == [APPLY_NAMESPACE]:
        return False, "in the namespace set at apply"
    words = ", ".join("the namespace set at apply" if ns == APPLY_NAMESPACE else ns for ns in unique)
    if any(ns in PRIVILEGED_NAMESPACES for ns in unique):
        return True, f"in namespace {words}"
    return False, f"in namespace{'s' if len(unique) > 1 else ''} {words}"


def _holds(graph: Graph, policy: Policy, risk_id: str, index: int) -> bool:
    """Whether the policy, or a policy bound to one of its holders, matches entry `index` of a risk."""
    risk = next(r for r in rbac_risks() if r.id == risk_id)
    single = RbacRisk(risk.id, risk.short, risk.effect, (risk.rules[index],), risk.cluster_level, risk.namespace_level)
    policies = [policy] + [b.policy for h in graph.holders(policy) for b in graph.bindings_of(h.identity)]
    return any(verbs_for(g, single) for p in policies for g in p.grants)


def _level(risk: RbacRisk, verbs: list[Value], grant: Grant, cluster: bool) -> str | None:
    level = risk.cluster_level if cluster else risk.namespace_level
    if level is None:
        return None  # a cluster-scoped resource granted in a namespace: it grants nothing
    if risk.id == "K8S-SECRETS-READ" and grant.resource_names:
        return None  # named Secrets: the narrow way to let a workload read its own configuration
    steps = int(bool(grant.resource_names))
    if risk.id == "K8S-SECRETS-READ" and not any(v.text in READ_ALL for v in verbs):
        steps += 1  # `get` needs the Secret's name
    return lower(level, steps)


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform != "kubernetes" or grant.unresolved:
            continue
        cluster, where = _scope(graph, grant.policy)
        found: list[tuple[str, RbacRisk, list[Value]]] = []
        for risk in rbac_risks():
            verbs = verbs_for(grant, risk)
            if risk.id == "K8S-CSR-APPROVE":  # approving takes both the approval subresource and the signer
                single = RbacRisk(risk.id, risk.short, risk.effect, risk.rules[:1], risk.cluster_level, risk.namespace_level)
                verbs = verbs_for(grant, single) if _holds(graph, grant.policy, risk.id, 1) else []
            level = _level(risk, verbs, grant, cluster) if verbs else None
            if level is not None:
                found.append((level, risk, verbs))
        if not found:
            continue
        found.sort(key=lambda item: -RANK[item[0]])
        only = f" (only {', '.join(v.text or '?' for v in grant.resource_names)})" if grant.resource_names else ""
        risks = "; ".join(
            f"{risk.short} ({', '.join(sorted({v.text or '?' for v in verbs}))}){only} {risk.effect}" for _, risk, verbs in found
        )
        finding = grant_finding(graph, "JEP402", grant, found[0][2][0], "")
        holders = identities_of(graph, grant.policy)
        if holders:
            finding.message = f"{who(holders)} can escalate its privileges {where} through {grant.where}: {risks}"
        else:
            finding.message = (
                f"{grant.where} lets its holder escalate its privileges {where}: {risks}; it is bound to no identity in the scan"
            )
        finding.level = found[0][0]
        product = _gitops(graph, grant, holders, [risk.id for _, risk, _ in found])
        if product:
            finding.level = "note"
            finding.message += (
                f" (inherent to {product}: a GitOps controller keeps its repository and cluster credentials in the Secrets "
                "of its own namespace)"
            )
        yield finding


def _gitops(graph: Graph, grant: Grant, holders: list, risks: list[str]) -> str:
    """The GitOps product whose controllers alone hold the rule, when it only reads Secrets and is
    bound in the controllers' own namespace (`purpose.gitops`), else ""."""
    bindings = graph.holders(grant.policy)
    if set(risks) != {"K8S-SECRETS-READ"} or not bindings or any(b.scope_kind != "namespace" for b in bindings):
        return ""
    return gitops(holders, [b.namespace for b in bindings])


RULE = Rule("JEP402", check)
