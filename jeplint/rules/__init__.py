"""Step 4 of the pipeline: the rules. One module per rule; `RULES` lists them, sorted by id.

Rule modules are imported on demand: `selected(ids)` imports only the rules a scan selected, and
`RULES` (every rule) is built on first access. Importing this package, or `jeplint.rules.base` for
`Finding` (as `jeplint.baseline` does), imports no rule.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from jeplint.rules.base import Finding, Rule

# Rule id -> its module in this package, sorted by id.
MODULES: dict[str, str] = {
    "JEP101": "jep101_full_wildcard_action",
    "JEP102": "jep102_service_wildcard_action",
    "JEP103": "jep103_not_action_allow",
    "JEP104": "jep104_rbac_wildcard",
    "JEP105": "jep105_wildcard_resource_write",
    "JEP106": "jep106_broad_builtin_role",
    "JEP107": "jep107_unknown_action",
    "JEP201": "jep201_non_expiring_credential",
    "JEP202": "jep202_credential_lifetime_too_long",
    "JEP203": "jep203_session_duration_too_long",
    "JEP204": "jep204_standing_admin_grant",
    "JEP205": "jep205_expired_access_still_declared",
    "JEP301": "jep301_multi_function_identity",
    "JEP302": "jep302_purpose_mismatch",
    "JEP303": "jep303_identity_reuse",
    "JEP401": "jep401_aws_privilege_escalation",
    "JEP402": "jep402_kubernetes_rbac_escalation",
    "JEP403": "jep403_gcp_azure_escalation",
    "JEP404": "jep404_open_trust",
    "JEP405": "jep405_transitive_escalation",
}

if TYPE_CHECKING:
    RULES: tuple[Rule, ...]


@cache
def rule(rule_id: str) -> Rule:
    """The rule `rule_id` (a key of `MODULES`), its module imported now."""
    found: Rule = import_module(f"{__name__}.{MODULES[rule_id]}").RULE
    return found


def selected(rule_ids: tuple[str, ...] | list[str]) -> tuple[Rule, ...]:
    """The rules named (ids of `MODULES`), in id order, importing only their modules."""
    return tuple(rule(rule_id) for rule_id in sorted(rule_ids))


def __getattr__(name: str) -> object:
    if name == "RULES":
        return selected(list(MODULES))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MODULES", "RULES", "Finding", "Rule", "rule", "selected"]
