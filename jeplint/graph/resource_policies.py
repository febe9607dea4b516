"""Policies that are not identity policies, for every AWS extractor (Terraform, CloudFormation, IAM
JSON): resource policies (key, bucket, queue, topic, secret, repository and function policies),
trust policies, permissions boundaries and service control policies.

A resource policy grants to the principals it names. The whole policy is one fact (purpose
"resource", held by no identity); the statements that name identities of the scan are also bound
to those identities, as a part of it (`Policy.parent`): the graph path from identity to grant goes
through the resource policy. `Resource: "*"` in a resource policy means the resource it is written
on, never every resource. A principal outside the scan (an account, its root, another account's
role, a service) receives nothing in the graph: the whole policy keeps it, named as written.
Boundaries and SCPs cap what identities in their scope can do; they never grant.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value

# An IAM role or user ARN, path included: arn:<partition>:iam::<account>:role/<path/>name
_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:(role|user)/(?:.*/)?([^/]+)$")
# Actions a trust policy is made of (who may assume a role and what the session may carry).
_TRUST = re.compile(r"^sts:(assumerole\w*|tagsession|setsourceidentity|setcontext|\*)$", re.IGNORECASE)

Resolver = Callable[[Value], Identity | None]
# Organizations policy types that are IAM documents (service and resource control policies); the
# others (tag, backup, AI opt-out, chatbot, declarative policies) are not permissions.
CONTROL_POLICY_TYPES = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


def permission_principal(text: str) -> str:
    """A Lambda permission's `principal` as a policy principal: "Service:<name>" for a service,
    "AWS:<account or ARN>" otherwise, "*" for everyone."""
    if text == "*":
        return "*"
    return f"Service:{text}" if text.endswith((".amazonaws.com", ".amazonaws.com.cn")) else f"AWS:{text}"


def purpose_by_shape(policy: Policy) -> str:
    """What a document of unknown use is, by its statements: naming principals makes it a trust
    policy (only `sts:AssumeRole*` and session actions) or a resource policy; else an identity policy."""
    named = [g for g in policy.grants if g.principals]
    if not named:
        return "identity"
    actions = [v.text for g in named for v in g.actions if v.text is not None]
    if actions and all(_TRUST.match(a) for a in actions) and not any(g.not_actions for g in named):
        return "trust"
    return "resource"


def declared(graph: Graph, value: Value) -> Identity | None:
    """The AWS role or user of the scan an `AWS:<arn>` principal names by its ARN, else None."""
    text = (value.text or "").removeprefix("AWS:")
    match = _ARN.match(text)
    if match is None or "${" in match.group(2):
        return None
    found = [
        i
        for i in graph.identities
        if i.platform == "aws" and i.kind == match.group(1) and i.name == match.group(2) and i.span is not None
    ]
    return found[0] if len(found) == 1 else None


def grant_to_principals(graph: Graph, policy: Policy, resolve: Resolver, scope: str) -> None:
    """Bind the statements of resource policy `policy` to the identities of the scan they name.

    `resolve` finds the identity of one principal value written by reference (`aws_iam_role.x.arn`,
    `Fn::GetAtt Role.Arn`); an ARN naming a declared role or user is found here. `scope` replaces
    `Resource: "*"` (and a statement without Resource): the resource the policy is written on."""
    groups: dict[tuple[int, ...], tuple[list[tuple[Identity, Value]], list[Grant]]] = {}
    for grant in policy.grants:
        if grant.not_principals or grant.unresolved:
            continue
        named: list[tuple[Identity, Value]] = []
        for value in grant.principals:
            identity = declared(graph, value) or resolve(value)
            if identity is not None:
                named.append((identity, value))
        if named:
            group = groups.setdefault(tuple(sorted({id(i) for i, _ in named})), ([], []))
            group[0].extend(named)
            group[1].append(_own_resource(grant, scope))
    for named_values, grants in groups.values():
        part = Policy(
            policy.platform,
            policy.kind,
            policy.name,
            policy.key + "@" + ",".join(sorted({i.key for i, _ in named_values})),
            policy.span,
            origin=list(policy.origin),
            purpose="resource",
            resource=policy.resource,
            parent=policy,
        )
        for grant in grants:
            grant.policy = part
        part.grants = grants
        graph.policies.append(part)
        for identity, value in named_values:
            graph.bindings.append(Binding(identity, part, value.span, f"{policy.label} names it as a principal"))


def _own_resource(grant: Grant, scope: str) -> Grant:
    """A copy of `grant` whose `*` (or missing) resource is the resource the policy is on."""
    resources = [Value(scope, v.span) if v.text == "*" and not grant.not_resources else v for v in grant.resources] or [
        Value(scope, grant.span)
    ]
    return dataclasses.replace(grant, resources=resources, key_spans=dict(grant.key_spans))


def mark_boundaries(graph: Graph) -> None:
    """A policy of the scan that caps identities as their permissions boundary and is attached to
    none of them as permissions is a boundary: it grants nothing."""
    capping = {id(i.boundary) for i in graph.identities if i.boundary is not None}
    for policy in graph.policies:
        if id(policy) in capping and policy.purpose == "identity" and not graph.holders(policy):
            policy.purpose = "boundary"
