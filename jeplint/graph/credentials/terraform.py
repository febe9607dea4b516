"""Terraform credentials: the dispatch by resource type, and the scan-wide bounds (password and key-expiry policies)."""

from __future__ import annotations

from datetime import timedelta

from jeplint.graph.credentials.tf_keys import TerraformKeys
from jeplint.graph.credentials.tf_lifetimes import TerraformLifetimes
from jeplint.graph.credentials.tf_values import (
    AZURE_SECRET_TYPES,
    GCP_KEY_EXPIRY_CONSTRAINT,
    GITHUB_SECRET_TYPES,
    _key_expiry_hours,
    _number,
    _tighter,
)
from jeplint.graph.lifetimes import Rotation
from jeplint.graph.terraform import Module
from jeplint.timeparse import humanize


class TerraformCredentials(TerraformKeys, TerraformLifetimes):
    """Every credential of the scan's Terraform module instances, by resource type."""

    def add(self, modules: list[Module]) -> None:
        for module in modules:
            self._account_policies(module)
        for module in modules:
            for (tf_type, label), block in module.resources.items():
                if tf_type == "aws_iam_access_key" and module.instances(tf_type, label):
                    self._access_key(module, label, block)
        handlers = {
            "aws_iam_user_login_profile": self._login_profile,
            "google_service_account_key": self._gcp_key,
            "vault_token": self._vault_token,
            "vault_approle_auth_backend_role": self._approle,
            "azurerm_key_vault_secret": self._key_vault_secret,
            "aws_iam_role": self._role_session,
            "aws_rolesanywhere_profile": self._roles_anywhere,
            "azurerm_pim_active_role_assignment": self._pim,
            "azurerm_pim_eligible_role_assignment": self._pim,
            "kubernetes_secret": self._k8s_secret,
            "kubernetes_secret_v1": self._k8s_secret,
            "kubernetes_token_request_v1": self._k8s_token_request,
        }
        for module in modules:
            for (tf_type, label), block in module.resources.items():
                if not module.instances(tf_type, label):
                    continue  # count = 0 or an empty for_each: the resource is not created
                if tf_type in handlers:
                    handlers[tf_type](module, label, block, tf_type)
                elif tf_type in AZURE_SECRET_TYPES:
                    self._azure_secret(module, label, block, tf_type)
                elif tf_type in GITHUB_SECRET_TYPES:
                    self._github_secret(module, label, block, tf_type)
                if tf_type.startswith("kubernetes_"):
                    self._k8s_projected(module, label, block, tf_type)

    def _account_policies(self, module: Module) -> None:
        """An account password policy with a maximum age, and the GCP key-expiry org policy."""
        for (tf_type, label), block in module.resources.items():
            if tf_type == "aws_iam_account_password_policy" and "max_password_age" in block.attrs:
                days = _number(module, block.attrs["max_password_age"])
                if days:
                    period = timedelta(days=days)
                    text = f"the account password policy aws_iam_account_password_policy.{label} expires passwords after {humanize(period)}"
                    self.password_policy = _tighter(
                        self.password_policy, Rotation(period, block.attrs["max_password_age"].span, text)
                    )
            elif tf_type.endswith("organization_policy") or tf_type == "google_org_policy_policy":
                found = _key_expiry_hours(module, block)
                if found is not None:
                    period, span = found
                    text = f"the org policy {tf_type}.{label} ({GCP_KEY_EXPIRY_CONSTRAINT}) expires keys after {humanize(period)}"
                    self.key_expiry_policy = _tighter(self.key_expiry_policy, Rotation(period, span, text))
