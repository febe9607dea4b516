"""Terraform credentials whose lifetime is written: "optional", "session" and "grant" families."""

from __future__ import annotations

from datetime import timedelta

from jeplint.graph.credentials.tf_owners import TerraformOwners
from jeplint.graph.credentials.tf_values import (
    AZURE_DEFAULT_SECRET_LIFE,
    AZURE_SECRET_TYPES,
    K8S_DEFAULT_TOKEN_LIFE,
    _at,
    _azure_role_name,
    _end_date,
    _first_block,
    _number,
    _rotation,
    _saml_only,
    _seconds,
    _seconds_lifetime,
    _source,
    _timestamp,
    _vault_lifetime,
    _walk_blocks,
)
from jeplint.graph.lifetimes import Lifetime
from jeplint.graph.model import PimAssignment, RolesAnywhere
from jeplint.graph.terraform import NONE, Module
from jeplint.parse.nodes import Block, Scalar, Sequence
from jeplint.timeparse import calendar_duration


class TerraformLifetimes(TerraformOwners):
    """Credentials whose end is optional, role sessions, and PIM assignments."""

    def _azure_secret(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        noun, owner_type = AZURE_SECRET_TYPES[tf_type]
        attrs = ("application_id", "application_object_id") if owner_type == "application" else ("service_principal_id",)
        identity, owner = self._azure_identity(
            module, owner_type, next((block.attrs[a] for a in attrs if a in block.attrs), None)
        )
        if "end_date" in block.attrs or "end_date_relative" in block.attrs:
            lifetime = _end_date(module, block, "end_date", "end_date_relative")
        else:
            lifetime = Lifetime(
                block.labels[1].span, "no end date, so Microsoft's default applies", AZURE_DEFAULT_SECRET_LIFE, written=False
            )
        rotation = _rotation(module, block, ("rotate_when_changed",))
        span = _at(lifetime, block.labels[1].span)
        self._add(
            "azure",
            f"azure-{noun.replace(' ', '-')}",
            f"{tf_type}.{label}",
            span,
            identity,
            owner,
            family="optional",
            noun=noun,
            lifetime=lifetime,
            rotation=rotation,
        )

    def _key_vault_secret(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        if "expiration_date" in block.attrs:
            lifetime = _end_date(module, block, "expiration_date")
        else:
            lifetime = Lifetime(block.labels[1].span, "no expiration_date", never=True, written=False)
        name = module.text(block.attrs.get("name")) or label
        span = _at(lifetime, block.labels[1].span)
        self._add(
            "azure",
            "azure-key-vault-secret",
            name,
            span,
            None,
            f"Key Vault secret {name}",
            family="optional",
            address=f"{tf_type}.{label}",
            noun="secret",
            lifetime=lifetime,
        )

    def _vault_token(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        policies = module.resolve(block.attrs.get("policies", NONE))
        names = [str(p.value) for p in policies.items if isinstance(p, Scalar)] if isinstance(policies, Sequence) else []
        owner = f"Vault token {tf_type}.{label}" + (f" (policies {', '.join(names)})" if names else "")
        lifetime = _vault_lifetime(module, block, block.labels[1].span, ("explicit_max_ttl", "period", "ttl"), "renewable")
        self._add(
            "vault",
            "vault-token",
            f"{tf_type}.{label}",
            _at(lifetime, block.labels[1].span),
            None,
            owner,
            family="optional",
            noun="token",
            lifetime=lifetime,
        )

    def _approle(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        role = module.text(block.attrs.get("role_name")) or label
        owner = f"Vault AppRole {role}"
        secret = block.attrs.get("secret_id_ttl")
        seconds = _seconds(module, secret) if secret is not None else None
        if secret is None or seconds == 0:
            where = secret.span if secret is not None else block.labels[1].span
            secret_life = Lifetime(
                where, "secret_id_ttl = 0" if secret is not None else "no secret_id_ttl", never=True, written=secret is not None
            )
        elif seconds is None:
            secret_life = None  # written in a way the scan cannot evaluate
        else:
            secret_life = Lifetime(secret.span, f"secret_id_ttl = {_source(secret)}", timedelta(seconds=seconds))
        address = f"{tf_type}.{label}"
        self._add(
            "vault",
            "vault-approle-secret-id",
            address,
            _at(secret_life, block.labels[1].span),
            None,
            owner,
            family="optional",
            noun="SecretIDs",
            lifetime=secret_life,
        )
        # Anchored apart from the SecretID finding: one finding per rule and token.
        anchor = next((block.attrs[a].span for a in ("token_ttl", "token_policies") if a in block.attrs), block.labels[0].span)
        token_life = _vault_lifetime(module, block, anchor, ("token_explicit_max_ttl", "token_period", "token_max_ttl"), None)
        self._add(
            "vault",
            "vault-approle-token",
            address,
            _at(token_life, anchor),
            None,
            owner,
            family="optional",
            noun="tokens",
            lifetime=token_life,
        )

    def _k8s_token_request(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        meta = _first_block(block, "metadata")
        namespace = module.text(meta.attrs.get("namespace")) if meta else None
        identity, owner = self._k8s_account(module, namespace or "default", meta.attrs.get("name") if meta else None)
        spec = _first_block(block, "spec")
        node = spec.attrs.get("expiration_seconds") if spec else None
        lifetime = _seconds_lifetime(module, node, "expiration_seconds", block.labels[1].span, K8S_DEFAULT_TOKEN_LIFE)
        self._add(
            "kubernetes",
            "k8s-token-request",
            f"{tf_type}.{label}",
            _at(lifetime, block.labels[1].span),
            identity,
            owner,
            family="optional",
            noun="token",
            lifetime=lifetime,
        )

    def _k8s_projected(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        """`service_account_token { expiration_seconds }` in any pod spec of a kubernetes_* resource."""
        tokens = [b for b in _walk_blocks(block) if b.type == "service_account_token"]
        if not tokens:
            return
        meta = _first_block(block, "metadata")
        namespace = (module.text(meta.attrs.get("namespace")) if meta else None) or "default"
        default = Scalar("default", block.span)  # a pod with no service_account_name runs as "default"
        account = next(
            (b.attrs["service_account_name"] for b in _walk_blocks(block) if "service_account_name" in b.attrs), default
        )
        identity, owner = self._k8s_account(module, namespace, account)
        for token in tokens:
            node = token.attrs.get("expiration_seconds")
            if node is None:
                continue  # the 1-hour default
            lifetime = _seconds_lifetime(module, node, "expiration_seconds", node.span, K8S_DEFAULT_TOKEN_LIFE)
            self._add(
                "kubernetes",
                "k8s-projected-token",
                f"{tf_type}.{label}",
                node.span,
                identity,
                owner,
                family="optional",
                noun="token",
                lifetime=lifetime,
            )

    def _role_session(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        node = block.attrs.get("max_session_duration")
        seconds = _seconds(module, node) if node is not None else None
        if node is None or seconds is None or _saml_only(module, block.attrs.get("assume_role_policy")):
            return
        identity = self.owners.by_key.get(module.key(tf_type, label))
        owner = f"role {module.text(block.attrs.get('name')) or f'{tf_type}.{label}'}"
        lifetime = Lifetime(node.span, f"max_session_duration = {_source(node)}", timedelta(seconds=seconds))
        self._add(
            "aws", "aws-role-session", f"{tf_type}.{label}", node.span, identity, owner, family="session", lifetime=lifetime
        )

    def _roles_anywhere(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        node = block.attrs.get("duration_seconds")
        seconds = _seconds(module, node) if node is not None else None
        if node is None or seconds is None:
            return
        roles = module.resolve(block.attrs.get("role_arns", NONE))
        holders = [self._aws_identity(module, "role", item)[0] for item in (roles.items if isinstance(roles, Sequence) else [])]
        name = module.text(block.attrs.get("name")) or label
        lifetime = Lifetime(node.span, f"duration_seconds = {_source(node)}", timedelta(seconds=seconds))
        named = [h for h in holders if h is not None]
        self._add(
            "aws",
            "aws-rolesanywhere-session",
            f"{tf_type}.{label}",
            node.span,
            named[0] if len(named) == 1 else None,
            f"IAM Roles Anywhere profile {name}",
            family="session",
            lifetime=lifetime,
            detail=RolesAnywhere(name),
        )

    def _pim(self, module: Module, label: str, block: Block, tf_type: str) -> None:
        role = _azure_role_name(module, block.attrs.get("role_definition_id"))
        identity, owner = self._azure_identity(module, "principal", block.attrs.get("principal_id"))
        if role is None or identity is None or identity.kind == "principal":
            return  # a person, or a principal or role the scan cannot tell
        schedule = _first_block(block, "schedule")
        expiration = _first_block(schedule, "expiration") if schedule else None
        starts = _timestamp(module, schedule.attrs.get("start_date_time")) if schedule else None
        lifetime: Lifetime | None = None
        if expiration is not None:
            if "end_date_time" in expiration.attrs:
                node = expiration.attrs["end_date_time"]
                ends = _timestamp(module, node)
                lifetime = Lifetime(node.span, f"end_date_time = {_source(node)}", ends=ends, starts=starts) if ends else None
            for attr, unit in (("duration_days", "days"), ("duration_hours", "hours")):
                if lifetime is None and attr in expiration.attrs:
                    node = expiration.attrs[attr]
                    amount = _number(module, node)
                    duration = calendar_duration({unit: amount}) if amount is not None else None
                    ends = starts + duration if starts and duration else None
                    lifetime = Lifetime(node.span, f"{attr} = {_source(node)}", duration, ends, starts if ends else None)
        self._add(
            "azure",
            "azure-pim-assignment",
            f"{tf_type}.{label}",
            block.attrs["role_definition_id"].span,
            identity,
            owner,
            family="grant",
            lifetime=lifetime,
            detail=PimAssignment(
                role=role,
                scope=module.text(block.attrs.get("scope")) or "",
                eligible=tf_type.endswith("eligible_role_assignment"),
                bounded=bool(expiration and expiration.attrs),
            ),
        )
