"""Step 4 of the pipeline: the rules. One module per rule; `RULES` lists them, sorted by id."""

from __future__ import annotations

from jeplint.rules import (
    jep101_full_wildcard_action,
    jep102_service_wildcard_action,
    jep103_not_action_allow,
    jep104_rbac_wildcard,
    jep105_wildcard_resource_write,
    jep106_broad_builtin_role,
    jep107_unknown_action,
    jep201_non_expiring_credential,
    jep202_credential_lifetime_too_long,
    jep203_session_duration_too_long,
    jep204_standing_admin_grant,
    jep205_expired_access_still_declared,
    jep301_multi_function_identity,
    jep302_purpose_mismatch,
    jep303_identity_reuse,
    jep401_aws_privilege_escalation,
    jep402_kubernetes_rbac_escalation,
    jep403_gcp_azure_escalation,
    jep404_open_trust,
    jep405_transitive_escalation,
)
from jeplint.rules.base import Finding, Rule

RULES: tuple[Rule, ...] = (
    jep101_full_wildcard_action.RULE,
    jep102_service_wildcard_action.RULE,
    jep103_not_action_allow.RULE,
    jep104_rbac_wildcard.RULE,
    jep105_wildcard_resource_write.RULE,
    jep106_broad_builtin_role.RULE,
    jep107_unknown_action.RULE,
    jep201_non_expiring_credential.RULE,
    jep202_credential_lifetime_too_long.RULE,
    jep203_session_duration_too_long.RULE,
    jep204_standing_admin_grant.RULE,
    jep205_expired_access_still_declared.RULE,
    jep301_multi_function_identity.RULE,
    jep302_purpose_mismatch.RULE,
    jep303_identity_reuse.RULE,
    jep401_aws_privilege_escalation.RULE,
    jep402_kubernetes_rbac_escalation.RULE,
    jep403_gcp_azure_escalation.RULE,
    jep404_open_trust.RULE,
    jep405_transitive_escalation.RULE,
)

__all__ = ["RULES", "Finding", "Rule"]
