"""Typed conditions: what a statement's `Condition` block (or a GCP/Azure condition) says.

Extractors turn what is written into `Condition` facts once; rules ask questions of them here —
which keys scope a grant, which guard a cross-account trust, when a time bound ends — and never
walk raw condition documents.

An AWS condition block `{"StringEquals": {"aws:SourceAccount": ["1", "2"]}}` becomes one
`Condition("StringEquals", "aws:SourceAccount", ("1", "2"))` per key. A value that could not be
resolved is None. A condition jeplint could not read at all (a `dynamic "condition"` over an
unknown collection, a `Condition` given by an unresolved reference) is `Condition("?", ...)`: a
condition exists, its meaning is unknown — a rule must not conclude that the statement has none.
A GCP workload identity pool's `attribute_condition` or an IAM condition expression is
`Condition("cel", <what it constrains>, (expression,))`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

UNKNOWN = "?"
CEL = "cel"

# Condition keys that narrow a grant to named sources, accounts, networks, tags or times (lower case;
# a trailing "/" matches every key with that prefix, e.g. aws:ResourceTag/<tag>).
SCOPING_KEYS = (
    "iam:passedtoservice",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:principalorgid",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:resourcetag/",
    "aws:requesttag/",
    "aws:principaltag/",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:calledvia",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "kms:viaservice",
    "kms:calleraccount",
    "s3:prefix",
    "ec2:resourcetag/",
    "sts:externalid",
    "aws:currenttime",
    "aws:mfapresent",
)

# Keys that tie a cross-account trust to a shared secret, MFA or named principals.
CROSS_ACCOUNT_GUARDS = (
    "sts:externalid",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/",
    "aws:sourceidentity",
    "aws:userid",
    "aws:username",
)


@dataclass(frozen=True, slots=True)
class Condition:
    """One operator applied to one key with its values, as written."""

    operator: str  # "StringEquals", "ForAnyValue:StringLike", "DateLessThanIfExists", "?", "cel"
    key: str  # "aws:SourceArn", "token.actions.githubusercontent.com:sub", "attribute_condition"
    values: tuple[object, ...] = ()  # str/bool/number as written; None where unresolved

    @property
    def unknown(self) -> bool:
        return self.operator == UNKNOWN

    @property
    def qualifier(self) -> str:
        """ "ForAllValues", "ForAnyValue" or ""."""
        head, sep, _ = self.operator.partition(":")
        return head if sep else ""

    @property
    def base(self) -> str:
        """The operator without set qualifier and `IfExists`: "StringLike", "DateLessThan"."""
        return self.operator.rpartition(":")[2].removesuffix("IfExists")

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")

    def has_key(self, *names: str) -> bool:
        """The key is one of `names` (case-insensitive; a name ending in "/" is a prefix)."""
        lowered = self.key.lower()
        return any(lowered == n or (n.endswith("/") and lowered.startswith(n)) for n in names)

    @property
    def texts(self) -> list[str]:
        return [v for v in self.values if isinstance(v, str)]


Conditions = tuple[Condition, ...]


def from_document(raw: object) -> Conditions:
    """An AWS `Condition` block, already plain data (`{"operator": {"key": values}}`)."""
    if not isinstance(raw, dict):
        return (Condition(UNKNOWN, _describe(raw)),)
    out: list[Condition] = []
    for operator, clauses in raw.items():
        if not isinstance(clauses, dict):
            out.append(Condition(UNKNOWN, f"{operator}: {_describe(clauses)}"))
            continue
        for key, values in clauses.items():
            items = values if isinstance(values, list) else [values]
            out.append(Condition(str(operator), str(key), tuple(_value(v) for v in items)))
    return tuple(out)


def _value(value: object) -> object:
    return value if value is None or isinstance(value, (str, bool, int, float)) else _describe(value)


def _describe(value: object) -> str:
    return value if isinstance(value, str) else type(value).__name__


def scoping(conditions: Iterable[Condition]) -> list[str]:
    """Keys of the conditions that narrow a grant (see SCOPING_KEYS), as written, sorted.

    `ForAllValues:` conditions are left out: they hold vacuously when the request has no value.
    """
    return sorted(
        {
            c.key
            for c in conditions
            if c.qualifier != "ForAllValues"
            and (c.has_key(*SCOPING_KEYS) or (_RESOURCE_TAG.match(c.key.lower()) and not c.if_exists))
        }
        | set(bounding(conditions))
    )


_RESOURCE_TAG = re.compile(r"^[a-z0-9-]+:resourcetag/")
_TRUE_ONLY = ("aws:viaawsservice", "kms:grantisforawsresource")  # bound only when required to be true
_SERVICE_PATH = ("kms:viaservice", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast")


def bounding(conditions: Iterable[Condition]) -> list[str]:
    """Keys of the conditions that bound which resources a `Resource: "*"` grant reaches, or route it
    through an AWS service only, as written, sorted: a resource tag of any service
    (`secretsmanager:ResourceTag/team`), `aws:ViaAWSService` / `kms:GrantIsForAWSResource` required
    to be true, `kms:ViaService`, `aws:CalledVia`. `ForAllValues:` and `...IfExists` conditions are
    left out (they hold when the request has no such value), and so are negated operators."""
    keys = set()
    for condition in conditions:
        if condition.qualifier == "ForAllValues" or condition.if_exists or condition.base.startswith(("StringNot", "ArnNot")):
            continue
        lowered = condition.key.lower()
        if lowered in _TRUE_ONLY:
            if condition.values and all(str(v).lower() == "true" for v in condition.values):
                keys.add(condition.key)
        elif lowered in _SERVICE_PATH or _RESOURCE_TAG.match(lowered):
            if condition.values and all(v not in (None, "", "*") for v in condition.values):
                keys.add(condition.key)
    return sorted(keys)


def guards(conditions: Iterable[Condition]) -> list[str]:
    """Keys that guard a cross-account trust; an empty external id or MFA required to be "false"
    guards nothing."""
    keys = set()
    for condition in conditions:
        if not condition.has_key(*CROSS_ACCOUNT_GUARDS):
            continue
        written = [str(v).lower() for v in condition.values]
        if all(v == "" for v in written):
            continue
        if condition.has_key("aws:multifactorauthpresent") and all(v == "false" for v in written):
            continue
        keys.add(condition.key)
    return sorted(keys)


def values_for(conditions: Iterable[Condition], key_suffix: str) -> list[object] | None:
    """Every value of the conditions whose key ends with `key_suffix` (case-insensitive); None
    when no condition names such a key."""
    found: list[object] | None = None
    suffix = key_suffix.lower()
    for condition in conditions:
        if condition.key.lower().endswith(suffix):
            found = (found or []) + list(condition.values)
    return found


def any_unknown(conditions: Iterable[Condition]) -> bool:
    return any(c.unknown for c in conditions)


def names_key(conditions: Iterable[Condition], *keys: str) -> bool:
    """Some condition constrains one of `keys` (lower case, "/" suffix = prefix)."""
    return any(c.has_key(*keys) for c in conditions)
