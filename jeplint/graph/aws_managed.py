"""AWS managed policies attached by ARN (``arn:aws:iam::aws:policy/PATH/NAME``) or looked up by name.

The documents of all 1,641 AWS managed policies ship in ``jeplint/data/aws_managed_policies.bin``
(derived from github.com/iann0036/iam-dataset, see NOTICE; regenerate with
``scripts/refresh_aws_managed.py``). The file is read only when a scan attaches a managed policy; a
lookup is one search of its index and only the documents attached are decompressed.
AdministratorAccess and PowerUserAccess are written out here (the dataset lacks them).

One `Policy` per name is shared by every identity that attaches it; it has no span of its own, so its
grants carry the span of the first attachment and rules report it at each attachment. An ARN that is
not in the data (newer than the snapshot, or a typo) gives a policy marked `unresolved` and a note at
the attachment naming it, never an empty policy taken for a harmless one; a deprecated policy gets a
note too.
"""

from __future__ import annotations

import difflib
import json
import re
import zlib
from functools import lru_cache

from jeplint.datafiles import data_file
from jeplint.graph.model import Graph, Policy
from jeplint.graph.policy import grants_from_document
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span

_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy(?P<path>/(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]+)$")
DATA = "aws_managed_policies.bin"

# name -> statements as (effect, not_action, actions, resources): the two broadest policies, which the
# dataset lacks (AWS's published versions).
DOCUMENTS: dict[str, list[tuple[str, bool, list[str], list[str]]]] = {
    "AdministratorAccess": [("Allow", False, ["*"], ["*"])],
    "PowerUserAccess": [
        ("Allow", True, ["iam:*", "organizations:*", "account:*"], ["*"]),
        (
            "Allow",
            False,
            [
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation",
            ],
            ["*"],
        ),
    ],
}

# Broad grants by design: the name alone says what they are.
BROAD = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action except IAM, Organizations and Account management",
    "IAMFullAccess": "full IAM administration (iam:*)",
    "AdministratorAccess-Amplify": "administration of Amplify and the resources it creates",
    "AWSOrganizationsFullAccess": "full AWS Organizations administration",
}


class _Catalogue:
    """The shipped catalogue, read on first use (format: scripts/refresh_aws_managed.py). A lookup
    is one substring search of the index; only the documents attached are decompressed."""

    def __init__(self) -> None:
        self.file = data_file(DATA)
        with self.file.open("rb") as handle:
            header = json.loads(handle.readline())
            self.table: bytes = handle.read(header["index"])
            self.base = handle.tell()  # where the documents start
        self.count: int = header["count"]
        dated = re.search(r"\((\d{4}-\d\d-\d\d)\)", header["source"])
        self.snapshot = dated.group(1) if dated else "of unknown date"

    def entry(self, name: str) -> tuple[str, bool, int, int] | None:
        """(path, deprecated, offset, length) of a policy, or None when the catalogue lacks it."""
        at = self.table.find(f"\n{name}\t".encode())
        if at < 0 or "\t" in name or "\n" in name:
            return None
        line = self.table[at + 1 : self.table.index(b"\n", at + 1)].decode()
        _, path, deprecated, offset, length = line.split("\t")
        return path, deprecated == "1", int(offset), int(length)

    def names(self) -> list[str]:
        return [line.split("\t", 1)[0] for line in self.table.decode().split("\n") if line]

    def statements(self, name: str) -> list:
        found = self.entry(name)
        assert found is not None
        _, _, offset, length = found
        with self.file.open("rb") as handle:
            handle.seek(self.base + offset)
            return json.loads(zlib.decompress(handle.read(length)))


@lru_cache(maxsize=1)
def catalogue() -> _Catalogue:
    return _Catalogue()


def service_role_policy(name: str) -> bool:
    """An AWS managed policy AWS publishes for a service's own role (path `/service-role/`)."""
    known = catalogue().entry(name)
    return known is not None and known[0] == "/service-role/"


def _texts(value: object) -> frozenset[str]:
    items = value if isinstance(value, list) else [value]
    return frozenset(str(v).lower() for v in items if isinstance(v, str))


