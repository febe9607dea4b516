"""Terraform credentials of the "never" family."""

from __future__ import annotations

from jeplint.graph.credentials.common import SA_NAME_ANNOTATION, TOKEN_SECRET_TYPE
from jeplint.graph.credentials.tf_owners import TerraformOwners
from jeplint.graph.credentials.tf_values import CLOUD_KEY_NAMES, _first_block, _key_reference, _rotation, _tighter
from jeplint.graph.model import GitHubSecretSource, Identity
from jeplint.graph.terraform import NONE, Module
from jeplint.parse.nodes import Block, Mapping


class TerraformKeys(TerraformOwners):
    """Credentials that cannot expire: access keys, console passwords, SA keys, token Secrets, GitHub secrets."""

    def _access_key(self, module: Module, label: str, block: Block) -> None:
        if module.text(block.attrs.get("status")) == "Inactive":
            return  # an inactive key cannot sign requests
        identity, owner = self._aws_identity(module, "user", block.attrs.get("user"))
        self.key_users.add(identity.key if identity is not None else owner)
        rotation = _rotation(module, block)
        self._add(
            "aws",
            "aws-access-key",
            f"aws_iam_access_key.{label}",
            block.labels[1].span,
            identity,
            owner,
            family="never",
            rotation=rotation,
        )

    def _login_profile(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        identity, owner = self._aws_identity(module, "user", block.attrs.get("user"))
        if (identity.key if identity is not None else owner) not in self.key_users:
            return  # a user with no access key in the scan is taken for a person
        self._add(
            "aws",
            "aws-login-profile",
            f"{tf_type}.{label}",
            block.labels[1].span,
            identity,
            owner,
            family="never",
            rotation=self.password_policy,
        )

    def _gcp_key(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        identity, owner = self._gcp_identity(module, block.attrs.get("service_account_id"))
        rotation = _tighter(_rotation(module, block), self.key_expiry_policy)
        self._add(
            "gcp", "gcp-sa-key", f"{tf_type}.{label}", block.labels[1].span, identity, owner, family="never", rotation=rotation
        )

    def _k8s_secret(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        kind = block.attrs.get("type")
        if kind is None or module.text(kind) != TOKEN_SECRET_TYPE:
            return
        meta = _first_block(block, "metadata")
        namespace = module.text(meta.attrs.get("namespace")) if meta else None
        annotations = module.resolve(meta.attrs.get("annotations", NONE)) if meta else NONE
        account = annotations.items.get(SA_NAME_ANNOTATION) if isinstance(annotations, Mapping) else None
        identity, owner = self._k8s_account(module, namespace or "default", account)
        self._add("kubernetes", "k8s-token-secret", f"{tf_type}.{label}", kind.span, identity, owner, family="never")

    def _github_secret(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        name = module.text(block.attrs.get("secret_name")) or label
        value = block.attrs.get("plaintext_value") or block.attrs.get("encrypted_value")
        source = _key_reference(module, value) if value is not None else None
        identity: Identity | None = None
        if source is not None and value is not None:
            key_type, key_label, cloud = source
            key = module.resources.get((key_type, key_label))
            identity, owner = self._key_owner(module, key_type, key) if key is not None else (None, "")
            span, source_text = value.span, f"{key_type}.{key_label}"
        else:
            cloud = next((c for c, pattern in CLOUD_KEY_NAMES.items() if pattern.search(name)), "")
            if not cloud:
                return
            owner, source_text = "", ""
            span = block.attrs["secret_name"].span if "secret_name" in block.attrs else block.labels[1].span
        self._add(
            "github",
            "github-secret",
            name,
            span,
            identity,
            owner,
            family="never",
            address=f"{tf_type}.{label}",
            detail=GitHubSecretSource(cloud, source_text),
        )
