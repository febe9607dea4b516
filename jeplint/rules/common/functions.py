"""What the function rules (JEP301, JEP302) share: an identity's functions, with the statements that
grant them, the plumbing left out; how to describe and locate them.

A function is (service, capability) from `jeplint.catalog.functions`. Operational plumbing (own
logs, traces, metrics, image pulls, VPC network interfaces, the SSM agent, decrypting with its own key
and reading its own configuration when the statement names them) is never a function: every workload
needs it. Listing, describing and tagging are not counted either.
"""

from __future__ import annotations

from typing import cast

from jeplint.catalog import aws_actions
from jeplint.catalog.functions import HIGH_IMPACT, IDENTITY_SERVICES, NOT_COUNTED, Function, classify, plumbing
from jeplint.graph.effective import effective
from jeplint.graph.model import Grant, Graph, Identity
from jeplint.rules.base import Related
from jeplint.rules.common import SELF_USER, identity_locations
from jeplint.span import Span

Functions = dict[Function, list[tuple[str, Grant]]]

IDENTITY_DOMAINS = (
    IDENTITY_SERVICES
    | {"iam", "Microsoft.Authorization", "*", "resourcemanager"}
    | {f"rbac.authorization.k8s.io/{r}" for r in ("roles", "clusterroles", "rolebindings", "clusterrolebindings", "*")}
    | {"core/serviceaccounts", "core/users", "core/groups", "certificates.k8s.io/certificatesigningrequests"}
)
NEAR_FULL = 0.5  # share of the AWS catalogue above which an identity is "administrator" (JEP101/106)
NEAR_FULL_GCP = 5000  # GCP permissions (roles/editor holds about 12,000)
SHOWN = 6

# Service prefixes that are one service for this purpose.
DOMAIN_ALIASES = {
    "s3-object-lambda": "s3",
    "s3express": "s3",
    "s3-outposts": "s3",
    "s3tables": "s3",
    "dax": "dynamodb",
    "elasticloadbalancing": "ec2",
    "autoscaling": "ec2",
}


def named(grant: Grant) -> bool:
    """The statement names its resources: no `*`, no `NotResource`, nothing unresolved."""
    return (
        bool(grant.resources)
        and not grant.not_resources
        and all(v.text is not None and v.text != "*" and not v.text.endswith(("/*", ":*")) for v in grant.resources)
    )


def self_service(grant: Grant) -> bool:
    """Every resource of the statement is the caller's own user (`user/${aws:username}`): managing
    one's own password, keys and MFA is self-service, not a function of the identity."""
    written = [v.text if v.text is not None else v.unresolved for v in grant.resources]
    return bool(written) and not grant.not_resources and all(any(m in w for m in SELF_USER) for w in written)


def functions_of(graph: Graph, identity: Identity) -> Functions:
    """{function: [(action, granting statement), ...]} of what an identity can do, plumbing and
    self-service on its own user left out."""
    eff = effective(graph, identity)
    sources = eff.sources  # one pass over the grants, not one per action (`Effective.source`)
    # (action, the statement names its resources) -> the function it counts as, None when it is not
    # counted: shared by the identities of the scan (a read-only managed policy is ~7,000 actions).
    counted = cast(dict[tuple[str, bool], "Function | None"], graph.memo.setdefault("counted-functions", {}))
    facts: dict[int, tuple[bool, bool]] = {}  # id(grant) -> (named, self-service)
    out: Functions = {}
    for action in sorted(eff.actions):
        grant = sources[action]
        fact = facts.get(id(grant))
        if fact is None:
            fact = facts[id(grant)] = (named(grant), self_service(grant))
        if fact[1]:
            continue
        key = (action, fact[0])
        if key not in counted:
            counted[key] = _counted(action, identity.platform, fact[0])
        function = counted[key]
        if function is not None:
            out.setdefault(function, []).append((action, grant))
    return out


def _counted(action: str, platform: str, named: bool) -> Function | None:
    """The function `action` counts as (its domain aliased), None for plumbing and what is not counted."""
    if plumbing(action, platform, named):
        return None
    function = classify(action, platform)
    if function.capability in NOT_COUNTED:
        return None
    return Function(DOMAIN_ALIASES.get(function.domain, function.domain), function.capability, "")


def resource_groups(functions: Functions) -> list[set[Function]]:
    """Functions grouped by what they act on: one service, one statement, or a resource named in both
    statements is one group (a Lambda that reads a bucket and writes a table it names acts on one
    data set). Connected components of that relation."""
    parent: dict[Function, Function] = {f: f for f in functions}

    def root(f: Function) -> Function:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    first: dict[object, Function] = {}
    for function, actions in functions.items():
        keys: set[object] = {("domain", function.domain)}
        for _, grant in actions:
            keys.add(("statement", id(grant)))
            keys |= {("resource", v.text) for v in grant.resources if v.text not in (None, "*") and not grant.not_resources}
        for key in keys:
            if key in first:
                parent[root(function)] = root(first[key])
            else:
                first[key] = function
    groups: dict[Function, set[Function]] = {}
    for function in functions:
        groups.setdefault(root(function), set()).add(function)
    return list(groups.values())


def near_full(graph: Graph, identity: Identity) -> bool:
    """Administrator-grade access (JEP101/JEP104/JEP106's to report): more than half of the platform's
    catalogue, or a literal everything (`*` on `*`)."""
    actions = effective(graph, identity).actions
    if identity.platform == "aws":
        return len(actions) > NEAR_FULL * max(1, aws_actions.action_count())
    if identity.platform == "kubernetes":
        from jeplint.catalog.k8s import all_permissions

        return "* */*" in actions or "* ?/*" in actions or len(actions & all_permissions()) > NEAR_FULL * len(all_permissions())
    if identity.platform == "azure":
        return "*" in actions
    return len(actions) > NEAR_FULL_GCP


def describe_functions(functions: Functions) -> str:
    parts = []
    for function, actions in sorted(
        functions.items(), key=lambda kv: (kv[0].capability not in HIGH_IMPACT, kv[0].domain, kv[0].capability)
    )[:SHOWN]:
        names = ", ".join(a.replace(" /", " ") for a, _ in actions[:2]) + (f" +{len(actions) - 2}" if len(actions) > 2 else "")
        parts.append(f"{function.domain} {function.capability} ({names} via {actions[0][1].where})")
    more = f"; and {len(functions) - SHOWN} more" if len(functions) > SHOWN else ""
    return "; ".join(parts) + more


def function_locations(graph: Graph, identity: Identity, functions: Functions) -> list[Related]:
    related = identity_locations(graph, identity)
    for function, actions in sorted(functions.items(), key=lambda kv: (kv[0].domain, kv[0].capability)):
        grant = actions[0][1]
        related.append(
            Related(
                grant.span, f"{grant.where} grants {actions[0][0].replace(' /', ' ')} ({function.domain} {function.capability})"
            )
        )
    return related[:100]


def anchor(graph: Graph, identity: Identity) -> Span | None:
    if identity.span is not None:
        return identity.span
    bindings = graph.bindings_of(identity)
    return bindings[0].span if bindings else None
