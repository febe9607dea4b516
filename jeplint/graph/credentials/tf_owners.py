"""The base of the Terraform credential handlers: the graph, owners, and identity lookups."""

from __future__ import annotations

from typing import Any

from jeplint.graph.credentials.common import Owners, _service_account, credential
from jeplint.graph.credentials.tf_values import _first_block, _resource_ref, _source, _unresolved
from jeplint.graph.lifetimes import Rotation
from jeplint.graph.model import Graph, Identity
from jeplint.graph.terraform import Module
from jeplint.parse.nodes import Block, Expr, Node, Scalar, Span


class TerraformOwners:
    """What every Terraform credential handler shares: the graph, its identities, and who owns a key."""

    def __init__(self, graph: Graph, owners: Owners) -> None:
        self.graph = graph
        self.owners = owners
        self.key_users: set[str] = set()  # identity keys or owner texts of AWS users with an access key
        self.password_policy: Rotation | None = None
        self.key_expiry_policy: Rotation | None = None

    def _add(self, platform: str, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any) -> None:
        self.graph.credentials.append(credential(platform, kind, name, span, identity, owner, **facts))

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
