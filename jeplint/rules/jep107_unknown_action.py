"""JEP107 unknown-action: an IAM statement names an action or service that does not exist in the
AWS action catalogue (a typo such as `s3:GetObjcet`, or a retired action).

A misspelt Allow grants nothing today while hiding what was meant (and may be "fixed" later into a
wildcard); a misspelt Deny silently denies nothing. Exact actions only: patterns are JEP102's.
Documentation: `rules/JEP107-unknown-action/`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from jeplint.catalog import aws_actions
from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule
from jeplint.rules.common import grant_finding, source_grants

_VERB = re.compile(r"^[A-Za-z][a-z]*")
READ_VERBS = frozenset({"get", "list", "describe", "batchget", "search", "query", "view"})


def _verb(name: str) -> str:
    """The leading verb of an action name: "Untag" of UntagSchedule, "deauthorize" of deauthorizeApplication."""
    m = _VERB.match(name[:1].upper() + name[1:])
    return m.group(0).lower() if m else name.lower()


def _close(written: str, candidate: str) -> bool:
    """A suggestion must mean what was written: the same verb (or a spelling slip of it, "Replication"
    for "Replicate"), or two read verbs (List for Get). UntagSchedule -> GetSchedule or
    deauthorizeApplication -> AuthorizeApplication are other actions, not corrections."""
    a, b = _verb(written), _verb(candidate)
    if a == b or (a in READ_VERBS and b in READ_VERBS):
        return True
    return len(a) >= 6 and len(b) >= 6 and a[:6] == b[:6]


def _suggestion(prefix: str, name: str) -> str:
    actions = {key: a for key, a in (aws_actions.service(prefix) or {}).items()}
    close = [c for c in difflib.get_close_matches(name.lower(), list(actions), n=3, cutoff=0.75) if _close(name, actions[c].name)]
    return f" (did you mean {prefix}:{actions[close[0]].name}?)" if close else ""


# Names people write for a service whose IAM actions live under another prefix: the prefix is not a
# typo of a similar-looking service (DocumentDB's management actions are `rds:`, not `odb:`).
SERVICE_ALIASES = {
    "docdb": ("rds", "DocumentDB is managed through rds: actions; docdb-elastic for elastic clusters"),
    "neptune": ("rds", "Neptune is managed through rds: actions; neptune-db for its data"),
    "aurora": ("rds", ""),
    "vpc": ("ec2", "VPC actions are EC2 actions"),
    "elb": ("elasticloadbalancing", ""),
    "alb": ("elasticloadbalancing", ""),
    "nlb": ("elasticloadbalancing", ""),
    "cloudwatchlogs": ("logs", ""),
    "stepfunctions": ("states", ""),
    "sfn": ("states", ""),
    "eventbridge": ("events", ""),
    "elasticsearch": ("es", ""),
    "msk": ("kafka", ""),
    "emr": ("elasticmapreduce", ""),
    "kinesisfirehose": ("firehose", ""),
}


def _service_suggestion(prefix: str) -> str:
    alias = SERVICE_ALIASES.get(prefix.lower())
    if alias is not None:
        real, why = alias
        return f" (its actions use the IAM prefix {real}" + (f": {why})" if why else ")")
    names = aws_actions.service_names()
    close = difflib.get_close_matches(prefix.lower(), names, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    if aws_actions.data_version() == "unavailable":
        return
    for grant in source_grants(graph):
        if grant.policy.platform != "aws" or grant.unresolved:
            continue
        for value in grant.actions:
            text = value.text
            if text is None or value.partial or "*" in text or "?" in text or text.count(":") != 1:
                continue
            prefix, name = text.split(":")
            actions = aws_actions.service(prefix)
            if actions is None:
                problem = f"service '{prefix}' is not in the AWS action catalogue{_service_suggestion(prefix)}"
            elif name.lower() not in actions:
                problem = f"{text} is not a {prefix} action{_suggestion(prefix, name)}"
            else:
                continue
            verb = "be denied" if grant.effect == "Deny" else "use"
            yield grant_finding(
                graph, "JEP107", grant, value, f"{verb} {text}, but {problem}; the statement does not do what it says"
            )


RULE = Rule("JEP107", check)
