"""What the credential extractors of several platforms share."""

from __future__ import annotations

import re
from typing import Any

from jeplint.graph.kubernetes import get as k8s_get
from jeplint.graph.model import Credential, Graph, Identity
from jeplint.graph.names import qualified
from jeplint.parse.nodes import Node, Scalar, Sequence
from jeplint.span import Span

TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"


def _service_account(owners: Owners, namespace: str, name: str) -> tuple[Identity | None, str]:
    found = owners.by_key.get(f"sa:{namespace}/{name}")
    return found, f"serviceaccount {qualified(namespace, name)}" + ("" if found else " (not declared in the scan)")


def _saml_only_document(doc: Node | None) -> bool:
    statements = k8s_get(doc, "Statement")
    items = statements.items if isinstance(statements, Sequence) else [statements] if statements is not None else []
    actions: list[Node] = []
    for stmt in items:
        action = k8s_get(stmt, "Action")
        actions += action.items if isinstance(action, Sequence) else [action] if action is not None else []
    return bool(actions) and all(isinstance(a, Scalar) and a.value == "sts:AssumeRoleWithSAML" for a in actions)


def credential(
    platform: str, kind: str, name: str, span: Span, identity: Identity | None, owner: str, **facts: Any
) -> Credential:
    """A `Credential`; `owner` (words for an owner the scan does not declare) gives way to the identity."""
    return Credential(platform, kind, name, span, identity, owner=identity.label if identity is not None else owner, **facts)


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
