"""JEP101 full-wildcard-action: an Allow statement grants every AWS action (`*` or `*:*`), or an
Azure custom role grants every operation (`actions = ["*"]`).

The documentation, examples and level live in `rules/JEP101-full-wildcard-action/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import FULL, allows, grant_finding, resource_scope, source_grants


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform not in ("aws", "azure") or not allows(grant) or grant.not_actions:
            continue
        for value in grant.actions:
            if value.text in FULL:
                if grant.policy.platform == "azure":
                    except_ = f" except {', '.join(v.text or v.unresolved for v in grant.excluded)}" if grant.excluded else ""
                    can = f'perform every Azure action ("*"){except_} at the scopes the role is assigned'
                else:
                    can = f'perform every AWS action ("{value.text}") on {resource_scope(grant)}'
                yield grant_finding(graph, "JEP101", grant, value, can)


RULE = Rule("JEP101", check)
