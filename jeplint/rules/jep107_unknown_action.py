"""JEP107 unknown-action: an IAM statement names an action or service that does not exist in the
AWS action catalogue (a typo such as `s3:GetObjcet`, or a retired action).

A misspelt Allow grants nothing today while hiding what was meant (and may be "fixed" later into a
wildcard); a misspelt Deny silently denies nothing. Exact actions only: patterns are JEP102's.
Unknown actions of one service in one statement make one finding. A wrong name next to the real
action it stands for in the same statement (`docdb:DescribeDBClusters` beside
`rds:DescribeDBClusters`) is not reported: the statement does what it says. A suggestion names the
IAM action of the same operation (same noun), never an action on something else; without one the
message says only that the catalogue does not have the action (it may be newer than the catalogue).
Documentation: `rules/JEP107-unknown-action/`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from jeplint.catalog import aws_actions
from jeplint.graph.model import Graph, Value
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule
from jeplint.rules.common import grant_finding, plural, source_grants

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


def _noun(name: str) -> str:
    return name[len(_verb(name)) :].lower()


def _meant(prefix: str, name: str) -> str | None:
    """The action a misspelt `prefix:name` most likely means, or None. Best: the same noun with a
    read verb for a read verb (`glue:ListConnections` -> `glue:GetConnections`); then an action whose
    name the written one extends or shortens (the API `PutBucketNotificationConfiguration` is the IAM
    action `s3:PutBucketNotification`); then a close spelling with the same verb and a close noun
    (`s3:GetObjcet` -> `s3:GetObject`), never another noun (`PutBucketObjectLockConfiguration`)."""
    actions = aws_actions.service(prefix) or {}
    lower, noun = name.lower(), _noun(name)
    same_noun = [a for a in actions.values() if _noun(a.name) == noun and _close(name, a.name)]
    if same_noun:
        return same_noun[0].full
    extended = [
        a for a in actions.values() if len(a.name) >= 6 and (lower.startswith(a.name.lower()) or a.name.lower().startswith(lower))
    ]
    extended = [a for a in extended if _verb(a.name) == _verb(name)]
    if extended:
        return min(extended, key=lambda a: abs(len(a.name) - len(name))).full
    for key in difflib.get_close_matches(lower, list(actions), n=3, cutoff=0.75):
        candidate = actions[key]
        if _close(name, candidate.name) and difflib.SequenceMatcher(None, noun, _noun(candidate.name)).ratio() >= 0.8:
            return candidate.full
    return None


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


def _service_meant(prefix: str) -> tuple[str | None, str]:
    """(the service prefix meant, why) for an unknown prefix: an alias, a close spelling, or (None, "")."""
    alias = SERVICE_ALIASES.get(prefix.lower())
    if alias is not None:
        return alias
    close = difflib.get_close_matches(prefix.lower(), aws_actions.service_names(), n=1, cutoff=0.75)
    return (close[0], "") if close else (None, "")


def _problem(prefix: str, names: list[str], meant: list[str | None], known_service: bool) -> str:
    """What is wrong with the unknown actions `names` of one service in one statement."""
    if not known_service:
        real, why = _service_meant(prefix)
        if real is None:
            hint = ""
        elif real in SERVICE_ALIASES.get(prefix.lower(), ("",))[:1]:
            hint = f" (its actions use the IAM prefix {real}" + (f": {why})" if why else ")")
        else:
            hint = f" (did you mean {real}?)"
        return f"service '{prefix}' is not in the AWS action catalogue{hint}"
    shown = [f"{prefix}:{n}" + (f" (did you mean {m}?)" if m else "") for n, m in zip(names, meant, strict=True)]
    if len(names) == 1:
        return (
            f"the AWS action catalogue has no {prefix}:{names[0]} (did you mean {meant[0]}?)"
            if meant[0]
            else f"{prefix}:{names[0]} is not in the AWS action catalogue"
        )
    listed = ", ".join(shown[:SHOWN]) + (f" and {len(shown) - SHOWN} more" if len(shown) > SHOWN else "")
    return f"none of these {len(names)} {prefix} actions is in the AWS action catalogue: {listed}"


SHOWN = 4


def _twin(prefix: str, name: str, known_service: bool) -> str | None:
    """The real action a wrong `prefix:name` stands for, when it is certain enough to look for it in
    the same statement (`docdb:DescribeDBClusters` -> `rds:DescribeDBClusters`)."""
    if known_service:
        return _meant(prefix, name)
    real, _ = _service_meant(prefix)
    return f"{real}:{name}" if real else None


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    if aws_actions.data_version() == "unavailable":
        return
    for grant in source_grants(graph):
        if grant.policy.platform != "aws" or grant.unresolved:
            continue
        present = {v.text.lower() for v in grant.actions if v.text}
        wrong: dict[tuple[str, bool], list[tuple[Value, str, str | None]]] = {}
        for value in grant.actions:
            text = value.text
            if text is None or value.partial or "*" in text or "?" in text or text.count(":") != 1:
                continue
            prefix, name = text.split(":")
            actions = aws_actions.service(prefix)
            if actions is not None and name.lower() in actions:
                continue
            twin = _twin(prefix, name, actions is not None)
            if twin is not None and twin.lower() in present:
                continue  # the statement also names the real action: it does what it says, the line is dead
            wrong.setdefault((prefix, actions is not None), []).append((value, name, twin if actions is not None else None))
        verb = "be denied" if grant.effect == "Deny" else "use"
        for (prefix, known), items in wrong.items():
            names = [name for _, name, _ in items]
            problem = _problem(prefix, names, [m for _, _, m in items], known)
            first = items[0][0]
            what = first.text if len(items) == 1 else f"{first.text} and {plural(len(items) - 1, 'other ' + prefix + ' action')}"
            but = f", but {problem}; the statement does not do what it says"
            finding = grant_finding(graph, "JEP107", grant, first, f"{verb} {what}", but=but)
            finding.related[:0] = [Related(v.span, f"{v.text}: not in the AWS action catalogue either") for v, _, _ in items[1:]]
            yield finding


RULE = Rule("JEP107", check)