@lru_cache(maxsize=1)
def _service_statements() -> dict[frozenset[str], list[tuple[frozenset[str], str]]]:
    """resources -> [(actions, policy name)] of every unconditioned Allow statement of the policies
    AWS publishes for services' roles (`/service-role/`, `/aws-service-role/`); read on first use."""
    found = catalogue()
    out: dict[frozenset[str], list[tuple[frozenset[str], str]]] = {}
    for name in found.names():
        entry = found.entry(name)
        if entry is None or entry[0] not in ("/service-role/", "/aws-service-role/"):
            continue
        for statement in found.statements(name):
            if isinstance(statement, dict) and statement.get("Effect") == "Allow" and "Condition" not in statement:
                if "Action" in statement and "Resource" in statement:
                    resources = _texts(statement["Resource"])
                    out.setdefault(resources, []).append((_texts(statement["Action"]), name))
    return out


def documented_for_service(actions: list[str], resources: list[str], services: list[str]) -> str | None:
    """The AWS managed policy published for one of `services`' roles (its name names the service:
    `events` in AmazonEC2ContainerServiceEventsRole) with a statement this one copies verbatim (the
    same actions on the same resources), or None. A subset is not a copy: `ec2:StopInstances` on
    `*` is in some service's policy, but an instance role written with it is the customer's choice."""
    wanted = frozenset(a.lower() for a in actions)
    if not wanted or not services:
        return None
    for granted, name in _service_statements().get(frozenset(r.lower() for r in resources), []):
        if wanted == granted and any(service in name.lower() for service in services):
            return name
    return None


def managed_name(arn: str) -> str | None:
    match = _ARN.match(arn)
    return match.group("name") if match else None


def managed_policy(graph: Graph, arn: str, span: Span) -> Policy | None:
    """The shared Policy for an AWS managed policy ARN (created on first use), or None if not one."""
    match = _ARN.match(arn)
    if match is None:
        return None
    name, path = match.group("name"), match.group("path")
    if name not in DOCUMENTS:
        known = catalogue().entry(name)
        if known is None or known[0] != path:
            return _unknown(graph, arn, name, span, None if known is None else f"arn:aws:iam::aws:policy{known[0]}{name}")
    return _policy(graph, name, span)


def managed_policy_by_name(graph: Graph, name: str, span: Span) -> Policy | None:
    """The shared Policy for an AWS managed policy named without its ARN (`data "aws_iam_policy"
    { name = ... }`), or None when no managed policy has that name (a customer policy, then)."""
    if name in DOCUMENTS or catalogue().entry(name) is not None:
        return _policy(graph, name, span)
    return None


def _policy(graph: Graph, name: str, span: Span) -> Policy:
    key = f"aws-managed:{name}"
    policy = graph.policy(key)
    if policy is None:
        policy = Policy("aws", "aws-managed", name, key, None)
        if name in DOCUMENTS:
            statements: list = [
                {"Effect": effect, "NotAction" if negated else "Action": actions, "Resource": resources}
                for effect, negated, actions, resources in DOCUMENTS[name]
            ]
        else:
            statements = catalogue().statements(name)
        grants_from_document(policy, _node({"Statement": statements}, span))
        graph.policies.append(policy)
    known = catalogue().entry(name) if name not in DOCUMENTS else None
    if known is not None and known[1]:
        graph.notes.append(
            (
                span,
                f"AWS managed policy {name} is deprecated by AWS: it cannot be attached anew and is no longer "
                "updated; move to its successor",
            )
        )
    return policy


def _unknown(graph: Graph, arn: str, name: str, span: Span, moved: str | None) -> Policy:
    key = f"aws-managed:?{arn}"
    policy = graph.policy(key)
    if policy is None:
        policy = Policy("aws", "aws-managed", name, key, None)
        policy.unresolved = "not in jeplint's catalogue of AWS managed policies"
        graph.policies.append(policy)
    if moved is not None:
        hint = f"; AWS publishes it as {moved}"
    else:
        close = difflib.get_close_matches(name, catalogue().names() + list(DOCUMENTS), n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
    graph.notes.append(
        (
            span,
            f"AWS managed policy {arn} is not in jeplint's catalogue of {catalogue().count} AWS managed policies "
            f"(snapshot {catalogue().snapshot}): newer than the data or a typo{hint}; its permissions are not analysed",
        )
    )
    return policy


def _node(value: object, span: Span) -> Node:
    """A plain JSON value as positioned nodes, every one at `span` (the attachment)."""
    if isinstance(value, dict):
        return Mapping({k: _node(v, span) for k, v in value.items()}, dict.fromkeys(value, span), span)
    if isinstance(value, list):
        return Sequence([_node(v, span) for v in value], span)
    return Scalar(value, span)
