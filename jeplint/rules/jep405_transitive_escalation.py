"""JEP405 transitive-escalation: an identity reaches administrator, or an escalation path, by
assuming roles: A may assume role B when B's trust policy admits A (A's ARN or reference, `*`, or
the scan's own account root for an identity of the same module or template) and A holds
sts:AssumeRole on B (on `*`, a pattern matching B, B's ARN or a reference to B). Chains are followed
up to `MAX_HOPS` roles.

One finding per identity, at its declaration, for the most powerful role it reaches (administrator
first, then the most severe escalation path, then the shortest chain). The related locations walk the
chain in order: each sts:AssumeRole grant and each trust principal that admits the step, then what
the last role holds. An identity that is administrator already, or holds an error-level escalation
of its own (JEP401), is not reported again. A condition on a step's grant or trust statement lowers
the level by one. A step whose trust principal names the identity by an ARN of an account the scan
cannot tie to it says so. Documentation: `rules/JEP405-transitive-escalation/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.assume import Step, assume_edges
from jeplint.graph.model import Graph, Identity
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import scoping_keys
from jeplint.rules.common.escalation import (
    RANK,
    already_admin,
    aws_matches,
    broad_builtin,
    finish,
    full_wildcard,
    lower,
    path_text,
    token_span,
)

MAX_HOPS = 4


def _conditioned(step: Step) -> bool:
    return bool(scoping_keys(step.grant) or step.trust.conditions)


def _power(graph: Graph, role: Identity) -> tuple[str, str, list[Related]] | None:
    """(level, what the role can do, where) when it is administrator or holds an escalation path."""
    if already_admin(graph, role):
        grants = [(b, g) for b in graph.bindings_of(role) for g in b.policy.grants if full_wildcard(g) or broad_builtin(b.policy)]
        named = sorted({g.where if b.policy.span is not None else b.policy.label for b, g in grants})
        related = [
            Related(
                g.span if b.policy.span is not None else b.span,
                f"{role.label} holds {g.where if b.policy.span is not None else b.policy.label}",
            )
            for b, g in grants
        ]
        return "error", f"{role.label} can perform nearly every AWS action" + (f" ({', '.join(named)})" if named else ""), related
    matches = aws_matches(graph, role)
    if not matches:
        return None
    top = matches[0]
    related = [Related(token_span(p.token), f"{p.need} for path {top.path.id}: {p.grant.where}") for p in top.parts]
    return top.level, f"{role.label} can escalate: {path_text(top)}", related


def _search(steps: dict[int, list[Step]], start: Identity) -> Iterator[tuple[list[Step], bool]]:
    """(chain, whether a step is conditioned) for each state (role, conditioned) reachable from
    `start` in up to MAX_HOPS roles, breadth first: each state once, by its shortest chain.

    Linear in the edges, where listing every loop-free chain grew with the number of chains (20
    roles that may all assume each other: 16 s, 30 roles: over 9 minutes; issue 20). A state first
    reached by a longer chain, or only through a loop, can only rank lower than its shortest chain
    (`check` prefers the shorter of two equal levels), so nothing the old search found is lost.
    """
    seen = {(id(start), False)}
    frontier: list[tuple[list[Step], bool]] = [([], False)]
    for _ in range(MAX_HOPS):
        following = []
        for chain, conditioned in frontier:
            here = chain[-1].target if chain else start
            for step in steps.get(id(here), []):
                state = (id(step.target), conditioned or _conditioned(step))
                if step.target is start or state in seen:
                    continue
                seen.add(state)
                reached = (chain + [step], state[1])
                yield reached
                following.append(reached)
        frontier = following


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    steps = assume_edges(graph)
    for source in graph.identities:
        if id(source) not in steps or already_admin(graph, source):
            continue
        if any(m.level == "error" for m in aws_matches(graph, source)):
            continue  # JEP401 reports its own escalation
        best: tuple[int, int, list[Step], tuple[str, str, list[Related]]] | None = None
        powers: dict[int, tuple[str, str, list[Related]] | None] = {}
        for chain, conditioned in _search(steps, source):
            role = chain[-1].target
            if id(role) not in powers:
                powers[id(role)] = _power(graph, role)
            power = powers[id(role)]
            if power is None:
                continue
            level = lower(power[0], 1 if conditioned else 0)
            rank = (RANK[level], -len(chain))
            if best is None or rank > (best[0], best[1]):
                best = (rank[0], rank[1], chain, (level, power[1], power[2]))
        if best is None:
            continue
        _, _, chain, (level, what, power_related) = best
        yield _finding(graph, source, chain, level, what, power_related)


def _finding(graph: Graph, source: Identity, chain: list[Step], level: str, what: str, power_related: list[Related]) -> Finding:
    names = " → ".join([source.label] + [s.target.label for s in chain])
    verb = "escalate to administrator" if level == "error" else "escalate its privileges"
    conditioned = " (a step is limited by a condition)" if any(_conditioned(s) for s in chain) else ""
    unsure = "".join(f" (step {n}: {s.unsure})" for n, s in enumerate(chain, start=1) if s.unsure)
    message = f"{source.label} can {verb} by assuming roles ({names}){conditioned}{unsure}: {what}"
    related: list[Related] = []
    for number, step in enumerate(chain, start=1):
        related.append(
            Related(
                token_span(step.token),
                f"step {number}: {step.source.label} may call sts:AssumeRole on {step.target.label} ({step.grant.where})",
            )
        )
        related.append(
            Related(step.principal.span, f"step {number}: the trust policy of {step.target.label} admits {step.source.label}")
        )
    flow = list(related) + power_related[:1]
    related += power_related
    span = source.span or token_span(chain[0].token)
    finding = Finding(
        "JEP405",
        message,
        span,
        finish(related, graph, source),
        fingerprint("JEP405", span.path, source.key, *(s.target.key for s in chain)),
        level,
        (source.key,),
    )
    finding.flow = ([Related(span, f"{source.label} starts here")] if source.span else []) + flow
    return finding


RULE = Rule("JEP405", check)
