"""JEP103 not-action-allow: an Allow statement uses `NotAction` or `NotResource`, so it grants
everything except a list, including every action and resource AWS adds later.

Documentation: `rules/JEP103-not-action-allow/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Grant, Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import grant_finding, source_grants


def _listing(values: list[str]) -> str:
    return ", ".join(values[:4]) + (f" and {len(values) - 4} more" if len(values) > 4 else "")


def _complement(grant: Grant) -> int | None:
    """How many catalogue actions a NotAction statement grants (None when an element is unresolved)."""
    from jeplint.graph.effective import _all_aws, _aws_set

    granted = _aws_set(grant)
    return None if granted is None or not _all_aws() else len(granted)


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform != "aws" or grant.effect != "Allow" or grant.unresolved:
            continue
        if grant.not_actions and "NotAction" in grant.key_spans:
            excluded = [v.text or v.unresolved for v in grant.actions]
            count = _complement(grant)
            counted = f" = {count:,} actions" if count is not None else ""
            can = f"perform every AWS action except {_listing(excluded)} (NotAction{counted})"
            yield grant_finding(graph, "JEP103", grant, grant.key_spans["NotAction"], can, "NotAction")
        if grant.not_resources and "NotResource" in grant.key_spans:
            excluded = [v.text or v.unresolved for v in grant.resources]
            if "*" in excluded:
                can = 'act on no resource at all (NotResource "*" excludes every resource: the statement grants nothing and hides its intent)'
            else:
                can = f"act on every resource except {_listing(excluded)} (NotResource)"
            yield grant_finding(graph, "JEP103", grant, grant.key_spans["NotResource"], can, "NotResource")


RULE = Rule("JEP103", check)
