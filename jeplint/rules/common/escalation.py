"""What the escalation and trust rules (JEP401-JEP405) share: which grant gives an identity a given
permission, how broad its resource is, who an ARN or a reference names, and how a path is written.

An escalation path is evaluated on an identity's effective permissions (`graph.effective`), then
attributed: every permission of the path is traced to the statements (and bindings) that grant it,
so the finding can point at each token. A path is *narrowed* when its target permission (iam:PassRole,
or the IAM write that picks the victim) is held only on named resources, or only under a scoping
condition: each narrowing (and a permissions boundary) lowers the level by one, and a path that
falls below warning is not reported: that is how the permission should be written.

(About 490 lines: matching, attribution, narrowing and the wording of a path are one pipeline that
every escalation rule walks; split, each piece would import the others.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from jeplint.catalog import aws_actions
from jeplint.catalog.broad_roles import AZURE_BROAD, GCP_BROAD, K8S_BROAD
from jeplint.catalog.escalation import Path, arn_parts, covers
from jeplint.graph.assume import arn_name, known_account, reference_key
from jeplint.graph.aws_managed import BROAD, service_role_policy
from jeplint.graph.conditions import values_for
from jeplint.graph.effective import effective
from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value
from jeplint.iamglob import matches
from jeplint.rules.base import Related
from jeplint.rules.common import (
    MAX_RELATED,
    SELF_USER,
    allows,
    identity_locations,
    scoping_keys,
    service_delegation,
    statement_key,
    trusted_services,
)
from jeplint.rules.common.purpose import STACK_REASON, own_stacks
from jeplint.span import Span

RANK = {"note": 0, "warning": 1, "error": 2}
PartsMemo = dict[tuple[int, str], list[tuple[Grant, "Value | Span"]]]  # see `_parts`
NEAR_FULL = 0.5  # share of the AWS catalogue above which an identity already is administrator (JEP101/103/106)
SHOWN_PATHS = 2  # paths written out in a message; the others are counted (and listed as related locations)
SELF_NAMES = (*SELF_USER, "{aws:PrincipalTag")  # `${...}` or Terraform's escaped `$${...}`
_ACCOUNT = re.compile(r"^\d{12}$")


def reportable(level: str, steps: int) -> bool:
    """A path narrowed below warning is how the permission should be written: not reported."""
    return RANK[level] - steps >= RANK["warning"]


def lower(level: str, steps: int) -> str:
    """`level` lowered `steps` times (error -> warning -> note); never below note."""
    order = ("note", "warning", "error")
    return order[max(0, order.index(level) - steps)]


def broad_builtin(policy: Policy) -> bool:
    """A built-in role that JEP106 reports as broad by design: its escalations are JEP106's finding."""
    names = {"aws-managed": BROAD, "gcp-predefined": GCP_BROAD, "azure-builtin": AZURE_BROAD, "k8s-builtin": K8S_BROAD}
    return policy.name in names.get(policy.kind, {})


def full_wildcard(grant: Grant) -> bool:
    """`Action: "*"` (AWS) or `actions = ["*"]` (Azure): JEP101's finding, not an escalation."""
    return not grant.not_actions and any(v.text in ("*", "*:*") for v in grant.actions)


def already_admin(graph: Graph, identity: Identity) -> bool:
    """The identity can already do nearly everything: escalating adds nothing (JEP101/103/106 report it)."""
    catalogue = aws_actions.action_count()
    return bool(catalogue) and len(effective(graph, identity).actions) > NEAR_FULL * catalogue


# -- AWS: which statement grants an action, and on what ------------------------------------------


def aws_token(grant: Grant, action: str) -> Value | Span | None:
    """The token through which `grant` names `action`: the matching action pattern, or the
    `NotAction` key of a statement that does not exclude it; None when it does not grant it."""
    return grant.granting_token(action.lower())


def broad_resource(text: str) -> bool:
    """`*`, or an ARN whose resource part holds a wildcard (`arn:aws:iam::*:role/*`)."""
    if text == "*":
        return True
    parts = arn_parts(text)
    return "*" in (parts[5] if len(parts) == 6 else text)


