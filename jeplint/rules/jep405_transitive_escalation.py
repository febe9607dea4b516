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
the level by one. Documentation: `rules/JEP405-transitive-escalation/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jeplint.catalog.escalation import arn_parts
from jeplint.graph.model import Grant, Graph, Identity, Value
from jeplint.iamglob import matches
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import CURRENT_ACCOUNT, scoping_keys
from jeplint.rules.common.escalation import (
    RANK,
    already_admin,
    arn_name,
    aws_matches,
    aws_token,
    broad_builtin,
    finish,
    full_wildcard,
    lower,
    lowered_actions,
    path_text,
    reference_key,
    token_span,
)
from jeplint.span import Span

MAX_HOPS = 4


@dataclass(slots=True)
class Step:
    """`source` may assume `target`: through `grant` (at `token`), admitted by `principal` of `trust`."""

    source: Identity
    target: Identity
    grant: Grant
    token: Value | Span
    trust: Grant
    principal: Value

    @property
    def conditioned(self) -> bool:
        return bool(scoping_keys(self.grant) or self.trust.conditions)


def _same_scope(a: Identity, b: Identity) -> bool:
    """Same Terraform module instance or CloudFormation template: the same account, as far as a scan knows."""

    def scope(key: str) -> str:
        if "#" in key:
            return key.split("#", 1)[0]
        base, _, instance = key.partition("@")
        return base.rsplit("/", 1)[0] + "@" + instance

    return scope(a.key) == scope(b.key)


def _admits(principal: Value, source: Identity, target: Identity) -> bool:
    """Whether a trust principal of `target` names `source` (or everyone, or the scan's own account)."""
    text = principal.text
    if text is None:
        written = principal.unresolved.split(":", 1)[1] if principal.unresolved.startswith("AWS:") else ""
        return bool(written) and reference_key(written, target.key) == source.key
    if text in ("*", "AWS:*"):
        return True
    if not text.startswith("AWS:"):
        return False
    arn = text[4:]
    if arn.endswith(":root") and any(marker in arn for marker in CURRENT_ACCOUNT):
        return _same_scope(source, target)
    return arn_name(arn) == (source.kind, source.name)


def _reaches(value: Value, source_key: str, target: Identity) -> bool:
    """Whether a resource of an sts:AssumeRole grant covers role `target`."""
    if value.text is None:
        return reference_key(value.unresolved, source_key) == target.key
    if value.text == "*":
        return True
    parts = arn_parts(value.text)
    if len(parts) != 6 or parts[2] != "iam":
        return False
    kind, _, rest = parts[5].partition("/")
    return matches("role", kind) and matches(target.name, rest.rsplit("/", 1)[-1])


def _steps(graph: Graph) -> dict[int, list[Step]]:
    """Every source -> role edge of the scan, by id of the source."""
    assumers = [
        i
        for i in graph.identities
        if i.platform == "aws" and graph.bindings_of(i) and "sts:assumerole" in lowered_actions(graph, i)
    ]
    roles = [i for i in graph.identities if i.platform == "aws" and i.trust is not None]
    out: dict[int, list[Step]] = {}
    for target in roles:
        assert target.trust is not None
        admitting = [
            (t, p)
            for t in target.trust.grants
            if t.effect == "Allow" and not t.not_principals and _assumes_role(t)
            for p in t.principals
        ]
        if not admitting:
            continue
        for source in assumers:
            if source is target:
                continue
            admitted = next(((t, p) for t, p in admitting if _admits(p, source, target)), None)
            if admitted is None:
                continue
            for binding in graph.bindings_of(source):
                grant_token = next(
                    (
                        (g, tok)
                        for g in binding.policy.grants
                        if g.effect == "Allow"
                        and not g.unresolved
                        and (tok := aws_token(g, "sts:AssumeRole")) is not None
                        and (g.not_resources or any(_reaches(v, binding.policy.key, target) for v in g.resources))
                    ),
                    None,
                )
                if grant_token is not None:
                    out.setdefault(id(source), []).append(
                        Step(source, target, grant_token[0], grant_token[1], admitted[0], admitted[1])
                    )
                    break
    return out


def _assumes_role(grant: Grant) -> bool:
    texts = [v.text.lower() for v in grant.actions if v.text is not None]
    return not grant.not_actions and any(matches("sts:assumerole", t) for t in texts)


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


def _chains(steps: dict[int, list[Step]], start: Identity) -> Iterator[list[Step]]:
    """Every loop-free chain of steps from `start`, up to MAX_HOPS roles, breadth first."""
    frontier: list[list[Step]] = [[s] for s in steps.get(id(start), [])]
    while frontier:
        chain = frontier.pop(0)
        yield chain
        if len(chain) < MAX_HOPS:
            seen = {id(start)} | {id(s.target) for s in chain}
            frontier += [chain + [s] for s in steps.get(id(chain[-1].target), []) if id(s.target) not in seen]


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    steps = _steps(graph)
    for source in graph.identities:
        if id(source) not in steps or already_admin(graph, source):
            continue
        if any(m.level == "error" for m in aws_matches(graph, source)):
            continue  # JEP401 reports its own escalation
        best: tuple[int, int, list[Step], tuple[str, str, list[Related]]] | None = None
        for chain in _chains(steps, source):
            power = _power(graph, chain[-1].target)
            if power is None:
                continue
            level = lower(power[0], 1 if any(s.conditioned for s in chain) else 0)
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
    conditioned = " (a step is limited by a condition)" if any(s.conditioned for s in chain) else ""
    message = f"{source.label} can {verb} by assuming roles ({names}){conditioned}: {what}"
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
