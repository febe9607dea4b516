"""The function an identity clearly holds, for narrowing a wildcard without a declared purpose.

An AWS identity clearly holds a function when its other statements (every Allow statement except the
wildcard's own) list actions by name — no pattern, nothing unresolved — and what they grant, plumbing
and listing left out (as JEP301 counts), falls in one service: its functions there (`sqs
data-read`, `sqs data-write`) are what the identity is for. A pattern in another statement, an
unresolved grant or policy, or functions in two services: nothing is certain (None).
"""

from __future__ import annotations

from jeplint.catalog.functions import NOT_COUNTED, classify, plumbing
from jeplint.graph.effective import effective
from jeplint.graph.model import Grant, Graph, Identity
from jeplint.rules.common.functions import DOMAIN_ALIASES, named


def _listed(grant: Grant) -> bool:
    """Every action written by name: no pattern, nothing unresolved, no NotAction."""
    return not grant.not_actions and all(
        v.text is not None and not v.partial and not any(ch in v.text for ch in "*?") for v in grant.actions
    )


def held_functions(graph: Graph, identity: Identity, wildcard: Grant) -> frozenset[tuple[str, str]] | None:
    """{(service, capability)} the identity's other statements hold, all in one service; None when
    that is not certain."""
    if identity.platform != "aws":
        return None
    eff = effective(graph, identity)
    if eff.unresolved:
        return None
    found: set[tuple[str, str]] = set()
    for grant, _, actions in eff.granted:
        if grant is wildcard:
            continue
        if not _listed(grant):
            return None
        for action in sorted(actions & eff.actions):
            if plumbing(action, "aws", named(grant)):
                continue
            function = classify(action, "aws")
            if function.capability not in NOT_COUNTED:
                found.add((DOMAIN_ALIASES.get(function.domain, function.domain), function.capability))
    if not found or len({domain for domain, _ in found}) != 1:
        return None
    return frozenset(found)


def shared(graph: Graph, identities: list[Identity], wildcard: Grant) -> frozenset[tuple[str, str]] | None:
    """The functions every one of `identities` clearly holds (the same for all), or None."""
    found = {held_functions(graph, identity, wildcard) for identity in identities}
    if len(found) != 1 or None in found:
        return None
    return next(iter(found))
