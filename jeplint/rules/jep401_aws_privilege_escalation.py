"""JEP401 aws-privilege-escalation: an AWS identity holds a combination of actions that lets it gain
privileges it was not given (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction,
iam:PutRolePolicy, iam:CreatePolicyVersion, ...), evaluated on its effective permissions.

One finding per identity, at its declaration (or at the attachment when it is only referenced),
naming the paths with the statement that grants each action; the tokens are related locations. A
policy attached to no identity is evaluated on its own and reported at its target action. The
combinations: `jeplint.catalog.escalation` (pathfinding.cloud, cloudsplaining). Narrowing and
levels: `jeplint.rules.common.escalation`. Documentation: `rules/JEP401-aws-privilege-escalation/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import identities_of, source_grants, unattached
from jeplint.rules.common.escalation import (
    RANK,
    anchor,
    aws_matches,
    finish,
    match_grants,
    part_locations,
    summary,
    token_span,
    unbound_matches,
)


def _verb(level: str) -> str:
    return "escalate to administrator" if level == "error" else "escalate its privileges"


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        if identity.platform != "aws" or not graph.bindings_of(identity):
            continue
        matches = aws_matches(graph, identity)
        if not matches:
            continue
        level = max((m.level for m in matches), key=RANK.__getitem__)
        span = anchor(identity, matches)
        yield Finding(
            "JEP401",
            f"{identity.label} can {_verb(level)}: {summary(matches)}",
            span,
            finish(part_locations(matches), graph, identity),
            fingerprint("JEP401", span.path, identity.key, level, *sorted({m.path.id for m in matches})),
            level,
            (identity.key,),
            grants=match_grants(matches),
        )
    seen: set[int] = set()
    for grant in source_grants(graph):
        policy = grant.policy
        if policy.platform != "aws" or id(policy) in seen or identities_of(graph, policy):
            continue
        seen.add(id(policy))
        matches = unbound_matches(policy)
        if not matches:
            continue
        level = max((m.level for m in matches), key=RANK.__getitem__)
        top = matches[0]
        span = token_span(next(p.token for p in top.parts if p.need == top.path.target))
        yield Finding(
            "JEP401",
            f"{policy.label} lets its holder {_verb(level)}: {summary(matches)}; {unattached(policy)}",
            span,
            finish(part_locations(matches), graph, None),
            fingerprint("JEP401", span.path, policy.key, level, *sorted({m.path.id for m in matches})),
            level,
            grants=match_grants(matches),
        )


RULE = Rule("JEP401", check)
