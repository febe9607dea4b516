"""Reading Terraform values for credentials: dates, durations, numbers, rotations, key references."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from jeplint.graph.credentials.common import _saml_only_document
from jeplint.graph.lifetimes import Lifetime, Rotation
from jeplint.graph.terraform import NONE, Module, parse_embedded_json, traversal
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span
from jeplint.timeparse import CALENDAR_UNITS, calendar_duration, humanize, parse_duration, parse_timestamp

VAULT_DEFAULT_MAX_TTL = timedelta(hours=768)  # Vault's system max lease TTL when nothing tunes it (32 days)
AZURE_DEFAULT_SECRET_LIFE = timedelta(days=730)  # Microsoft Graph addPassword: "startDateTime + 2 years"
K8S_DEFAULT_TOKEN_LIFE = timedelta(hours=1)  # TokenRequest / projected token default expirationSeconds
GCP_KEY_EXPIRY_CONSTRAINT = "iam.serviceAccountKeyExpiryHours"
# GitHub Actions secrets: resource types, and secret names that say a cloud key is inside.
GITHUB_SECRET_TYPES = ("github_actions_secret", "github_actions_environment_secret", "github_actions_organization_secret")
CLOUD_KEY_NAMES = {
    "aws": re.compile(r"(^|_)AWS_SECRET_ACCESS_KEY$", re.IGNORECASE),
    "gcp": re.compile(
        r"(^|_)(GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS|GCP_CREDENTIALS|GCP_SA_KEY|SERVICE_ACCOUNT_KEY|SA_KEY)$",
        re.IGNORECASE,
    ),
    "azure": re.compile(r"(^|_)(AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|AZURE_CREDENTIALS)$", re.IGNORECASE),
}
# Key resources whose secret a GitHub secret may hold: type -> (attributes that are secret, cloud).
KEY_RESOURCES = {
    "aws_iam_access_key": (("secret", "encrypted_secret", "ses_smtp_password_v4"), "aws"),
    "google_service_account_key": (("private_key",), "gcp"),
    "azuread_application_password": (("value",), "azure"),
    "azuread_service_principal_password": (("value",), "azure"),
}
AZURE_SECRET_TYPES = {
    "azuread_application_password": ("client secret", "application"),
    "azuread_service_principal_password": ("client secret", "service_principal"),
    "azuread_application_certificate": ("certificate", "application"),
    "azuread_service_principal_certificate": ("certificate", "service_principal"),
}
# Azure built-in roles by id, for PIM assignments that name the role by its definition id.
AZURE_ROLE_IDS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_PRODUCT = re.compile(r"^\s*\d+(\s*\*\s*\d+)*\s*$")


def _resource_ref(module: Module, node: Node | None, depth: int = 0) -> list[str] | None:
    """The traversal of the resource a value refers to (`aws_iam_user.ci.name`), through locals and
    variables; None for a literal or anything else. `data.<type>.<label>...` counts as a resource.
    """
    if not isinstance(node, Expr) or node.op != "ref" or depth > 8:
        return None
    parts = traversal(node.text)
    if len(parts) < 2 or parts[0] in ("module", "path", "each", "count", "self"):
        return None
    if parts[0] == "local":
        return _resource_ref(module, module.locals.get(parts[1]), depth + 1) if len(parts) == 2 else None
    if parts[0] == "var":
        resolved = module.resolve(node)
        return _resource_ref(module, resolved, depth + 1) if resolved is not node else None
    return parts


def _unresolved(noun: str, node: Node | None) -> str:
    """'user ${var.name} (unresolved)', or 'an unnamed user' when nothing is written."""
    if node is None:
        return f"an unnamed {noun}"
    return f"{noun} {_source(node)} (unresolved)" if not isinstance(node, Expr) else f"{noun} ${{{node.text}}} (unresolved)"


def _at(lifetime: Lifetime | None, fallback: Span) -> Span:
    """Where a finding about a lifetime points: where it is written, or `fallback` when unknown."""
    return lifetime.span if lifetime is not None else fallback


def _first_block(block: Block | None, name: str) -> Block | None:
    found = block.blocks_of(name) if block is not None else []
    return found[0] if found else None


def _walk_blocks(block: Block) -> Iterator[Block]:
    for child in block.blocks:
        yield child
        yield from _walk_blocks(child)


def _source(node: Node) -> str:
    """A value as it is written, for messages: `"8760h"`, `43200`, `timeadd(timestamp(), "2160h")`."""
    if isinstance(node, Expr):
        return node.text
    if isinstance(node, Scalar):
        return f'"{node.value}"' if isinstance(node.value, str) else str(node.value)
    return "..."


def _end_date(module: Module, block: Block, absolute: str, relative: str | None = None) -> Lifetime | None:
    """The lifetime an `end_date` (or `end_date_relative`) attribute writes; None when unknown."""
    starts = _timestamp(module, block.attrs.get("start_date"))
    if absolute in block.attrs:
        node = block.attrs[absolute]
        found = _time_value(module, node)
        if found is None:
            return None
        ends, duration = found
        return Lifetime(node.span, f"{absolute} = {_source(node)}", duration, ends, starts if ends else None)
    node = block.attrs[relative] if relative else NONE
    text = module.text(node)
    duration = parse_duration(text) if text else None
    return Lifetime(node.span, f"{relative} = {_source(node)}", duration) if duration is not None else None


def _is_false(module: Module, node: Node | None) -> bool:
    value = module.resolve(node) if node is not None else None
    return isinstance(value, Scalar) and (value.value is False or str(value.value).lower() == "false")


def _number(module: Module, node: Node | None) -> float | None:
    value = module.resolve(node) if node is not None else None
    if isinstance(value, Scalar) and not isinstance(value.value, bool):
        if isinstance(value.value, (int, float)):
            return float(value.value)
        if isinstance(value.value, str) and re.fullmatch(r"\d+(\.\d+)?", value.value):
            return float(value.value)
    if isinstance(value, Expr) and value.op == "other" and _PRODUCT.match(value.text):
        product = 1
        for factor in value.text.split("*"):
            product *= int(factor)
        return float(product)
    return None


def _seconds(module: Module, node: Node | None) -> int | None:
    """Seconds written as a number, `12 * 60 * 60`, or a duration string (`"24h"`)."""
    number = _number(module, node)
    if number is not None:
        return int(number)
    text = module.text(node)
    duration = parse_duration(text) if text else None
    return int(duration.total_seconds()) if duration is not None else None


def _seconds_lifetime(module: Module, node: Node | None, attr: str, span: Span, default: timedelta) -> Lifetime | None:
    if node is None:
        return Lifetime(span, f"no {attr}", default, written=False)
    seconds = _seconds(module, node)
    return Lifetime(node.span, f"{attr} = {_source(node)}", timedelta(seconds=seconds)) if seconds is not None else None


def _vault_lifetime(
    module: Module, block: Block, span: Span, attrs: tuple[str, str, str], renewable: str | None
) -> Lifetime | None:
    """Vault token lifetime from (explicit max, period, ttl) attributes: an explicit maximum, a
    periodic token (renewable forever), a ttl (a maximum, or the initial ttl of a token that cannot
    be renewed: `renewable` names that switch), or Vault's default maximum.
    """
    explicit, period, ttl = attrs
    for attr in attrs:
        node = block.attrs.get(attr)
        seconds = _seconds(module, node) if node is not None else None
        if node is None or seconds == 0:
            continue  # 0 = not set, as Vault reads it
        if seconds is None:
            return None  # written in a way the scan cannot evaluate
        if attr == period:
            return Lifetime(node.span, f"{period} = {_source(node)} with no {explicit}: renewable forever", never=True)
        if attr == ttl and renewable is not None and not _is_false(module, block.attrs.get(renewable)):
            break  # a renewable token lives up to the max TTL, not its ttl
        return Lifetime(node.span, f"{attr} = {_source(node)}", timedelta(seconds=seconds))
    node = block.attrs.get(ttl)
    where = node.span if node is not None and renewable is not None else span
    missing = explicit if renewable is not None else ttl  # the attribute a user would set
    return Lifetime(where, f"no {missing}, so Vault's default maximum TTL applies", VAULT_DEFAULT_MAX_TTL, written=False)


def _timestamp(module: Module, node: Node | None) -> datetime | None:
    text = module.text(node)
    return parse_timestamp(text) if text else None


def _time_value(module: Module, node: Node) -> tuple[datetime | None, timedelta | None] | None:
    """(absolute end, or validity after creation) of an end-date expression; None when unknown.

    Literal timestamps; `timeadd(timestamp(), "2160h")` and `timeadd(<literal>, d)`;
    `time_offset.x.rfc3339`; `time_rotating.x.rotation_rfc3339`; `timeadd()` on either.
    """
    value = module.resolve(node)
    if isinstance(value, Scalar) and isinstance(value.value, str):
        moment = parse_timestamp(value.value)
        return (moment, None) if moment is not None else None
    if isinstance(value, Expr) and value.op == "call" and value.name == "timeadd" and len(value.args) == 2:
        text = module.text(value.args[1])
        duration = parse_duration(text) if text else None
        base = module.resolve(value.args[0])
        if duration is None:
            return None
        if isinstance(base, Expr) and base.op == "call" and base.name == "timestamp":
            return None, duration
        inner = _time_value(module, base)
        if inner is None:
            return None
        ends, after = inner
        return (ends + duration, None) if ends is not None else (None, (after or timedelta()) + duration)
    if isinstance(value, Expr) and value.op == "ref":
        parts = traversal(value.text)
        block = module.resources.get((parts[0], parts[1])) if len(parts) >= 3 else None
        if block is None:
            return None
        if parts[0] == "time_offset":
            offset = _calendar(module, block, "offset_")
            start = _timestamp(module, block.attrs.get("base_rfc3339"))
            if offset is None:
                return None
            return (start + offset, None) if start is not None else (None, offset)
        if parts[0] == "time_rotating" and parts[2] == "rotation_rfc3339":
            period = _calendar(module, block, "rotation_")
            return (None, period) if period else None
        if parts[0] in ("time_static", "time_rotating") and parts[2] in ("rfc3339", "id"):
            return None, timedelta()  # the moment the resource was created
    return None


def _calendar(module: Module, block: Block, prefix: str) -> timedelta | None:
    """`offset_days = 90` / `rotation_months = 3` / ... of a hashicorp/time resource."""
    amounts: dict[str, float] = {}
    for unit in CALENDAR_UNITS:
        node = block.attrs.get(prefix + unit)
        amount = _number(module, node) if node is not None else None
        if amount is not None:
            amounts[unit] = amount
    return calendar_duration(amounts) if amounts else None


def _rotation(module: Module, block: Block, attrs: tuple[str, ...] = ("keepers",)) -> Rotation | None:
    """The shortest `time_rotating` linked through a force-new argument or `replace_triggered_by`."""
    nodes = [block.attrs[a] for a in attrs if a in block.attrs]
    nodes += [lc.attrs["replace_triggered_by"] for lc in block.blocks_of("lifecycle") if "replace_triggered_by" in lc.attrs]
    best: Rotation | None = None
    for ref in (r for node in nodes for r in _refs(module, node)):
        parts = traversal(ref.text)
        if len(parts) >= 2 and parts[0] == "time_rotating":
            rotating = module.resources.get(("time_rotating", parts[1]))
            period = _calendar(module, rotating, "rotation_") if rotating is not None else None
            if period is not None and rotating is not None:
                best = _tighter(
                    best, Rotation(period, rotating.labels[1].span, f"time_rotating.{parts[1]} replaces it {every(period)}")
                )
    return best


def _refs(module: Module, node: Node) -> Iterator[Expr]:
    """Every reference inside an expression, a map or a list (following locals and variables)."""
    stack: list[Node] = [node]
    budget = 256  # nodes visited at most: expressions are small, and this bounds hostile ones
    while stack and budget:
        budget -= 1
        item = stack.pop()
        if isinstance(item, Expr) and item.op == "ref":
            resolved = module.resolve(item)
            if isinstance(resolved, Expr) and resolved.op == "ref":
                yield resolved
            else:
                stack.append(resolved)
        elif isinstance(item, Expr):
            stack.extend(item.args)
        elif isinstance(item, Mapping):
            stack.extend(item.items.values())
        elif isinstance(item, Sequence):
            stack.extend(item.items)


def _key_reference(module: Module, node: Node) -> tuple[str, str, str] | None:
    """(type, label, cloud) of the key resource whose secret an expression reads, if any."""
    for ref in _refs(module, node):
        parts = traversal(ref.text)
        if len(parts) >= 3 and parts[0] in KEY_RESOURCES and parts[2] in KEY_RESOURCES[parts[0]][0]:
            return parts[0], parts[1], KEY_RESOURCES[parts[0]][1]
    return None


def every(period: timedelta) -> str:
    """'every 30 days', 'every year'."""
    text = humanize(period)
    return "every " + text.removeprefix("1 ")


def _tighter(a: Rotation | None, b: Rotation | None) -> Rotation | None:
    if a is None or b is None:
        return a or b
    return a if a.period <= b.period else b


def _key_expiry_hours(module: Module, block: Block) -> tuple[timedelta, Span] | None:
    """The longest key lifetime an `iam.serviceAccountKeyExpiryHours` org policy allows, if it is one."""
    constraint = module.text(block.attrs.get("name")) or module.text(block.attrs.get("constraint")) or ""
    if not constraint.endswith(GCP_KEY_EXPIRY_CONSTRAINT):
        return None
    values: list[Node] = []
    for inner in _walk_blocks(block):
        for attr in ("allowed_values", "values"):
            node = module.resolve(inner.attrs.get(attr, NONE))
            values += node.items if isinstance(node, Sequence) else []
    allowed: list[tuple[timedelta, Span]] = []
    for item in values:
        duration = parse_duration(str(item.value)) if isinstance(item, Scalar) and isinstance(item.value, str) else None
        if duration is not None:
            allowed.append((duration, item.span))
    return max(allowed, key=lambda found: found[0]) if allowed else None


def _azure_role_name(module: Module, node: Node | None) -> str | None:
    """The built-in role a `role_definition_id` names: by GUID, or through `data.azurerm_role_definition`."""
    if node is None:
        return None
    value = module.resolve(node)
    texts = [value.text] if isinstance(value, Expr) else [str(value.value)] if isinstance(value, Scalar) else []
    if isinstance(value, Expr):
        for ref in _refs(module, value):
            parts = traversal(ref.text)
            if parts[:2] == ["data", "azurerm_role_definition"] and len(parts) >= 3:
                data = module.data.get(("azurerm_role_definition", parts[2]))
                name = module.text(data.attrs.get("name")) if data is not None else None
                if name:
                    return name
                texts.append(module.text(data.attrs.get("role_definition_id")) or "" if data is not None else "")
    for text in texts:
        match = _GUID.search(text)
        if match and match.group(0).lower() in AZURE_ROLE_IDS:
            return AZURE_ROLE_IDS[match.group(0).lower()]
    return None


def _saml_only(module: Module, node: Node | None) -> bool:
    """A trust policy that only lets people in through SAML federation (a workforce role)."""
    value = module.resolve(node) if node is not None else None
    if isinstance(value, Expr) and value.op == "ref":
        parts = traversal(value.text)
        if parts[:2] == ["data", "aws_iam_policy_document"] and len(parts) >= 3:
            data = module.data.get(("aws_iam_policy_document", parts[2]))
            actions = [
                module.resolve(a)
                for s in (data.blocks_of("statement") if data else [])
                for a in _list(module, s.attrs.get("actions"))
            ]
            return bool(actions) and all(isinstance(a, Scalar) and a.value == "sts:AssumeRoleWithSAML" for a in actions)
        return False
    if isinstance(value, Scalar) and isinstance(value.value, str):
        value = parse_embedded_json(value) or value
    return _saml_only_document(value)


def _list(module: Module, node: Node | None) -> list[Node]:
    value = module.resolve(node) if node is not None else None
    return list(value.items) if isinstance(value, Sequence) else [value] if value is not None else []
