"""Terraform Azure federated identity credentials -> `Federation` facts.

`azuread_application_federated_identity_credential` (on an Entra ID application: `application_id`,
or `application_object_id` in provider 2.x) and `azurerm_federated_identity_credential` (on a
user-assigned managed identity: `parent_id`) let tokens of `issuer` whose `sub` equals `subject`
exactly, and whose audience is one of `audiences` / `audience`, sign in as that identity. Entra ID
compares the subject exactly (no wildcards), so `repo:acme/*` is a literal that no token carries.
The identity is the one the reference names when it is declared in the module; otherwise the fact
names the credential only.
"""

from __future__ import annotations

from jeplint.graph.federation import Claim, Federation, issuer_of, judge
from jeplint.graph.model import Graph, Identity
from jeplint.graph.policy import values_of
from jeplint.graph.terraform import Module, traversal
from jeplint.parse.nodes import Block, Expr, Node

CREDENTIALS = {
    "azuread_application_federated_identity_credential": ("application_id", "application_object_id"),
    "azurerm_federated_identity_credential": ("parent_id",),
}


def add_azure_federation(graph: Graph, modules: list[Module]) -> None:
    by_key = {identity.key: identity for identity in graph.identities if identity.platform == "azure"}
    for module in modules:
        for (tf_type, label), block in module.resources.items():
            if tf_type in CREDENTIALS:
                fact = _credential(module, tf_type, label, block, by_key)
                if fact is not None:
                    graph.federations.append(fact)


def _credential(module: Module, tf_type: str, label: str, block: Block, by_key: dict[str, Identity]) -> Federation | None:
    url = module.text(block.attrs.get("issuer"))
    subject_node = block.attrs.get("subject")
    if url is None or subject_node is None:
        return None
    identity = _owner(module, block, CREDENTIALS[tf_type], by_key)
    name = module.text(block.attrs.get("display_name") or block.attrs.get("name")) or label
    owner = identity.label if identity is not None else "an Azure identity"
    subject = module.text(subject_node)
    issuer = issuer_of(url)
    claims = (Claim("sub", "equals", (subject,)),) if subject is not None else ()
    if subject is None or "${" in subject:
        verdict, who = "unknown", "its subject could not be resolved"
    else:
        verdict, who = judge(issuer, claims)
    audiences = _texts(module, block.attrs.get("audiences") or block.attrs.get("audience"))
    related = ((block.labels[1].span, f"federated identity credential {name} ({tf_type}.{label})"),)
    span = subject_node.span
    return Federation(
        "azure", f"{owner} (federated credential {name})", identity, issuer, claims, audiences, verdict, who, span, None, related
    )


def _owner(module: Module, block: Block, attrs: tuple[str, ...], by_key: dict[str, Identity]) -> Identity | None:
    for attr in attrs:
        value = module.resolve(block.attrs[attr]) if attr in block.attrs else None
        if isinstance(value, Expr) and value.op == "ref":
            parts = traversal(value.text)
            if len(parts) >= 2:
                found = by_key.get(module.key(parts[0], parts[1]))
                if found is not None:
                    return found
    return None


def _texts(module: Module, node: Node | None) -> tuple[str, ...] | None:
    return None if node is None else tuple(v.text for v in values_of(node, module.resolver()) if v.text is not None)
