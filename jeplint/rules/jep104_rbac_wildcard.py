"""JEP104 rbac-wildcard: a Kubernetes Role or ClusterRole rule with `*` in verbs, resources or
apiGroups — it grants today's and every future verb, resource or API group (CRDs included).

One finding per RBAC rule, at its first wildcard (verbs, then resources, then apiGroups). A rule
whose verbs are all empty strings (`verbs: [""]`) grants nothing and is not reported; one whose only
wildcard is `apiGroups: "*"` and whose verbs only read (get, list, watch) is a note. One limited to
the metrics APIs (`metrics.k8s.io`, `custom.metrics.k8s.io`, `external.metrics.k8s.io`) is not
reported: those APIs serve get, list and watch only, so `*` there grants no more than reading
metrics, which is what a metrics adapter or autoscaler needs.
Documentation: `rules/JEP104-rbac-wildcard/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Graph, Value
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import grant_finding, source_grants

READ_ONLY = ("get", "list", "watch")
# Aggregated APIs that serve metrics and nothing else: their resources answer get, list and watch only,
# so a wildcard limited to them can only read metrics.
READ_ONLY_GROUPS = frozenset({"metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io"})


def _first_star(values: list[Value]) -> Value | None:
    return next((v for v in values if v.text == "*"), None)


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for grant in source_grants(graph):
        if grant.policy.platform != "kubernetes":
            continue
        verbs, resources, groups = (_first_star(grant.actions), _first_star(grant.resources), _first_star(grant.api_groups))
        token = verbs or resources or groups
        if token is None or (grant.actions and all(v.text == "" for v in grant.actions)):
            continue  # no wildcard, or no verb at all: an empty verb grants nothing
        named_groups = sorted({v.text if v.text is not None else "?" for v in grant.api_groups})
        if not groups and named_groups and set(named_groups) <= READ_ONLY_GROUPS:
            continue  # metrics APIs serve reads only: the wildcard grants no more than reading metrics
        verb_text = 'every verb ("*")' if verbs else ", ".join(v.text or "?" for v in grant.actions)
        if resources:
            resource_text = 'every resource ("*")'
        else:
            resource_text = ", ".join(v.text or "?" for v in grant.resources) or "no resource"
        if groups:
            group_text = ' in every API group ("*")'
        elif named_groups:  # the wildcard is only as wide as the groups the rule names
            shown = ", ".join(g if g else "core" for g in named_groups)
            group_text = f" in API group{'s' if len(named_groups) > 1 else ''} {shown}"
        else:
            group_text = ""
        can = f"perform {verb_text} on {resource_text}{group_text}"
        which = "+".join(name for name, hit in (("verbs", verbs), ("resources", resources), ("apiGroups", groups)) if hit)
        finding = grant_finding(graph, "JEP104", grant, token, can, which)
        if not (verbs or resources) and grant.actions and all((v.text or "").lower() in READ_ONLY for v in grant.actions):
            finding.level = "note"  # named resources, read only: the group wildcard adds little
        yield finding


RULE = Rule("JEP104", check)
