"""JEP105 wildcard-resource-write: `Resource: "*"` together with write or permissions-management
actions that could be limited to specific resources.

Actions that only accept `Resource: "*"` (`s3:ListAllMyBuckets`, `ec2:Describe*`, ...) are never
counted: the AWS action catalogue says which they are (`aws_actions.resource_scoped`). Operational
plumbing (own logs, traces, VPC network interfaces, the SSM agent: `catalog.functions.baseline`) is
not counted either, nor are tag actions (`ec2:CreateTags`, `*:TagResource`: they change labels, not
resources or data) or the cryptographic use of keys (`kms:Decrypt`, `kms:GenerateDataKey*`: the
catalogue calls them writes, but they change nothing, and each key's policy bounds what they reach). A role only a non-code-running AWS service assumes (`common.service_delegation`)
is not reported unless it manages permissions. Nor is a statement whose condition bounds the resources
it reaches (a resource tag of any service) or lets it be used only through an AWS service
(`aws:ViaAWSService` or `kms:GrantIsForAWSResource` true, `kms:ViaService`, `aws:CalledVia`):
`graph.conditions.bounding`. `iam:PassRole` limited by `iam:PassedToService` to services that run
no customer code (`ecs.amazonaws.com`) is not counted: nothing runs as the passed role. Nor is a statement that copies one of the policies AWS publishes for the
role of the service its holders serve (the ECS scheduled-task role's `ecs:RunTask` on `*` is
AmazonEC2ContainerServiceEventsRole's): `common.documented`. Statements with a full `*` action: `defers_to` JEP101. Documentation: `rules/JEP105-wildcard-resource-write/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog import aws_actions
from jeplint.catalog.functions import baseline, changes
from jeplint.graph.conditions import bounding
from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import (
    allows,
    delegated,
    documented,
    expand_in,
    grant_finding,
    passed_only_to_delegates,
    plural,
    policy_writers_first,
    source_grants,
)


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform != "aws" or not allows(grant) or grant.not_actions or grant.not_resources:
            continue
        star = next((v for v in grant.resources if v.text == "*"), None)
        if star is None or bounding(grant.conditions):
            continue  # no "*", or a condition bounds the resources (a resource tag) or routes it through an AWS service
        writes: dict[str, aws_actions.Action] = {}
        delegates = passed_only_to_delegates(grant)  # iam:PassRole only to services that run no code
        for value in grant.actions:
            if value.text is None or value.partial:
                continue
            for action in expand_in(grant, value.text) or []:
                if changes(action) and action.resource_scoped and not baseline(action.full, "aws"):
                    if not (delegates and action.full == "iam:PassRole"):
                        writes.setdefault(action.full, action)
        perms = sum(1 for a in writes.values() if "Permissions management" in a.access)
        if not writes or (not perms and delegated(graph, grant)) or documented(graph, grant):
            continue  # no write; a service's delegation role; AWS's own policy for the service, copied
        managing = sorted((n for n, a in writes.items() if "Permissions management" in a.access), key=policy_writers_first)
        names = managing + sorted(n for n in writes if n not in managing)  # permissions management first
        kinds = (
            plural(len(names), "write action")
            if not perms
            else f"{plural(len(names), 'write or permissions-management action')} ({perms} permissions management)"
        )
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")
        can = f'perform {kinds} on every resource (Resource "*"): {shown}'
        yield grant_finding(graph, "JEP105", grant, star, can)


RULE = Rule("JEP105", check)
