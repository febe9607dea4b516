"""Helpers every rule uses to speak of identities and to build findings with their graph path."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jeplint.catalog import aws_actions
from jeplint.graph.aws_managed import documented_for_service
from jeplint.graph.conditions import scoping
from jeplint.graph.model import Binding, Grant, Graph, Identity, Policy, Value
from jeplint.rules.base import Finding, Related, fingerprint
from jeplint.rules.common.purpose import inherent
from jeplint.span import Span

# How a template names the scanning account itself (Terraform, CloudFormation): the same account.

MAX_NAMED = 3  # identities named in one message before "and N more"
MAX_RELATED = 50
FULL = ("*", "*:*")  # every AWS action


_TYPE_WIDE = re.compile(r"^([A-Za-z][\w-]*)[:/]\*$")


def type_wide(text: str) -> str | None:
    """The resource type an ARN names every resource of (`arn:aws:secretsmanager:*:*:secret:*` ->
    "secret", `...:key/*` -> "key", `arn:aws:s3:::*` -> "bucket"), or None for a named resource or a
    name prefix (`secret:db-*`, `arn:aws:s3:::artifacts/*`)."""
    if text == "*":
        return "resource"
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if resource in ("*", "*/*"):
        return "bucket" if service == "s3" and resource == "*" else "object" if service == "s3" else f"{service} resource"
    m = _TYPE_WIDE.match(resource)
    return m.group(1) if m and service != "s3" else None


def broad(grant: Grant) -> bool:
    """The statement reaches every resource, or every resource of a type (or all but some)."""
    return not grant.resources or grant.not_resources or any(v.text is not None and type_wide(v.text) for v in grant.resources)


def resource_scope(grant: Grant) -> str:
    """'every resource', 'every resource except X', 'every secret in the account (arn)', or the
    resources named."""
    texts = [v.text or f"{v.unresolved} (unresolved)" for v in grant.resources]
    if grant.not_resources:
        return "every resource except " + ", ".join(texts)
    if not grant.resources or "*" in texts:
        return "every resource"
    wide = [(t, kind) for t in texts if (kind := type_wide(t))]
    if len(texts) == 1 and wide:
        return f"every {wide[0][1]} in the account ({texts[0]})"
    if len(texts) == 1:
        return texts[0]
    return f"{len(texts)} resources ({', '.join(texts[:2])}{', ...' if len(texts) > 2 else ''})"


def source_grants(graph: Graph) -> Iterator[Grant]:
    """Grants written in the scanned files (not the built-in documents of managed/built-in roles)
    that give an identity something: identity policies, and the statements of resource policies
    bound to the identities of the scan they name. A permissions boundary or a service control
    policy only caps, a trust policy only says who may assume: they are left out, and so is a whole
    resource policy (what it grants to principals outside the scan is no identity's grant here)."""
    for policy in graph.policies:
        if policy.span is not None and (policy.purpose == "identity" or policy.parent is not None):
            yield from policy.grants


# Identities that people use (workforce sessions): a person legitimately holds several functions.
HUMAN_KINDS = frozenset({"permission-set", "k8s-user", "k8s-group", "user@gcp", "group@gcp", "domain@gcp"})


# A resource or principal naming the caller's own user: `${aws:username}` (Terraform: `$${...}`).
SELF_USER = ("{aws:username}", "{aws:userid}")


def human(identity: Identity) -> bool:
    """An identity people sign in as (SSO permission set, Kubernetes user or group, GCP user/group/domain,
    an AWS role only people can assume: `people_only`)."""
    return identity.kind in HUMAN_KINDS or f"{identity.kind}@{identity.platform}" in HUMAN_KINDS or people_only(identity)


def people_only(identity: Identity | None) -> bool:
    """Every Allow of the role's trust requires MFA (`aws:MultiFactorAuthPresent` true, or an
    `aws:MultiFactorAuthAge` bound), or admits only SAML federation (`sts:AssumeRoleWithSAML`):
    only people sign in so, no workload assumes it."""
    trust = identity.trust if identity is not None else None
    allows = [g for g in trust.grants if g.effect == "Allow"] if trust is not None else []

    def mfa(grant_conditions: tuple) -> bool:
        return any(
            (c.has_key("aws:multifactorauthpresent") and c.base == "Bool" and not c.if_exists and c.values
             and all(str(v).lower() == "true" for v in c.values))
            or (c.has_key("aws:multifactorauthage") and c.base.startswith("NumericLessThan") and not c.if_exists)
            for c in grant_conditions
        )  # fmt: skip

    def saml(grant: Grant) -> bool:
        actions = [v.text for v in grant.actions]
        return not grant.not_actions and bool(actions) and all((a or "").lower() == "sts:assumerolewithsaml" for a in actions)

    return bool(allows) and all(mfa(g.conditions) or saml(g) for g in allows)


# AWS services that run the customer's code (or deploy it) with the role they assume: a role they
# can assume is a workload's identity. Any other service principal only acts on its own documented
# operations on the customer's behalf (Application Auto Scaling, the ECS scheduler, AWS Config, VPC
# flow logs, the EMR service role whose clusters run as their instance profile, ...): the role
# delegates to the service, no workload holds it.
CODE_RUNNING_SERVICES = frozenset(
    {
        "lambda", "edgelambda", "ec2", "ecs-tasks", "codebuild", "glue", "sagemaker", "batch",
        "emr-serverless", "emr-containers", "apprunner", "tasks.apprunner", "build.apprunner", "eks", "eks-fargate-pods",
        "pods.eks", "airflow", "airflow-env", "states", "cloudformation", "codepipeline", "codedeploy", "ssm", "scheduler",
        "events", "pipes", "datapipeline", "cloud9", "amplify", "databrew", "gamelift", "greengrass", "credentials.iot",
        "robomaker", "elasticbeanstalk", "opsworks", "bedrock", "bedrock-agentcore", "appsync", "servicecatalog", "proton",
        "imagebuilder",
    }
)  # fmt: skip


def service_delegation(identity: Identity) -> bool:
    """A role only AWS services that run no customer code may assume (its trust names only such
    `Service` principals): the service acts with it, within that service's own operations."""
    services = trusted_services(identity)
    return bool(services) and all(s not in CODE_RUNNING_SERVICES for s in services)


def policy_writers_first(action: str) -> tuple[bool, bool, str]:
    """Sort key for naming permissions-management actions: IAM's first, then the policy, ACL and
    permission writers (`s3:PutBucketPolicy`, `s3:PutObjectAcl`), then the rest, each alphabetically."""
    return (not action.startswith("iam:"), not any(word in action for word in ("Policy", "Acl", "Permission")), action)


def passed_only_to_delegates(grant: Grant) -> bool:
    """The statement's `iam:PassRole` is limited (`iam:PassedToService` StringEquals or StringLike,
    no wildcard) to services that run no customer code (`ecs.amazonaws.com`, the ECS service role for
    load balancers): the service acts with the role within its own operations, nothing runs as it."""
    for condition in grant.conditions:
        if not condition.has_key("iam:passedtoservice") or condition.qualifier or condition.if_exists:
            continue
        if condition.base not in ("StringEquals", "StringLike", "StringEqualsIgnoreCase") or not condition.values:
            continue
        names = [v.lower() for v in condition.values if isinstance(v, str) and "*" not in v and "?" not in v]
        if len(names) == len(condition.values):
            services = [n.removesuffix(".amazonaws.com.cn").removesuffix(".amazonaws.com") for n in names]
            if all(s not in CODE_RUNNING_SERVICES for s in services):
                return True
    return False


def trusted_services(identity: Identity) -> list[str]:
    """The services of the role's trust (`glue` for `Service: glue.amazonaws.com`, `tasks.apprunner`)
    when every principal of its Allow statements is a service, else []."""
    trust = identity.trust
    if identity.platform != "aws" or identity.kind != "role" or trust is None or not trust.grants:
        return []
    principals = [v.text or "" for g in trust.grants if g.effect == "Allow" for v in g.principals]
    if not principals or not all(p.startswith("Service:") for p in principals):
        return []
    return [p.split(":", 1)[1].lower().removesuffix(".amazonaws.com.cn").removesuffix(".amazonaws.com") for p in principals]


def documented(graph: Graph, grant: Grant) -> str | None:
    """The AWS managed policy whose statement `grant` copies for the service its holders serve
    (the ECS scheduled-task role's `ecs:RunTask` on `*` is AmazonEC2ContainerServiceEventsRole's):
    AWS's documented design for that service's role, when every holder is a role only AWS
    services assume. None otherwise."""
    holders = identities_of(graph, grant.policy)
    each = [trusted_services(h) for h in holders]
    if not holders or not all(each) or grant.conditions or grant.not_actions:
        return None
    services = [s for found in each for s in found]
    actions = [v.text for v in grant.actions if v.text is not None and not v.partial]
    resources = [v.text for v in grant.resources if v.text is not None and not v.partial]
    if len(actions) != len(grant.actions) or len(resources) != len(grant.resources):
        return None
    return documented_for_service(actions, resources, services)


def delegated(graph: Graph, grant: Grant) -> bool:
    """Every holder of the grant is a service-delegation role (and there is at least one)."""
    holders = identities_of(graph, grant.policy)
    return bool(holders) and all(service_delegation(h) for h in holders)


def allows(grant: Grant) -> bool:
    """An Allow that grants something (`NotResource: "*"` excludes every resource: it grants nothing)."""
    if grant.not_resources and any(v.text == "*" for v in grant.resources):
        return False
    return grant.effect == "Allow" and not grant.unresolved


def identities_of(graph: Graph, policy: Policy) -> list[Identity]:
    seen: dict[int, Identity] = {}
    for binding in graph.holders(policy):
        seen.setdefault(id(binding.identity), binding.identity)
    return list(seen.values())


def who(identities: list[Identity]) -> str:
    """'role a', 'role a and user b', 'role a, role b and 4 more identities'."""
    labels = [i.label for i in identities]
    if len(labels) <= MAX_NAMED:
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return ", ".join(labels[:2]) + f" and {len(labels) - 2} more identities"


# Condition keys that tie a grant to specific callers, resources or services (AWS global and common
# service keys). A grant under one of them is narrower than its action and resource lists say.
def scoping_keys(grant: Grant) -> list[str]:
    """The condition keys of `grant` that narrow it (`graph.conditions.SCOPING_KEYS`), as written."""
    return scoping(grant.conditions)


def limits(graph: Graph, grant: Grant) -> str:
    """' (limited by condition aws:SourceArn)', ' (capped by permissions boundary b)', the reason the
    grant is inherent to its holders' purpose (`purpose.inherent`), or ''."""
    parts = []
    keys = scoping_keys(grant)
    if keys:
        parts.append(f"limited by condition {', '.join(keys)}")
    holders = identities_of(graph, grant.policy)
    boundaries = sorted({h.boundary.label for h in holders if h.boundary is not None})
    if holders and all(h.boundary is not None for h in holders):
        parts.append(f"capped by permissions boundary {', '.join(boundaries)}")
    reason = inherent(graph, grant, holders)
    if reason:
        parts.append(reason)
    return f" ({'; '.join(parts)})" if parts else ""


def sentence(graph: Graph, grant: Grant, can: str, but: str = "") -> str:
    """'role x can <can> through policy p, statement 1<but>', or the same for an unattached policy."""
    holders = identities_of(graph, grant.policy)
    if holders:
        return f"{who(holders)} can {can} through {grant.where}{limits(graph, grant)}{but}"
    return f"{grant.where} lets its holder {can}{limits(graph, grant)}{but}; {unattached(grant.policy)}"


def unattached(policy: Policy) -> str:
    """What a finding about a policy no identity in the scan holds says about its holders: where it
    is attached instead, when the graph can tell (`Policy.attached_outside`)."""
    if policy.attached_outside:
        return f"it is attached outside the scan: {policy.attached_outside}"
    return "it is attached to no identity in the scan"


def path_locations(graph: Graph, grant: Grant) -> list[Related]:
    """The graph path as related locations: statement, attachments, identities, their workloads."""
    related = [Related(grant.span, grant.where.replace(f"{grant.policy.label}, ", "", 1) + f" of {grant.policy.label}")]
    related += [Related(span, message) for span, message in grant.policy.origin]
    identities: list[Identity] = []
    for binding in sorted(graph.holders(grant.policy), key=lambda b: _span_key(b.span)):
        related.append(Related(binding.span, f"{grant.policy.label} is bound to {binding.identity.label} by {binding.via}"))
        related += [Related(span, message) for span, message in binding.origin]
        if binding.identity not in identities:
            identities.append(binding.identity)
    for identity in sorted(identities, key=lambda i: _span_key(i.span)):
        related += identity_locations(graph, identity)
    unique: dict[tuple[Span, str], Related] = {}
    for item in related:
        unique.setdefault((item.span, item.message), item)
    return list(unique.values())[:MAX_RELATED]


def _span_key(span: Span | None) -> tuple[str, int, int]:
    return (span.path, span.line, span.col) if span is not None else ("", 0, 0)


# What an AWS IoT policy (attached to device certificates) can grant: the data-plane actions a
# device performs. Control-plane `iot:` actions in such a policy grant nothing.
IOT_DEVICE_ACTIONS = frozenset(
    {
        "connect", "publish", "subscribe", "receive", "retainpublish", "getretainedmessage", "listretainedmessages",
        "getthingshadow", "updatethingshadow", "deletethingshadow", "listnamedshadowsforthing",
        "describejobexecution", "getpendingjobexecutions", "startnextpendingjobexecution", "updatejobexecution",
    }
)  # fmt: skip


def expand_in(grant: Grant, pattern: str) -> tuple[aws_actions.Action, ...] | None:
    """The catalogue actions an action pattern of `grant` reaches: for an IoT policy, only the
    device actions an IoT policy can grant."""
    actions = aws_actions.expand(pattern)
    if actions is None or grant.policy.kind != "iot":
        return actions
    return tuple(a for a in actions if a.service == "iot" and a.name.lower() in IOT_DEVICE_ACTIONS)


def statement_key(grant: Grant) -> str:
    """The key a finding uses to name one statement (`Finding.grants`)."""
    return f"{grant.policy.key}#{grant.index}"


def grant_finding(
    graph: Graph, rule_id: str, grant: Grant, token: Value | Span, can: str, element: str = "", but: str = ""
) -> Finding:
    """A finding at `token` (a value, or the span of a key) about what the holders of `grant` can do;
    `but` follows the statement it is done through (`, but ...`).

    `element` names the offending element for the fingerprint when `token` is a bare span.
    """
    span = token.span if isinstance(token, Value) else token
    element = element or (token.text or "" if isinstance(token, Value) else "")
    holders = sorted(i.key for i in identities_of(graph, grant.policy))
    ident = grant.sid or ",".join(sorted(v.text or "?" for v in grant.actions + grant.resources))
    return Finding(
        rule_id,
        sentence(graph, grant, can, but),
        span,
        path_locations(graph, grant),
        fingerprint(rule_id, span.path, grant.policy.key, ident, element, *holders),
        identities=tuple(holders),
        downgrade=bool(limits(graph, grant)),
        grants=(statement_key(grant),),
    )


def identity_locations(graph: Graph, identity: Identity) -> list[Related]:
    """Where an identity is declared, the module calls that make it, its workloads, and the
    identities that act as it (a ServiceAccount through IRSA) with their workloads."""
    related = []
    if identity.span is not None:
        related.append(Related(identity.span, f"{identity.label} is declared here"))
    related += [Related(span, message) for span, message in identity.origin]
    for workload in graph.workloads_of(identity):
        related.append(Related(workload.span, f"{workload.kind} {workload.name} runs as {identity.label}"))
    for link in graph.links_to(identity):
        related.append(Related(link.span, f"{link.source.label} acts as {identity.label} through its {link.via}"))
        for workload in graph.workloads_of(link.source):
            related.append(Related(workload.span, f"{workload.kind} {workload.name} runs as {link.source.label}"))
    return related


def binding_locations(binding: Binding, graph: Graph) -> list[Related]:
    related = [Related(binding.span, f"{binding.via} binds {binding.policy.label} to {binding.identity.label}")]
    related += [Related(span, message) for span, message in binding.origin]
    related += identity_locations(graph, binding.identity)
    return related[:MAX_RELATED]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
