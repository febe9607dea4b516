"""Step 4 of the pipeline: the rules. One module per rule; `RULES` lists them, sorted by id."""

from __future__ import annotations

from jeplint.rules import (
    jep101_full_wildcard_action,
    jep102_service_wildcard_action,
    jep103_not_action_allow,
    jep104_rbac_wildcard,
    jep105_wildcard_resource_write,
    jep106_broad_builtin_role,
)
from jeplint.rules.base import Finding, Rule

RULES: tuple[Rule, ...] = (
    jep101_full_wildcard_action.RULE,
    jep102_service_wildcard_action.RULE,
    jep103_not_action_allow.RULE,
    jep104_rbac_wildcard.RULE,
    jep105_wildcard_resource_write.RULE,
    jep106_broad_builtin_role.RULE,
)

__all__ = ["RULES", "Finding", "Rule"]
