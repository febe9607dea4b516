"""JEP102 service-wildcard-action: an Allow grants a pattern of actions (`s3:*`, `ec2:Describe*`,
`iam:*Policy*`), expanded against the AWS action catalogue so the message says what it really grants.

A pattern that reaches only List/Read actions is reported as a note; one that reaches Write or
Permissions-management actions at the rule's level. Documentation: `rules/JEP102-service-wildcard-action/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog import aws_actions
from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import FULL, allows, grant_finding, plural, resource_scope, source_grants


def describe_pattern(pattern: str) -> tuple[str, bool]:
    """('every dynamodb action (dynamodb:* = 80 actions, 44 of them write)', writes?)."""
    prefix, _, name = pattern.partition(":")
    actions = aws_actions.expand(pattern)
    if actions is None:
        return f"every action matching {pattern}, but service '{prefix}' is not in the AWS action catalogue", True
    if not actions:
        return f"the actions matching {pattern}, which matches no known {prefix} action", True
    writes = sum(1 for a in actions if a.writes)
    detail = f"{writes} of them write or permissions management" if writes else "none of them write"
    if name == "*":
        return f"every {prefix} action ({pattern} = {plural(len(actions), 'action')}, {detail})", writes > 0
    return f"{plural(len(actions), prefix + ' action')} matching {pattern} ({detail})", writes > 0


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform != "aws" or not allows(grant) or grant.not_actions:
            continue
        for value in grant.actions:
            text = value.text
            if text is None or value.partial or text in FULL or not ("*" in text or "?" in text) or ":" not in text:
                continue
            what, writes = describe_pattern(text)
            finding = grant_finding(graph, "JEP102", grant, value, f"perform {what} on {resource_scope(grant)}")
            if not writes:
                finding.level = "note"
            yield finding


RULE = Rule("JEP102", check)
