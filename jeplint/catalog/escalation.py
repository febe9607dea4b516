"""Privilege-escalation combinations per platform, from `jeplint/data/escalation.json`.

The file is read on first use only (a scan that reaches no JEP4 rule never opens it). It holds:

- `aws`: escalation paths (DataDog pathfinding.cloud, plus two cloudsplaining methods): the actions
  that, held together, let an identity gain privileges it was not given;
- `gcp`: the Rhino Security Labs methods (permissions), plus `iam.serviceAccounts.actAs` alone;
- `azure`: operations that assign roles, rewrite roles, or run code as another identity;
- `kubernetes`: the escalation entries of the risky-RBAC catalogue (verbs x resources x apiGroups).

Each entry carries jeplint's level and the words of its effect ("lets it ..."). Sources, licences
and the refresh path: NOTICE, item 5.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jeplint.catalog.aws_actions import arn_formats
from jeplint.datafiles import data_file
from jeplint.placeholders import substitute

# The service principal that receives a passed role, by the service prefix of the action that uses it
# (where they differ from "<prefix>.amazonaws.com").
PASSED_TO = {"ecs": "ecs-tasks.amazonaws.com", "autoscaling": "ec2.amazonaws.com", "elasticbeanstalk": "ec2.amazonaws.com"}


@dataclass(frozen=True, slots=True)
class Path:
    """One way to escalate: every permission in `needs` held together."""

    id: str
    needs: tuple[str, ...]  # AWS actions, GCP permissions or Azure operations, as their catalogues spell them
    level: str  # error | warning, before any narrowing
    effect: str  # "lets it run code as any role it can pass, in a new Lambda function"
    self_neutral: bool = False  # held only on the identity itself, the path gives nothing (its own access keys)
    scopes: tuple[
        str, ...
    ] = ()  # GCP: where a binding must be for the path to work (Organization, Folder, Project, ServiceAccount)

    @property
    def target(self) -> str:
        """The permission whose resource (or binding scope) decides whose privileges are gained:
        iam:PassRole or iam.serviceAccounts.actAs, else the first."""
        return next((n for n in self.needs if n.lower() in ("iam:passrole", "iam.serviceaccounts.actas")), self.needs[0])

    @property
    def passed_to(self) -> str | None:
        """The service principal a role passed on this path is handed to (`iam:PassedToService`):
        the service of the path's first other AWS action; None when the path passes no role."""
        if not any(n.lower() == "iam:passrole" for n in self.needs):
            return None
        prefix = next((n.split(":", 1)[0].lower() for n in self.needs if n.lower() != "iam:passrole" and ":" in n), "")
        return PASSED_TO.get(prefix, f"{prefix}.amazonaws.com") if prefix else None


@dataclass(frozen=True, slots=True)
class RbacRisk:
    """A Kubernetes RBAC grant that lets its holder escalate (bind, escalate, exec, create pods, ...)."""

    id: str
    short: str  # "create pods"
    effect: str
    rules: tuple[tuple[frozenset[str], frozenset[str], frozenset[str]], ...]  # (apiGroups, resources, verbs); any rule matches
    cluster_level: str
    namespace_level: str | None  # None: a cluster-scoped resource, which a RoleBinding cannot grant


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with (data_file("escalation.json")).open("r", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _paths(platform: str, key: str) -> tuple[Path, ...]:
    return tuple(
        Path(e["id"], tuple(e[key]), e["level"], e["effect"], bool(e.get("self_neutral")), tuple(e.get("scopes", ())))
        for e in _data()[platform]
    )


@lru_cache(maxsize=1)
def aws_paths() -> tuple[Path, ...]:
    return _paths("aws", "actions")


@lru_cache(maxsize=1)
def gcp_paths() -> tuple[Path, ...]:
    return _paths("gcp", "permissions")


@lru_cache(maxsize=1)
def azure_paths() -> tuple[Path, ...]:
    return _paths("azure", "operations")


@lru_cache(maxsize=1)
def rbac_risks() -> tuple[RbacRisk, ...]:
    out = []
    for entry in _data()["kubernetes"]:
        rules = tuple((frozenset(m["apiGroups"]), frozenset(m["resources"]), frozenset(m["verbs"])) for m in entry["match"])
        levels = entry["levels"]
        out.append(RbacRisk(entry["id"], entry["short"], entry["effect"], rules, levels["cluster"], levels["namespace"]))
    return tuple(out)


def covers(resource: str, action: str) -> bool:
    """Whether a statement's resource can name something `action` acts on: `*`, or an ARN of one of
    its resource types (`arn:aws:codebuild:...:report-group/x` does not cover codebuild:StartBuild).
    Unknown actions and resources that are not ARNs are given the benefit."""
    parts = arn_parts(resource)
    if resource == "*" or len(parts) != 6:
        return True
    formats = arn_formats(action)
    if not formats:
        return True
    return any((parts[2] in (service, "*") or "*" in parts[2]) and _may_name(parts[5], part) for service, part in formats)


def _may_name(resource: str, part: str) -> bool:
    """Whether a statement's resource part (`${}` for placeholders, `*` wildcards) can name a
    resource of the type whose ARN format has the resource part `part`. A format that is one name
    (`${BucketName}`, `${QueueName}`: no `/` can be in it) cannot name `bucket/key`, and a plain
    name without `/` cannot be a `${BucketName}/${ObjectName}`: bucket actions do not reach
    `arn:aws:s3:::b/*`, object actions do not reach `arn:aws:s3:::b`."""
    literal = resource.split("*", 1)[0].split("${", 1)[0]
    prefix = part.split("${", 1)[0]
    if not (literal.startswith(prefix) or prefix.startswith(literal)):
        return False
    single = part.startswith("${") and part.endswith("}") and part.count("${") == 1 and "Path" not in part
    if single and "/" in literal:
        return False
    plain = "*" not in resource and "${" not in resource and "?" not in resource
    return not (plain and "/" in part[len(prefix) :] and "/" not in resource[len(prefix) :])


def arn_parts(text: str) -> list[str]:
    """An ARN split at its colons, placeholders (`${AWS::AccountId}`) kept whole as `${}`."""
    return substitute(text, lambda name, whole: "${}").split(":", 5)
