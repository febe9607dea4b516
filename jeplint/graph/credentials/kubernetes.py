"""Kubernetes credentials: legacy service-account-token Secrets and projected tokens in manifests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jeplint.graph.credentials.common import SA_NAME_ANNOTATION, TOKEN_SECRET_TYPE, Owners, _service_account, credential
from jeplint.graph.kubernetes import WORKLOAD_POD_SPEC, namespace_of
from jeplint.graph.kubernetes import get as k8s_get
from jeplint.graph.kubernetes import text as k8s_text
from jeplint.graph.lifetimes import Lifetime
from jeplint.graph.model import Graph, Identity
from jeplint.graph.names import namespace_words, qualified
from jeplint.parse.nodes import Mapping, Scalar, Sequence, Span


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
        namespace = namespace_of(obj)
        account = k8s_text(k8s_get(obj, "metadata", "annotations", SA_NAME_ANNOTATION))
        identity, owner = (
            _service_account(self.owners, namespace, account)
            if account
            else (None, f"an unnamed serviceaccount of {namespace_words(namespace)}")
        )
        name = k8s_text(k8s_get(obj, "metadata", "name")) or "?"
        self._add("k8s-token-secret", f"Secret {qualified(namespace, name)}", kind.span, identity, owner, family="never")

    def _projected(self, obj: Mapping, kind: str) -> None:
        spec = k8s_get(obj, *WORKLOAD_POD_SPEC[kind])
        volumes = k8s_get(spec, "volumes")
        if not isinstance(volumes, Sequence):
            return
        namespace = namespace_of(obj)
        account = k8s_text(k8s_get(spec, "serviceAccountName")) or k8s_text(k8s_get(spec, "serviceAccount")) or "default"
        identity, owner = _service_account(self.owners, namespace, account)
        workload = f"{kind} {qualified(namespace, k8s_text(k8s_get(obj, 'metadata', 'name')) or '?')}"
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