def names_identity(value: Value, identity: Identity, account: str | None = None) -> bool:
    """Whether a resource or principal value names `identity` itself (its ARN, `${aws:username}`,
    a Terraform reference or a CloudFormation `GetAtt` / `Ref` of it). `account`: the one the
    identity is known to be in (`graph.assume.known_account`); an ARN of another names another."""
    written = value.text if value.text is not None else value.unresolved
    if any(marker in written for marker in SELF_NAMES):  # also inside an expression jeplint cannot evaluate
        return identity.kind in ("user", "group") or "PrincipalTag" in written  # a group: each member itself
    if value.text is not None:
        arn = value.text.removeprefix("AWS:")
        parts = arn_parts(arn)
        if account is not None and len(parts) == 6 and _ACCOUNT.match(parts[4]) and parts[4] != account:
            return False  # the same name in another account
        return arn_name(arn) == (identity.kind, identity.name)
    return reference_key(value.unresolved.removeprefix("AWS:"), identity.key) == identity.key


# -- paths ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Part:
    """One permission of a path, held through `grant` (at `token`), bound by `binding` (None: an
    unbound policy evaluated on its own)."""

    need: str
    grant: Grant
    token: Value | Span
    binding: Binding | None


@dataclass(slots=True)
class Match:
    """A path an identity (or an unbound policy) holds: its parts, the level after narrowing, and why."""

    path: Path
    parts: list[Part]
    level: str
    scope: str = ""  # the resources the target permission is held on ("*", "arn:aws:iam::1:role/app"), where known
    narrowed: list[str] = field(default_factory=list)  # "limited by condition iam:PassedToService", ...

    @property
    def needs(self) -> frozenset[str]:
        return frozenset(n.lower() for n in self.path.needs)


def keep_smallest(matches: list[Match]) -> list[Match]:
    """Drop a path whose permissions include another held path's, when that one is at least as
    severe; and a path that is part of a more severe one (actAs alone, next to actAs + create)."""
    return [
        m
        for m in matches
        if not any(
            o is not m
            and ((o.needs < m.needs and RANK[o.level] >= RANK[m.level]) or (m.needs < o.needs and RANK[o.level] > RANK[m.level]))
            for o in matches
        )
    ]


