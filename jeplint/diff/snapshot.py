"""One side of a `jeplint diff`: what each identity holds after a scan, as comparable facts.

A `State` per identity key (`Identity.key`, the key findings' fingerprints use: a Terraform
resource address within its folder and module instance, a CloudFormation template and logical id,
`sa:<namespace>/<name>`, ...). Line numbers are never part of a fact, so a reformat or a moved
block changes nothing; each fact keeps the `Span` where it is written, for the report to point at.

Categories of facts (`CATEGORIES`):
- `actions`: effective actions (`jeplint.graph.effective`: AWS expanded against the catalogue,
  after Deny and boundaries), plus those of every identity it acts as through a link (IRSA, GKE or
  Azure workload identity), which the link's span gives;
- `resources`: the resources its Allow grants name (`*` included), cloud platforms only;
- `bindings`: each policy bound to it and how (attachment, binding, scope, condition);
- `trust`: who may act as it (trust-policy principals with their conditions, linked identities);
- `acts_as`: the identities it acts as; `workloads`: what runs as it (or as an identity acting as it);
- `credentials`: secrets that authenticate as it;
- `escalations`: the JEP401/402/403/405 findings about it (escalation paths, transitive reach).
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
from dataclasses import dataclass, field

from jeplint.catalog import aws_actions
from jeplint.diff import levels
from jeplint.graph.effective import effective
from jeplint.graph.model import Credential, Grant, Graph, Identity
from jeplint.rules.base import Finding
from jeplint.run import Problem, ScanResult
from jeplint.span import Span

CATEGORIES = ("actions", "resources", "bindings", "trust", "acts_as", "workloads", "credentials", "escalations")
ESCALATION_RULES = ("JEP401", "JEP402", "JEP403", "JEP405")

Where = Span | Grant | None  # where a fact is written; a Grant until asked (`locate`): finding the token costs
Facts = dict[str, Where]  # fact text -> where it is written


@dataclass(slots=True)
class State:
    key: str
    name: str
    kind: str
    platform: str
    label: str
    span: Span | None
    local: str  # the key without its file or folder: pairs an identity whose file was renamed
    facts: dict[str, Facts] = field(default_factory=lambda: {c: {} for c in CATEGORIES})
    resource_grants: dict[str, list[Grant]] = field(default_factory=dict)  # resource -> the Allow grants naming it
    resource_levels: dict[str, int] = field(default_factory=dict)  # the same, weighed (`portable`)

    def resource_level(self, resource: str) -> int:
        """The most privilege a grant naming `resource` allows (`jeplint.diff.levels`)."""
        weighed = self.resource_levels.get(resource, levels.NOTHING)
        return max([weighed, *(grant_level(g) for g in self.resource_grants.get(resource, []))])


@dataclass(slots=True)
class Snapshot:
    states: dict[str, State]
    findings: list[Finding]
    problems: list[Problem]  # inputs that could not be analysed


def take(result: ScanResult) -> Snapshot:
    graph = result.graph
    states: dict[str, State] = {}
    acts = _acts_as(graph)
    credentials: dict[int, list[Credential]] = {}
    for credential in graph.credentials:
        credentials.setdefault(id(credential.identity), []).append(credential)
    for identity in graph.identities:
        state = states.get(identity.key)
        if state is None:
            state = states[identity.key] = _new_state(identity)
        elif state.span is None and identity.span is not None:
            state.span = identity.span
        _fill(state, graph, identity, acts)
        for credential in credentials.get(id(identity), []):
            state.facts["credentials"].setdefault(f"{credential.kind} {credential.name}", credential.span)
    for finding in result.findings:
        if finding.rule_id in ESCALATION_RULES:
            for key in finding.identities:
                if key in states:
                    states[key].facts["escalations"].setdefault(f"{finding.rule_id}: {finding.message}", finding.span)
    kept = {key: s for key, s in states.items() if s.span is not None or any(s.facts.values())}
    problems = [p for p in result.problems if p.level == "error"]
    return Snapshot(kept, list(result.findings), problems)


def _new_state(identity: Identity) -> State:
    return State(
        identity.key,
        identity.name,
        identity.kind,
        identity.platform,
        identity.label,
        identity.span,
        local_key(identity),
    )


def local_key(identity: Identity) -> str:
    """`identity.key` without the file (CloudFormation) or folder (Terraform) it is declared in."""
    key, span = identity.key, identity.span
    if span is None:
        return key
    for prefix in (span.path + "#", posixpath.dirname(span.path) + "/"):
        if prefix not in ("#", "/") and key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _acts_as(graph: Graph) -> dict[int, list[tuple[Identity, Span, str]]]:
    """id(source) -> [(target, span, via)] for every link; the graph indexes links by target only."""
    out: dict[int, list[tuple[Identity, Span, str]]] = {}
    for link in graph.links:
        out.setdefault(id(link.source), []).append((link.target, link.span, link.via))
    return out


def _fill(state: State, graph: Graph, identity: Identity, acts: dict[int, list[tuple[Identity, Span, str]]]) -> None:
    facts = state.facts
    eff = effective(graph, identity)
    sources = eff.sources
    if facts["actions"]:
        facts["actions"] |= {a: sources.get(a) for a in eff.actions if a not in facts["actions"]}
    else:
        facts["actions"] = {a: sources.get(a) for a in eff.actions}
    for binding in graph.bindings_of(identity):
        text = f"{binding.policy.label} via {binding.via}"
        text += f" on {binding.scope}" if binding.scope else ""
        text += f" if {binding.condition}" if binding.condition else ""
        facts["bindings"].setdefault(text, binding.span)
        if identity.platform != "kubernetes":
            _resources(state, binding.policy.grants)
    if identity.trust is not None:
        for grant in identity.trust.grants:
            _trust(facts["trust"], grant)
    for link in graph.links_to(identity):
        facts["trust"].setdefault(f"{link.source.label} ({link.via})", link.span)
        for workload in graph.workloads_of(link.source):
            facts["workloads"].setdefault(f"{workload.kind} {workload.name} (as {link.source.label})", link.span)
    for workload in graph.workloads_of(identity):
        facts["workloads"].setdefault(f"{workload.kind} {workload.name}", workload.span)
    _reach(facts, graph, identity, acts)


def portable(snapshot: Snapshot) -> Snapshot:
    """The snapshot without graph objects (every location found, every resource weighed), so that
    it can be pickled from the process that scanned the base: a few megabytes, not the graph."""
    tokens: dict[int, tuple[dict[str, Span], Span | None]] = {}
    for state in snapshot.states.values():
        for category, facts in state.facts.items():
            if category == "actions":
                state.facts[category] = {a: _token(tokens, w, a) if isinstance(w, Grant) else w for a, w in facts.items()}
        state.resource_levels = {r: state.resource_level(r) for r in state.resource_grants}
        state.resource_grants = {}
    return snapshot


def _token(memo: dict[int, tuple[dict[str, Span], Span | None]], grant: Grant, action: str) -> Span:
    """`action_span` through a per-grant table of the actions each pattern expands to."""
    entry = memo.get(id(grant))
    if entry is None:
        exact: dict[str, Span] = {}
        wildcard = None
        for value in grant.actions if not grant.not_actions and len(grant.actions) > 1 else ():
            if value.text is None:
                continue
            if value.text in ("*", "*:*"):
                wildcard = wildcard or value.span
            elif grant.policy.platform == "aws":
                for matched in aws_actions.expand(value.text) or ():
                    exact.setdefault(matched.full.lower(), value.span)
            elif "*" not in value.text and "?" not in value.text:
                exact.setdefault(value.text.lower(), value.span)
        entry = memo[id(grant)] = (exact, wildcard)
    span = entry[0].get(action.lower()) or entry[1]
    return span if span is not None else action_span(grant, action)


def locate(fact: str, where: Where) -> Span | None:
    """The span of a fact: for an action held through a grant, the token that grants it."""
    return action_span(where, fact) if isinstance(where, Grant) else where


def action_span(grant: Grant, action: str) -> Span:
    """The token of `grant` that grants `action`: the one pattern that matches it (written in a
    module's caller when it came in as an input), else the statement."""
    if grant.not_actions or not grant.actions:
        return grant.key_spans.get("NotAction", grant.span)
    if len(grant.actions) == 1:
        return grant.actions[0].span
    lowered = action.lower()
    for value in grant.actions:
        if value.text is not None and fnmatch.fnmatchcase(lowered, value.text.lower()):
            return value.span
    return grant.span


def _resources(state: State, grants: list[Grant]) -> None:
    out = state.facts["resources"]
    for grant in grants:
        if grant.effect != "Allow" or not grant.resources:
            continue
        for value in grant.resources:
            text = value.text if value.text is not None else f"<unresolved: {value.unresolved}>"
            text = f"NotResource {text}" if grant.not_resources else text
            out.setdefault(text, value.span)
            state.resource_grants.setdefault(text, []).append(grant)


def grant_level(grant: Grant) -> int:
    """The most privilege one Allow grant's actions carry (`jeplint.diff.levels`)."""
    if grant.not_actions:
        return levels.PERMISSIONS  # everything but a few
    found = levels.NOTHING
    for value in grant.actions:
        if value.text is None:
            continue
        if grant.policy.platform == "aws":
            if value.text in ("*", "*:*"):
                return levels.PERMISSIONS
            names = [a.full for a in aws_actions.expand(value.text) or ()]
        else:
            names = [value.text]
        found = max([found, *(levels.level(n) for n in names)])
    return found


def _trust(out: Facts, grant: Grant) -> None:
    if grant.effect != "Allow":
        return
    when = f" when {json.dumps(grant.conditions, sort_keys=True, default=str)}" if grant.conditions else ""
    for value in grant.principals:
        text = value.text if value.text is not None else f"<unresolved: {value.unresolved}>"
        out.setdefault(("NotPrincipal " if grant.not_principals else "") + text + when, value.span)


def _reach(facts: dict[str, Facts], graph: Graph, identity: Identity, acts: dict[int, list[tuple[Identity, Span, str]]]) -> None:
    """The identities `identity` acts as through links, transitively, and their actions."""
    seen = {id(identity)}
    todo = [(target, span, via) for target, span, via in acts.get(id(identity), [])]
    while todo:
        target, span, via = todo.pop(0)
        if id(target) in seen:
            continue
        seen.add(id(target))
        facts["acts_as"].setdefault(f"{target.label} ({via})", span)
        for action in effective(graph, target).actions:
            facts["actions"].setdefault(action, span)
        todo += [(t, span, v) for t, _, v in acts.get(id(target), [])]
