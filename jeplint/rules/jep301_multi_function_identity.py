"""JEP301 multi-function-identity: one identity holds permissions for unrelated functions.

Each permission an identity effectively holds (after wildcard expansion, Deny and boundaries) is
classed as a function = (service, capability) by `jeplint.catalog.functions`; listing, describing,
tagging and the baseline every workload needs do not count. Reported as an error when identity
administration sits next to another service's function or in a separation-of-duties pair with
code-execution or credential-issue; as a warning for the other pairs across services
(credential-issue + data-read, export-report + destroy) and when the counts pass the thresholds in
`Options`; as a note for several high-impact capabilities inside one service.
Identities with near-full access are left to JEP101/JEP106, and identities people sign in as
(SSO permission sets, Kubernetes users and groups, GCP users and groups) are not judged. Documentation:
`rules/JEP301-multi-function-identity/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog.functions import HIGH_IMPACT, IDENTITY_SERVICES, NOT_COUNTED, Function, baseline, classify
from jeplint.graph.conditions import names_key
from jeplint.graph.effective import _all_aws, effective
from jeplint.graph.model import Grant, Graph, Identity
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import human, identity_locations

SOD_PAIRS = (
    ("identity-admin", "code-execution"),
    ("identity-admin", "credential-issue"),
    ("credential-issue", "data-read"),
    ("export-report", "destroy"),
)
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


def functions_of(graph: Graph, identity: Identity) -> dict[Function, list[tuple[str, Grant]]]:
    """{function: [(action, granting statement), ...]} of what an identity can do, baseline left out."""
    eff = effective(graph, identity)
    out: dict[Function, list[tuple[str, Grant]]] = {}
    for action in sorted(eff.actions):
        if baseline(action, identity.platform):
            continue
        function = classify(action, identity.platform)
        if function.capability == "identity-admin" and action.lower() == "iam:passrole" and _scoped_pass_role(eff.source(action)):
            # PassRole on named roles, or only to a named service, hands over a chosen role: part of
            # deploying a workload, not identity administration.
            function = Function(function.domain, "modify", "passes named roles")
        if function.capability in NOT_COUNTED:
            continue
        domain = DOMAIN_ALIASES.get(function.domain, function.domain)
        out.setdefault(Function(domain, function.capability, ""), []).append((action, eff.source(action)))
    return out


def _scoped_pass_role(grant: Grant) -> bool:
    """PassRole limited to named roles (not `*`, not `role/*`), or to a named service."""
    passed_to = names_key(grant.conditions, "iam:passedtoservice")
    named = (
        bool(grant.resources)
        and not grant.not_resources
        and all(v.text is not None and v.text != "*" and not v.text.endswith(":role/*") for v in grant.resources)
    )
    return passed_to or named


def near_full(graph: Graph, identity: Identity) -> bool:
    """Administrator-grade access (JEP101/JEP104/JEP106's to report): more than half of the platform's
    catalogue, or a literal everything (`*` on `*`)."""
    actions = effective(graph, identity).actions
    if identity.platform == "aws":
        return len(actions) > NEAR_FULL * max(1, len(_all_aws()))
    if identity.platform == "kubernetes":
        from jeplint.catalog.k8s import all_permissions

        return "* */*" in actions or "* ?/*" in actions or len(actions & all_permissions()) > NEAR_FULL * len(all_permissions())
    if identity.platform == "azure":
        return "*" in actions
    return len(actions) > NEAR_FULL_GCP


def describe_functions(functions: dict[Function, list[tuple[str, Grant]]]) -> str:
    parts = []
    for function, actions in sorted(
        functions.items(), key=lambda kv: (kv[0].capability not in HIGH_IMPACT, kv[0].domain, kv[0].capability)
    )[:SHOWN]:
        names = ", ".join(a.replace(" /", " ") for a, _ in actions[:2]) + (f" +{len(actions) - 2}" if len(actions) > 2 else "")
        parts.append(f"{function.domain} {function.capability} ({names} via {actions[0][1].where})")
    more = f"; and {len(functions) - SHOWN} more" if len(functions) > SHOWN else ""
    return "; ".join(parts) + more


def function_locations(graph: Graph, identity: Identity, functions: dict[Function, list[tuple[str, Grant]]]) -> list[Related]:
    related = identity_locations(graph, identity)
    for function, actions in sorted(functions.items(), key=lambda kv: (kv[0].domain, kv[0].capability)):
        grant = actions[0][1]
        related.append(
            Related(
                grant.span, f"{grant.where} grants {actions[0][0].replace(' /', ' ')} ({function.domain} {function.capability})"
            )
        )
    return related[:100]


def anchor(graph: Graph, identity: Identity):  # -> Span
    if identity.span is not None:
        return identity.span
    bindings = graph.bindings_of(identity)
    return bindings[0].span if bindings else None


def assess(functions: dict[Function, list[tuple[str, Grant]]], options: Options) -> tuple[str, str] | None:
    """(level, why) when the functions are unrelated enough to report, else None.

    Functions inside one service (what a service wildcard gives: JEP102's to report) are at most a
    note; across services, identity administration next to anything else and separation-of-duties
    pairs are errors, and the configured counts make a warning.
    """
    if not functions:
        return None
    by_capability: dict[str, set[str]] = {}
    for function in functions:
        by_capability.setdefault(function.capability, set()).add(function.domain)
    domains = {f.domain for f in functions}
    high = set(by_capability) & HIGH_IMPACT
    admin = by_capability.get("identity-admin", set()) & IDENTITY_DOMAINS
    if admin and domains - admin:
        return "error", "identity administration next to other services' functions"
    pairs = [
        f"{a} with {b}" for a, b in SOD_PAIRS if any(x != y for x in by_capability.get(a, ()) for y in by_capability.get(b, ()))
    ]
    if pairs and len(domains) > 1:
        level = "error" if any(p.startswith("identity-admin") for p in pairs) else "warning"
        return level, "separation of duties: " + ", ".join(pairs)
    if len(domains) > 1 and (
        len(functions) >= options.multi_function_functions
        or len(domains) >= options.multi_function_domains
        or len(high) >= options.multi_function_high_impact
    ):
        return "warning", f"{len(high)} high-impact capabilities" if len(
            high
        ) >= options.multi_function_high_impact else "more functions than one workload needs"
    written = all("*" not in action and "?" not in action for actions in functions.values() for action, _ in actions)
    by_pattern = any(any("*" in (v.text or "") for v in grant.actions) for actions in functions.values() for _, grant in actions)
    if len(domains) == 1 and len(high) >= 2 and len(functions) >= 3 and written and not by_pattern:
        # A service wildcard gives every capability of its service: that is JEP102's to report.
        return "note", "several capabilities within one service"
    return None


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        if human(identity) or not graph.bindings_of(identity) or anchor(graph, identity) is None or near_full(graph, identity):
            continue
        functions = functions_of(graph, identity)
        verdict = assess(functions, options)
        if verdict is None:
            continue
        level, why = verdict
        domains = {f.domain for f in functions}
        split = ", ".join(sorted(domains)[:4]) + (" ..." if len(domains) > 4 else "")
        message = (
            f"{identity.label} holds {len(functions)} unrelated functions across {len(domains)} services ({why}): "
            f"{describe_functions(functions)}. Split it into one identity per workload (by service: {split}), each with just its function"
        )
        yield Finding(
            "JEP301",
            message,
            anchor(graph, identity),
            function_locations(graph, identity, functions),
            fingerprint("JEP301", identity.key, *sorted(f.name for f in functions)),
            level,
            (identity.key,),
        )


RULE = Rule("JEP301", check)
