"""Credentials and time-bound entitlements -> `Credential` objects: the facts the expiry rules read.

Runs after the permission graph is built, straight on the parsed files (Terraform module instances,
CloudFormation templates, Kubernetes manifests), so that every credential can name the identity it
authenticates as: identities are looked up in `graph.identities` by key (`<dir>/<type>.<label>`
for Terraform, `<path>#<LogicalId>` for CloudFormation, `sa:<ns>/<name>` for ServiceAccounts) or by
name; an owner the scan does not declare is described as written (`user ${var.name} (unresolved)`).

Nothing here reads the clock: dates and durations are recorded as written (`Lifetime`), and the
JEP2xx rules compare them with `Options.now` and the thresholds of `Options`.

Each credential is a typed `Credential` (graph/model.py): its family ("never", "optional",
"session", "grant"), owner, `Lifetime` and `Rotation` (graph/lifetimes.py), and the facts of one
kind in `detail` (GitHub secret source, Roles Anywhere profile, PIM assignment). A rotation
(`keepers` / `lifecycle.replace_triggered_by` linked to a `time_rotating`, an
`iam.serviceAccountKeyExpiryHours` org policy, an account password policy) bounds a "never"
credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from jeplint.graph.kubernetes import WORKLOAD_POD_SPEC
from jeplint.graph.kubernetes import get as k8s_get
from jeplint.graph.kubernetes import objects as k8s_objects
from jeplint.graph.kubernetes import text as k8s_text
from jeplint.graph.lifetimes import Lifetime, Rotation
from jeplint.graph.model import Credential, GitHubSecretSource, Graph, Identity, PimAssignment, RolesAnywhere
from jeplint.graph.terraform import NONE, Module, parse_embedded_json, traversal
from jeplint.parse import CLOUDFORMATION, KUBERNETES, ParsedFile
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span
from jeplint.timeparse import CALENDAR_UNITS, calendar_duration, humanize, parse_duration, parse_timestamp

VAULT_DEFAULT_MAX_TTL = timedelta(hours=768)  # Vault's system max lease TTL when nothing tunes it (32 days)
AZURE_DEFAULT_SECRET_LIFE = timedelta(days=730)  # Microsoft Graph addPassword: "startDateTime + 2 years"
K8S_DEFAULT_TOKEN_LIFE = timedelta(hours=1)  # TokenRequest / projected token default expirationSeconds
TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
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


def credential(
    platform: str, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any
) -> Credential:
    """A `Credential`; `owner` (words for an owner the scan does not declare) gives way to the identity."""
    return Credential(platform, kind, name, span, identity, owner=identity.label if identity is not None else owner, **facts)


def add_credentials(graph: Graph, files: list[ParsedFile], modules: list[Module]) -> None:
    """Every credential and PIM assignment of the scan, appended to `graph.credentials`.

    `modules` are the Terraform module instances the graph was built from.
    """
    owners = Owners(graph)
    usable = [f for f in files if f.error is None]
    if modules:
        TerraformCredentials(graph, owners).add(modules)
    for parsed in usable:
        if parsed.kind == CLOUDFORMATION:
            for doc in parsed.documents:
                if isinstance(doc, Mapping):
                    CloudFormationCredentials(graph, owners, parsed.path, doc).add()
    objects = [obj for f in usable if f.kind == KUBERNETES for doc in f.documents for obj in k8s_objects(doc)]
    KubernetesCredentials(graph, owners).add(objects)


_INSTANCE = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\](?=@|$)')


class Owners:
    """The identities of the graph, by key and by (platform, kind, name)."""

    def __init__(self, graph: Graph) -> None:
        self.by_key = {identity.key: identity for identity in graph.identities}
        # A Terraform resource with one instance (`count = 1`, `this[0]`) is also found by the key
        # its block is read with here; one with several instances is not guessed.
        bases: dict[str, list[Identity]] = {}
        for identity in graph.identities:
            base = _INSTANCE.sub("", identity.key)
            if base != identity.key:
                bases.setdefault(base, []).append(identity)
        for base, found in bases.items():
            if len(found) == 1:
                self.by_key.setdefault(base, found[0])
        self.by_name: dict[tuple[str, str, str], Identity] = {}
        for identity in graph.identities:
            self.by_name.setdefault((identity.platform, identity.kind, identity.name), identity)

    def named(self, platform: str, kind: str, name: str) -> Identity | None:
        return self.by_name.get((platform, kind, name))


# -- Terraform ---------------------------------------------------------------------------------------


class TerraformCredentials:
    def __init__(self, graph: Graph, owners: Owners) -> None:
        self.graph = graph
        self.owners = owners
        self.key_users: set[str] = set()  # identity keys or owner texts of AWS users with an access key
        self.password_policy: Rotation | None = None
        self.key_expiry_policy: Rotation | None = None

    def add(self, modules: list[Module]) -> None:
        for module in modules:
            self._account_policies(module)
        for module in modules:
            for (tf_type, label), block in module.resources.items():
                if tf_type == "aws_iam_access_key":
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
                if tf_type in handlers:
                    handlers[tf_type](module, label, block, tf_type)
                elif tf_type in AZURE_SECRET_TYPES:
                    self._azure_secret(module, label, block, tf_type)
                elif tf_type in GITHUB_SECRET_TYPES:
                    self._github_secret(module, label, block, tf_type)
                if tf_type.startswith("kubernetes_"):
                    self._k8s_projected(module, label, block, tf_type)

    def _add(self, platform: str, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any) -> None:
        self.graph.credentials.append(credential(platform, kind, name, span, identity, owner, **facts))

    # -- scan-wide bounds ----------------------------------------------------------------------

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

    # -- "never" -------------------------------------------------------------------------------

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

    def _key_owner(self, module: Module, key_type: str, key: Block) -> tuple[Identity | None, str]:
        if key_type == "aws_iam_access_key":
            return self._aws_identity(module, "user", key.attrs.get("user"))
        if key_type == "google_service_account_key":
            return self._gcp_identity(module, key.attrs.get("service_account_id"))
        noun, attrs = (
            ("application", ("application_id", "application_object_id"))
            if key_type == "azuread_application_password"
            else ("service_principal", ("service_principal_id",))
        )
        return self._azure_identity(module, noun, next((key.attrs[a] for a in attrs if a in key.attrs), None))

    # -- "optional" ----------------------------------------------------------------------------

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

    # -- "session" -----------------------------------------------------------------------------

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

    # -- "grant" -------------------------------------------------------------------------------

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

    # -- owners --------------------------------------------------------------------------------

    def _aws_identity(self, module: Module, kind: str, node: Node | None) -> tuple[Identity | None, str]:
        parts = _resource_ref(module, node)
        if parts and parts[0] == f"aws_iam_{kind}":
            return self.owners.by_key.get(module.key(parts[0], parts[1])), f"{kind} {parts[0]}.{parts[1]}"
        value = module.resolve(node) if node is not None else None
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value:
            name = value.value.rsplit("/", 1)[-1] if value.value.startswith("arn:") else value.value
            found = self.owners.named("aws", kind, name)
            return found, f"{kind} {name}" + ("" if found else " (not declared in the scan)")
        return None, _unresolved(kind, node)

    def _gcp_identity(self, module: Module, node: Node | None) -> tuple[Identity | None, str]:
        parts = _resource_ref(module, node)
        if parts and parts[0] == "google_service_account":
            return self.owners.by_key.get(module.key(parts[0], parts[1])), f"service account {parts[0]}.{parts[1]}"
        value = module.resolve(node) if node is not None else None
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value:
            email = value.value.rsplit("/", 1)[-1]
            account_id = email.split("@", 1)[0]
            found = self.owners.named("gcp", "serviceaccount", account_id) or self.owners.by_key.get(
                f"gcp:serviceAccount:{email}"
            )
            return found, f"service account {email}" + ("" if found else " (not declared in the scan)")
        return None, _unresolved("service account", node)

    def _azure_identity(self, module: Module, noun: str, node: Node | None) -> tuple[Identity | None, str]:
        """The Entra ID application, service principal or managed identity a `*_id` argument names.

        A user, a group or a data source (whose kind the scan cannot tell) is left unnamed.
        """
        shown = noun.replace("_", " ")
        parts = _resource_ref(module, node)
        if parts and len(parts) >= 3 and parts[2] == "identity":
            return self.owners.by_key.get(module.key(parts[0], parts[1], "identity")), f"the identity of {parts[0]}.{parts[1]}"
        if parts and not parts[0].startswith(("azuread_user", "azuread_group")):
            return self.owners.by_key.get(module.key(parts[0], parts[1])), f"{shown} {parts[0]}.{parts[1]}"
        value = module.resolve(node) if node is not None and not parts else None
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value:
            return self.owners.by_key.get(f"external:azure:{value.value}"), f"{shown} {value.value} (not declared in the scan)"
        return None, _unresolved(shown, node)

    def _k8s_account(self, module: Module, namespace: str, node: Node | None) -> tuple[Identity | None, str]:
        parts = _resource_ref(module, node)
        if parts and parts[0].startswith("kubernetes_service_account"):
            account = module.resources.get((parts[0], parts[1]))
            meta = _first_block(account, "metadata") if account is not None else None
            name = module.text(meta.attrs.get("name")) if meta else None
            node = Scalar(name, account.span) if name and account is not None else node
        value = module.resolve(node) if node is not None else None
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value:
            return _service_account(self.owners, namespace, value.value)
        if node is None:
            return None, f"an unnamed serviceaccount of namespace {namespace}"
        written = f"${{{node.text}}}" if isinstance(node, Expr) else _source(node)
        return None, f"serviceaccount {namespace}/{written} (unresolved)"


# -- CloudFormation ----------------------------------------------------------------------------------


class CloudFormationCredentials:
    def __init__(self, graph: Graph, owners: Owners, path: str, root: Mapping) -> None:
        self.graph = graph
        self.owners = owners
        self.path = path
        resources = root.get("Resources")
        self.resources = (
            {k: v for k, v in resources.items.items() if isinstance(v, Mapping)} if isinstance(resources, Mapping) else {}
        )
        self.key_spans = resources.key_spans if isinstance(resources, Mapping) else {}
        params = root.get("Parameters")
        self.defaults = {
            name: p.items["Default"]
            for name, p in (params.items.items() if isinstance(params, Mapping) else [])
            if isinstance(p, Mapping) and "Default" in p.items
        }

    def add(self) -> None:
        key_users: set[str] = set()
        for logical, resource in self.resources.items():
            if self._type(resource) == "AWS::IAM::AccessKey":
                props = _props(resource)
                if self._text(props.get("Status")) == "Inactive":
                    continue
                identity, owner = self._user(props.get("UserName"))
                key_users.add(identity.key if identity is not None else owner)
                self._add(
                    "aws",
                    "aws-access-key",
                    f"AWS::IAM::AccessKey {logical}",
                    self.key_spans.get(logical, resource.span),
                    identity,
                    owner,
                    family="never",
                )
        for logical, resource in self.resources.items():
            kind, props = self._type(resource), _props(resource)
            if kind == "AWS::IAM::User" and "LoginProfile" in props.items:
                identity, owner = self.owners.by_key.get(f"{self.path}#{logical}"), f"user {logical}"
                if (identity.key if identity is not None else owner) in key_users:
                    self._add(
                        "aws",
                        "aws-login-profile",
                        f"LoginProfile of {logical}",
                        props.key_spans["LoginProfile"],
                        identity,
                        owner,
                        family="never",
                    )
            elif kind == "AWS::IAM::Role" and "MaxSessionDuration" in props.items:
                self._session(
                    logical, props, "MaxSessionDuration", "aws-role-session", [self.owners.by_key.get(f"{self.path}#{logical}")]
                )
            elif kind == "AWS::RolesAnywhere::Profile" and "DurationSeconds" in props.items:
                roles = self._resolve(props.get("RoleArns"))
                holders = [self._role(item) for item in (roles.items if isinstance(roles, Sequence) else [])]
                self._session(logical, props, "DurationSeconds", "aws-rolesanywhere-session", holders)

    def _add(self, platform: str, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any) -> None:
        self.graph.credentials.append(credential(platform, kind, name, span, identity, owner, **facts))

    def _session(self, logical: str, props: Mapping, prop: str, kind: str, holders: list[Identity | None]) -> None:
        node = props.items[prop]
        value = self._resolve(node)
        seconds = (
            value.value
            if isinstance(value, Scalar) and isinstance(value.value, int) and not isinstance(value.value, bool)
            else None
        )
        if isinstance(value, Scalar) and isinstance(value.value, str) and value.value.isdigit():
            seconds = int(value.value)
        if seconds is None or kind == "aws-role-session" and _saml_only_document(props.get("AssumeRolePolicyDocument")):
            return
        named = [h for h in holders if h is not None]
        lifetime = Lifetime(node.span, f"{prop}: {seconds}", timedelta(seconds=seconds))
        name = self._text(props.get("RoleName" if kind == "aws-role-session" else "Name")) or logical
        owner = f"role {name}" if kind == "aws-role-session" else f"IAM Roles Anywhere profile {name}"
        self._add(
            "aws",
            kind,
            logical,
            node.span,
            named[0] if len(named) == 1 else None,
            owner,
            family="session",
            lifetime=lifetime,
            detail=RolesAnywhere(name) if kind == "aws-rolesanywhere-session" else None,
        )

    def _type(self, resource: Mapping) -> str:
        return self._text(resource.get("Type")) or ""

    def _resolve(self, node: Node | None) -> Node | None:
        if isinstance(node, Mapping) and len(node.items) == 1 and "Ref" in node.items:
            target = self._text(node.items["Ref"])
            if target in self.defaults:
                return self.defaults[target]
        return node

    def _text(self, node: Node | None) -> str | None:
        value = self._resolve(node)
        return str(value.value) if isinstance(value, Scalar) and value.value is not None else None

    def _logical(self, node: Node | None) -> str | None:
        """The logical id a `Ref` or `Fn::GetAtt` names, when it is a resource of this template."""
        if isinstance(node, Mapping) and len(node.items) == 1:
            ((fn, arg),) = node.items.items()
            target = None
            if fn == "Ref":
                target = self._text(arg)
            elif fn == "Fn::GetAtt":
                first = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
                target = (self._text(first) or "").split(".")[0]
            if target in self.resources:
                return target
        return None

    def _user(self, node: Node | None) -> tuple[Identity | None, str]:
        logical = self._logical(node)
        if logical is not None:
            return self.owners.by_key.get(f"{self.path}#{logical}"), f"user {logical}"
        name = self._text(node)
        if name:
            found = self.owners.named("aws", "user", name)
            return found, f"user {name}" + ("" if found else " (not declared in the scan)")
        return None, "an unnamed user"

    def _role(self, node: Node) -> Identity | None:
        logical = self._logical(node)
        return self.owners.by_key.get(f"{self.path}#{logical}") if logical else None


# -- Kubernetes --------------------------------------------------------------------------------------


class KubernetesCredentials:
    def __init__(self, graph: Graph, owners: Owners) -> None:
        self.graph = graph
        self.owners = owners

    def add(self, objects: list[Mapping]) -> None:
        for obj in objects:
            kind = k8s_text(obj.get("kind"))
            if kind == "Secret":
                self._secret(obj)
            elif kind in WORKLOAD_POD_SPEC:
                self._projected(obj, kind)

    def _add(self, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any) -> None:
        self.graph.credentials.append(credential("kubernetes", kind, name, span, identity, owner, **facts))

    def _secret(self, obj: Mapping) -> None:
        kind = obj.get("type")
        if k8s_text(kind) != TOKEN_SECRET_TYPE or kind is None:
            return
        namespace = k8s_text(k8s_get(obj, "metadata", "namespace")) or "default"
        account = k8s_text(k8s_get(obj, "metadata", "annotations", SA_NAME_ANNOTATION))
        identity, owner = (
            _service_account(self.owners, namespace, account)
            if account
            else (None, f"an unnamed serviceaccount of namespace {namespace}")
        )
        name = k8s_text(k8s_get(obj, "metadata", "name")) or "?"
        self._add("k8s-token-secret", f"Secret {namespace}/{name}", kind.span, identity, owner, family="never")

    def _projected(self, obj: Mapping, kind: str) -> None:
        spec = k8s_get(obj, *WORKLOAD_POD_SPEC[kind])
        volumes = k8s_get(spec, "volumes")
        if not isinstance(volumes, Sequence):
            return
        namespace = k8s_text(k8s_get(obj, "metadata", "namespace")) or "default"
        account = k8s_text(k8s_get(spec, "serviceAccountName")) or k8s_text(k8s_get(spec, "serviceAccount")) or "default"
        identity, owner = _service_account(self.owners, namespace, account)
        workload = f"{kind} {namespace}/{k8s_text(k8s_get(obj, 'metadata', 'name')) or '?'}"
        for volume in volumes.items:
            sources = k8s_get(volume, "projected", "sources")
            for source in sources.items if isinstance(sources, Sequence) else []:
                node = k8s_get(source, "serviceAccountToken", "expirationSeconds")
                if node is None:
                    continue  # the 1-hour default
                seconds = (
                    node.value
                    if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool)
                    else None
                )
                lifetime = (
                    Lifetime(node.span, f"expirationSeconds: {seconds}", timedelta(seconds=seconds))
                    if seconds is not None
                    else None
                )
                self._add(
                    "k8s-projected-token",
                    workload,
                    node.span,
                    identity,
                    owner,
                    family="optional",
                    noun="token",
                    lifetime=lifetime,
                )


# -- helpers -----------------------------------------------------------------------------------------


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


def _service_account(owners: Owners, namespace: str, name: str) -> tuple[Identity | None, str]:
    found = owners.by_key.get(f"sa:{namespace}/{name}")
    return found, f"serviceaccount {namespace}/{name}" + ("" if found else " (not declared in the scan)")


def _props(resource: Mapping) -> Mapping:
    props = resource.get("Properties")
    return props if isinstance(props, Mapping) else Mapping({}, {}, resource.span)


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


def _saml_only_document(doc: Node | None) -> bool:
    statements = k8s_get(doc, "Statement")
    items = statements.items if isinstance(statements, Sequence) else [statements] if statements is not None else []
    actions: list[Node] = []
    for stmt in items:
        action = k8s_get(stmt, "Action")
        actions += action.items if isinstance(action, Sequence) else [action] if action is not None else []
    return bool(actions) and all(isinstance(a, Scalar) and a.value == "sts:AssumeRoleWithSAML" for a in actions)


def _list(module: Module, node: Node | None) -> list[Node]:
    value = module.resolve(node) if node is not None else None
    return list(value.items) if isinstance(value, Sequence) else [value] if value is not None else []