def ordered(matches: list[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (-RANK[m.level], len(m.path.needs), m.path.id))


def shorten(text: str, limit: int = 60) -> str:
    """An expression as one short line, for messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def token_span(token: Value | Span) -> Span:
    return token.span if isinstance(token, Value) else token


def where(parts: list[Part]) -> str:
    """'policy deploy, statement 2', 'policy a, statement 1 and policy b, statement 3', or 'policy a,
    statements 1 (Read) and 3': the statements of one policy named once with it; a GCP or Azure role
    is named with the binding that grants it ('GCP role roles/x through google_..._member.y')."""
    seen: dict[str, dict[int, str]] = {}  # the policy (or the whole text) -> its statements by number
    for part in parts:
        policy, grant = part.grant.policy, part.grant
        if policy.platform in ("gcp", "azure") and part.binding is not None:
            seen.setdefault(f"{policy.label} through {part.binding.via}", {})
        elif grant.where.startswith(f"{policy.label}, statement "):
            seen.setdefault(policy.label, {})[grant.index] = grant.where[len(policy.label) + len(", statement ") :]
        else:
            seen.setdefault(grant.where, {})
    texts = []
    for head, numbered in seen.items():
        statements = [numbered[n] for n in sorted(numbered)]
        if not statements:
            texts.append(head)
        else:
            listed = statements[0] if len(statements) == 1 else ", ".join(statements[:-1]) + " and " + statements[-1]
            texts.append(f"{head}, statement{'s' if len(statements) > 1 else ''} {listed}")
    return " and ".join(texts)


def path_text(match: Match) -> str:
    """'iam:PassRole on * + lambda:CreateFunction + lambda:InvokeFunction lets it run code as any
    role it can pass, in a new Lambda function (policy deploy, statement 2)'."""
    shown = []
    for need in match.path.needs:
        parts = [p for p in match.parts if p.need == need]
        token = parts[0].token if parts else None
        via = f" ({token.text})" if isinstance(token, Value) and token.text and token.text.lower() != need.lower() else ""
        on = f" on {match.scope}" if match.scope and need == match.path.target else ""
        shown.append(f"{need}{via}{on}")
    narrowed = f"; {'; '.join(match.narrowed)}" if match.narrowed else ""
    return f"{' + '.join(shown)} {effect(match)} ({where(match.parts)}{narrowed})"


_ANY_ITSELF = re.compile(r"any ([\w ]+?), (?:itself|its own) included")
_POLICY_WRITES = frozenset({"iam:createpolicyversion", "iam:setdefaultpolicyversion"})


def effect(match: Match) -> str:
    """The path's effect, true to the resources of its target statement: "any role, itself
    included" only when the statement reaches every role; "itself" when it names only the identity;
    "the policies named" when a policy write names its policies."""
    text, target = match.path.effect, match.path.target.lower()
    if "on itself only" in match.narrowed and target in GRANTS_TO_RESOURCE:
        return _ANY_ITSELF.sub("itself", text)
    if "only on the resources named" in match.narrowed and target in _POLICY_WRITES:
        return _ANY_ITSELF.sub(lambda m: f"the {m.group(1)} resources named", text)
    if "only on the resources named" in match.narrowed:
        # `iam:CreateAccessKey` on `user/ci`: the keys of the users named, not of any user
        return _ANY_NOUN.sub(lambda m: f"the {_PLURALS[m.group(1)]} named", text)
    return text


_PLURALS = {"user": "users", "role": "roles", "group": "groups", "instance profile": "instance profiles"}
_ANY_NOUN = re.compile(r"\bany (user|role|group|instance profile)\b(?! it can pass)")


def summary(matches: list[Match]) -> str:
    """The first paths written out, then how many more."""
    texts = [path_text(m) for m in matches[:SHOWN_PATHS]]
    more = len(matches) - SHOWN_PATHS
    tail = f"; and {more} more path{'s' if more > 1 else ''} (related locations)" if more > 0 else ""
    return "; ".join(texts) + tail


# Escalations whose resource is the principal that receives the permissions: on named roles or users
# other than the identity itself they raise those principals, not the identity.
GRANTS_TO_RESOURCE = frozenset({"iam:putrolepolicy", "iam:attachrolepolicy", "iam:putuserpolicy", "iam:attachuserpolicy"})


def match_grants(matches: list[Match]) -> tuple[str, ...]:
    """The statements the paths go through (`Finding.grants`)."""
    return tuple(sorted({statement_key(part.grant) for match in matches for part in match.parts}))


def part_locations(matches: list[Match]) -> list[Related]:
    """Each permission of each path, at the token that grants it, then the bindings."""
    related: list[Related] = []
    for match in matches:
        for part in match.parts:
            related.append(Related(token_span(part.token), f"{part.need} for path {match.path.id}: {part.grant.where}"))
    for match in matches:
        for part in match.parts:
            if part.binding is not None:
                b = part.binding
                related.append(Related(b.span, f"{b.policy.label} is bound to {b.identity.label} by {b.via}"))
    return related


def finish(related: list[Related], graph: Graph, identity: Identity | None) -> list[Related]:
    """Related locations: the path, the identity and its workloads; unique and capped."""
    if identity is not None:
        related = related + identity_locations(graph, identity)
    unique: dict[tuple[Span, str], Related] = {}
    for item in related:
        unique.setdefault((item.span, item.message), item)
    return list(unique.values())[:MAX_RELATED]


def anchor(identity: Identity | None, matches: list[Match]) -> Span:
    """The identity's declaration; else the first binding, else the first token, of the top path."""
    if identity is not None and identity.span is not None:
        return identity.span
    top = matches[0]
    bound = sorted((p.binding.span for p in top.parts if p.binding is not None), key=lambda s: (s.path, s.line, s.col))
    return bound[0] if bound else token_span(top.parts[0].token)


def membership_group(binding: Binding | None) -> str | None:
    """The group a binding comes from when it is a copy for a group member ('... (member of group g)')."""
    if binding is None or binding.group is None:
        return None
    return binding.group.label


def only_through_one_group(parts: list[Part]) -> bool:
    """Every permission of the path comes from one group the identity belongs to: the group is reported."""
    groups = {membership_group(p.binding) for p in parts}
    return len(groups) == 1 and None not in groups


def lowered_actions(graph: Graph, identity: Identity) -> frozenset[str]:
    """Of the identity's effective actions, lower-cased, those an escalation path needs and
    sts:assumerole (`asked_actions`): the only ones ever asked about. Computed once per scan; holding
    every action of every identity cost ~26 MB on a large estate for nothing."""
    memo = graph.memo.setdefault("jep4-lowered", {})
    if id(identity) not in memo:
        actions = effective(graph, identity).actions  # catalogue spellings (`Action.full`)
        spelled = graph.memo.setdefault("jep4-spelled", {})
        if 0 not in spelled:
            spelled[0] = _asked_spelled()
        asked = cast(dict[str, str], spelled[0])
        memo[id(identity)] = frozenset(low for full, low in asked.items() if full in actions)
    return memo[id(identity)]  # type: ignore[return-value]


@lru_cache(maxsize=1)
def asked_actions() -> frozenset[str]:
    """The lower-cased actions `lowered_actions` keeps: every need of an AWS escalation path, and
    sts:assumerole (JEP405 follows role chains through it)."""
    from jeplint.catalog.escalation import aws_paths

    return frozenset({need.lower() for path in aws_paths() for need in path.needs} | {"sts:assumerole"})


def _asked_spelled() -> dict[str, str]:
    """{catalogue spelling: lower case} of `asked_actions` the catalogue knows: effective AWS action
    sets hold catalogue spellings only, so a set is asked ~100 questions instead of lowering each
    of its thousands of actions. Made once per graph (the catalogue may change between scans)."""
    out = {}
    for low in asked_actions():
        full = aws_actions.spelling(low)
        if full is not None:
            out[full] = low
    return out


def account_of(text: str) -> str | None:
    """The account a principal names: `arn:aws:iam::123456789012:root` or a bare account id."""
    if _ACCOUNT.match(text):
        return text
    parts = arn_parts(text)
    if len(parts) == 6 and parts[2] in ("iam", "sts") and parts[5] == "root":
        return parts[4]
    return None


# -- AWS escalation paths of one identity ----------------------------------------------------------


def aws_matches(graph: Graph, identity: Identity) -> list[Match]:
    """The escalation paths an AWS identity holds, most severe first; none for an administrator.
    Computed once per scan (JEP401 reports them, JEP405 follows role chains to them)."""
    memo = graph.memo.setdefault("jep4-aws", {})
    if id(identity) not in memo:
        found: list[Match] = []
        if not already_admin(graph, identity):
            pairs: list[tuple[Binding | None, Policy]] = [(b, b.policy) for b in graph.bindings_of(identity)]
            parts = cast(PartsMemo, graph.memo.setdefault("jep4-parts", {}))
            found = _matches(identity, lowered_actions(graph, identity), pairs, parts, known_account(graph, identity))
        memo[id(identity)] = found
    return memo[id(identity)]  # type: ignore[return-value]


def unbound_matches(policy: Policy) -> list[Match]:
    """The paths a policy attached to no identity would give its holder."""
    holder = Identity("aws", "policy-holder", policy.name, f"holder:{policy.key}", None)
    scratch = Graph(bindings=[Binding(holder, policy, policy.span or Span("", 1, 1, 1, 1), "")])
    if already_admin(scratch, holder):
        return []
    return _matches(holder, lowered_actions(scratch, holder), [(None, policy)], {})


def _matches(
    identity: Identity,
    held: frozenset[str],
    pairs: list[tuple[Binding | None, Policy]],
    memo: PartsMemo,
    account: str | None = None,
) -> list[Match]:
    from jeplint.catalog.escalation import aws_paths

    found = []
    for path in aws_paths():
        if not all(need.lower() in held for need in path.needs):
            continue
        parts = [part for need in path.needs for part in _parts(pairs, need, memo) if _passes_to(part, path.passed_to)]
        if {p.need for p in parts} != set(path.needs):
            continue  # held through something the statements do not show (not expected)
        if aws_service_role(identity, parts):
            continue  # AWS's own design for the service that assumes the role: not the customer's grant
        if only_through_one_group(parts):
            continue  # the group is reported, not each member (a broad role or `*`: defers_to JEP101/JEP106)
        narrowing = _narrowing(path, parts, identity, account)
        if narrowing is None:
            continue
        steps, scope, notes = narrowing
        if identity.boundary is not None:
            steps += 1
            notes.append(f"capped by permissions boundary {identity.boundary.label}")
        if all(own_stacks(p.grant, [identity]) for p in parts):
            steps += 1  # a pipeline updating the stacks it names: what it is for
            notes.append(STACK_REASON)
        if reportable(path.level, steps):
            found.append(Match(path, parts, lower(path.level, steps), scope, notes))
    return ordered(keep_smallest(found))


def _parts(pairs: list[tuple[Binding | None, Policy]], need: str, memo: PartsMemo) -> list[Part]:
    """The Allow statements that grant `need` on a resource it acts on. `memo`: (id(policy), need) ->
    [(statement, token)], shared by the holders of a policy (a managed policy is held by many)."""
    parts = []
    for binding, policy in pairs:
        key = (id(policy), need)
        found = memo.get(key)
        if found is None:
            found = memo[key] = [
                (grant, token)
                for grant in policy.grants
                if allows(grant) and _applies(grant, need) and (token := aws_token(grant, need)) is not None
            ]
        parts += [Part(need, grant, token, binding) for grant, token in found]
    return parts


def aws_service_role(identity: Identity, parts: list[Part]) -> bool:
    """A role only AWS services assume, holding the path only through the `service-role/` managed
    policies AWS publishes for them: for a service that runs no customer code any such policy (the
    EMR service role's PassRole and RunInstances), for one that does the service's own policy, by
    name (the `glue:*` of AWSGlueServiceRole on a Glue crawler's role). AWS's design for the
    service: reported when the role is also given something else, through the statements that give it."""
    if not all(p.grant.policy.kind == "aws-managed" and service_role_policy(p.grant.policy.name) for p in parts):
        return False
    if service_delegation(identity):
        return True
    services = trusted_services(identity)  # a code-running service: the policy must be that service's own
    return bool(services) and all(any(s in p.grant.policy.name.lower() for s in services) for p in parts)


def _passes_to(part: Part, service: str | None) -> bool:
    """A PassRole statement limited by `iam:PassedToService` serves only the paths of those services."""
    if service is None or part.need.lower() != "iam:passrole":
        return True
    allowed = values_for(part.grant.conditions, "iam:passedtoservice")
    return allowed is None or any(matches(service, str(v), fold=True) for v in allowed)


def _applies(grant: Grant, need: str) -> bool:
    """A statement whose resources are all of another type (a CodeBuild report group for
    codebuild:StartBuild) does not grant the action."""
    if grant.not_resources or not grant.resources:
        return True
    return any(v.text is None or covers(v.text, need) for v in grant.resources)


def _narrowing(path: Path, parts: list[Part], identity: Identity, account: str | None) -> tuple[int, str, list[str]] | None:
    """(levels to lower, resources of the target permission, why) for the broadest statement that
    grants the path's target permission; None when every such statement is time-bound
    (`aws:CurrentTime`), or gives a self-service credential path on the identity itself only."""
    best: tuple[int, str, list[str]] | None = None
    for part in (p for p in parts if p.need == path.target):
        grant = part.grant
        texts = [v.text or f"{shorten(v.unresolved)} (unresolved)" for v in grant.resources]
        named = (
            bool(grant.resources)
            and not grant.not_resources
            and not any(v.text and broad_resource(v.text) and not names_identity(v, identity, account) for v in grant.resources)
        )  # `user/*/${aws:username}`: the `*` is the user's path, the name is the caller's own
        itself = named and all(names_identity(v, identity, account) for v in grant.resources)
        if itself and path.self_neutral:
            continue
        if (
            named
            and path.target.lower() in GRANTS_TO_RESOURCE
            and not any(names_identity(v, identity, account) for v in grant.resources)
        ):
            continue  # it grants the named roles or users more, not itself (becoming them is JEP405's path)
        keys = scoping_keys(grant)
        if any(k.lower() == "aws:currenttime" for k in keys):
            continue  # time-bound: just-in-time access, whose length JEP2xx judge
        steps = int(named and not itself) + int(bool(keys))
        if grant.not_resources:
            scope = "every resource except " + ", ".join(texts)
        else:
            scope = ", ".join(texts[:2]) + (f" and {len(texts) - 2} more" if len(texts) > 2 else "")
        notes = ["on itself only" if itself else "only on the resources named"] if named else []
        notes += [f"limited by condition {', '.join(keys)}"] if keys else []
        if best is None or steps < best[0]:
            best = (steps, scope, notes)
    return best
