"""JEP301 multi-function-identity: one identity holds permissions for unrelated functions.

Each permission an identity effectively holds (after wildcard expansion, Deny and boundaries) is
classed as a function = (service, capability) by `jeplint.catalog.functions`; operational plumbing,
listing, describing and tagging do not count (`jeplint.rules.common.functions`). Functions are grouped by
what they act on: one service, one statement, or a resource both statements name is one group.

Reported as an error when identity administration (writing IAM, SSO or RBAC: never `iam:PassRole`,
which is delegation and JEP401's to judge, nor reading Organizations) sits in one group and other
functions in another: the separation-of-duties pairs grant-and-use (identity-admin with
code-execution) and issue-and-use (identity-admin with credential-issue) are this case. Many
unrelated groups with several high-impact capabilities are a note: on real estates a count of
services says more about a deployment role's purpose than about a workload holding two jobs.
Identities with near-full access are JEP101's and JEP106's (`defers_to`), and identities people sign
in as (SSO permission sets, Kubernetes users and groups, GCP users and groups, AWS roles whose trust
requires MFA or admits only SAML: `common.people_only`) are not judged.
Documentation: `rules/JEP301-multi-function-identity/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog.functions import HIGH_IMPACT
from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import human, statement_key
from jeplint.rules.common.functions import (
    IDENTITY_DOMAINS,
    Functions,
    anchor,
    describe_functions,
    function_locations,
    functions_of,
    near_full,
    resource_groups,
)


def assess(functions: Functions, options: Options) -> tuple[str, str, Functions] | None:
    """(level, why, the functions that are the cause) when the functions are unrelated enough to
    report. The cause of "identity administration next to other functions" is the identity
    administration: an escalation rule (JEP401/JEP403) that reports those statements says it better."""
    if not functions:
        return None
    groups = resource_groups(functions)
    admin = [g for g in groups if any(f.capability == "identity-admin" and f.domain in IDENTITY_DOMAINS for f in g)]
    others = [g for g in groups if g not in admin]
    if admin and others:
        pairs = sorted({f.capability for g in others for f in g} & {"code-execution", "credential-issue"})
        why = "identity administration next to other functions" + (
            f" ({', '.join(pairs)}: separation of duties)" if pairs else ""
        )
        return (
            "error",
            why,
            {f: a for f, a in functions.items() if f.capability == "identity-admin" and f.domain in IDENTITY_DOMAINS},
        )
    # Counted on the statements written in the scan: an AWS managed policy that spans services (a
    # FullAccess policy with its autoscaling and alarm helpers) is one grant, JEP106's kind of breadth.
    written = {f: a for f, a in functions.items() if any(g.policy.span is not None for _, g in a)}
    written_groups = resource_groups(written)
    high = {f.capability for f in written} & HIGH_IMPACT
    if len(written_groups) >= options.multi_function_domains and len(high) >= options.multi_function_high_impact:
        return "note", f"{len(written_groups)} groups of functions that act on different resources", written
    return None


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        span = anchor(graph, identity)
        if human(identity) or not graph.bindings_of(identity) or span is None or near_full(graph, identity):
            continue
        functions = functions_of(graph, identity)
        verdict = assess(functions, options)
        if verdict is None:
            continue
        level, why, cause = verdict
        domains = {f.domain for f in functions}
        split = ", ".join(sorted(domains)[:4]) + (" ..." if len(domains) > 4 else "")
        message = (
            f"{identity.label} holds {len(functions)} unrelated functions across {len(domains)} services ({why}): "
            f"{describe_functions(functions)}. Split it into one identity per workload (by service: {split}), each with just its function"
        )
        yield Finding(
            "JEP301",
            message,
            span,
            function_locations(graph, identity, functions),
            fingerprint("JEP301", identity.key, *sorted(f.name for f in functions)),
            level,
            (identity.key,),
            grants=tuple(sorted({statement_key(g) for actions in cause.values() for _, g in actions})),
        )


RULE = Rule("JEP301", check)
