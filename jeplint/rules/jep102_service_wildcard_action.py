"""JEP102 service-wildcard-action: an Allow grants a pattern of actions (`s3:*`, `ec2:Describe*`,
`iam:*Policy*`), expanded against the AWS action catalogue so the message says what it really grants.

Weighed by what the pattern reaches and where (issue 18):
- on every resource, or every resource of a type (`Resource "*"`, `...:secret:*`, `...:table/*`):
  a warning when it reaches write or permissions-management actions (operational plumbing such as
  `logs:PutLogEvents` aside); a note when it only reads, and only if it reads stored data or
  credentials (`s3:Get*` reaches `s3:GetObject`); listing and describing (`ec2:Describe*`) is not
  reported. A role only a non-code-running AWS service assumes is not reported unless the pattern
  manages permissions (`common.service_delegation`).
- on named resources: a whole-service wildcard (`s3:*` on one bucket) is a warning when it reaches
  destructive or permissions-management actions and a note otherwise; a narrower pattern
  (`kms:GenerateDataKey*` on one key ARN) is not a service wildcard and is reported only when it
  reaches destructive or permissions-management actions.
- on a CloudFormation stack's own resources (every resource named after the stack:
  `report-group/${AWS::StackName}*`): not reported unless it administers IAM (roles or policies
  named after the stack) — it reaches only what the stack itself creates
  (`common.purpose.own_stack_resources`).
A pattern whose service is not in the catalogue is reported: it grants nothing today and hides intent.
A pattern of a known service that matches no action grants nothing and is not reported.
Documentation: `rules/JEP102-service-wildcard-action/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog import aws_actions
from jeplint.catalog.escalation import covers
from jeplint.catalog.functions import baseline, changes, classify
from jeplint.graph.conditions import bounding
from jeplint.graph.model import Grant, Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import (
    FULL,
    allows,
    broad,
    delegated,
    expand_in,
    grant_finding,
    plural,
    policy_writers_first,
    resource_scope,
    source_grants,
)
from jeplint.rules.common.purpose import own_stack_resources

DANGEROUS = frozenset({"destroy", "resource-policy", "identity-admin"})  # capabilities that weigh on one resource too
READS_DATA = frozenset({"data-read", "credential-issue"})


def describe_pattern(grant: Grant, pattern: str, wide: bool) -> tuple[str, tuple[aws_actions.Action, ...] | None]:
    """('every dynamodb action (dynamodb:* = 80 actions, 44 of them write)', the actions it grants).

    On named resources only the actions that act on their resource types are granted there
    (`s3:*` on `arn:aws:s3:::b/*` reaches object actions, not `s3:DeleteBucket`): those are the
    actions returned, and the message says how many of the pattern's actions they are."""
    prefix, _, name = pattern.partition(":")
    actions = expand_in(grant, pattern)
    if actions is None:
        return f"every action matching {pattern} (service '{prefix}' is not in the AWS action catalogue)", None
    texts = [v.text for v in grant.resources]
    reach = actions
    if not wide and texts and all(texts):
        reach = tuple(a for a in actions if any(covers(t, a.full) for t in texts if t))
    writes = sum(1 for a in reach if changes(a))
    detail = f"{writes} of them write or permissions management" if writes else "none of them write"
    if len(reach) != len(actions):
        detail = f"{len(reach)} of them act on these resources, {writes} of those write or manage permissions"
    perms = sorted((a.full for a in reach if changes(a) and "Permissions management" in a.access), key=policy_writers_first)
    if perms:  # what weighs most, by name: `s3:PutObject*` reaches s3:PutObjectAcl
        shown = ", ".join(perms[:2]) + (f" and {len(perms) - 2:,} more" if len(perms) > 2 else "")
        detail += f": {shown} {'manages' if len(perms) == 1 else 'manage'} permissions"
    if name == "*" and grant.policy.kind == "iot":
        return f"every IoT device action ({pattern} = {plural(len(actions), 'action')}, {detail})", reach
    if name == "*":
        return f"every {prefix} action ({pattern} = {plural(len(actions), 'action')}, {detail})", reach
    return f"{plural(len(actions), prefix + ' action')} matching {pattern} ({detail})", reach


def _admin(action: aws_actions.Action) -> bool:
    return changes(action) and classify(action.full, "aws").capability == "identity-admin"


def weigh(actions: tuple[aws_actions.Action, ...], whole: bool, wide: bool, service_role: bool) -> str | None:
    """The level of a pattern's finding, or None when it is not one (see the module docstring)."""
    writes = [a for a in actions if changes(a) and not baseline(a.full, "aws")]
    perms = any("Permissions management" in a.access for a in writes)
    danger = perms or any(classify(a.full, "aws").capability in DANGEROUS for a in writes)
    if writes and service_role and not perms:
        return None
    if wide:
        if writes:
            return "warning"
        return "note" if any(classify(a.full, "aws").capability in READS_DATA for a in actions) else None
    if whole:
        return "warning" if danger else "note"
    return "warning" if danger else None


def _reading(what: str, actions: tuple[aws_actions.Action, ...]) -> str:
    """A read-only pattern's description with the reads that make it a finding: '... (none of them
    write; s3:GetObject, s3:GetObjectVersion and 3 more read stored data or credentials)'."""
    reads = sorted(a.full for a in actions if classify(a.full, "aws").capability in READS_DATA)
    if not reads or not what.endswith("(none of them write)"):
        return what
    shown = ", ".join(reads[:2]) + (f" and {len(reads) - 2:,} more" if len(reads) > 2 else "")
    verb = "reads" if len(reads) == 1 else "read"
    return f"{what[:-1]}; {shown} {verb} stored data or credentials)"


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform != "aws" or not allows(grant) or grant.not_actions:
            continue
        # a condition that bounds the resources (a resource tag) or the path (an AWS service only)
        # makes even "*" a named set: weighed as named resources
        wide, service_role = broad(grant) and not bounding(grant.conditions), delegated(graph, grant)
        for value in grant.actions:
            text = value.text
            if text is None or value.partial or text in FULL or not ("*" in text or "?" in text) or ":" not in text:
                continue
            what, actions = describe_pattern(grant, text, wide)
            if actions is not None and not actions:
                continue  # matches no action (a generated read-only pattern such as ec2:View*), or none on these resources
            level = "warning" if actions is None else weigh(actions, text.partition(":")[2] == "*", wide, service_role)
            if level is None or (actions and own_stack_resources(grant) and not any(_admin(a) for a in actions)):
                continue  # nothing to weigh; or only the stack's own resources, and no IAM administration
            if level == "note" and wide and actions:
                what = _reading(what, actions)
            finding = grant_finding(graph, "JEP102", grant, value, f"perform {what} on {resource_scope(grant)}")
            finding.level = level
            yield finding


RULE = Rule("JEP102", check)
