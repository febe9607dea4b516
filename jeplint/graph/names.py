"""Identities named by text (a role name or ARN in an attachment) rather than by reference, and the
words for a Kubernetes namespace."""

from __future__ import annotations

import json

from jeplint.graph.model import Graph, Identity
from jeplint.parse.nodes import Mapping, Node


def aws_named(graph: Graph, registry: dict[tuple[str, str], Identity], kind: str, text: str) -> Identity:
    """The AWS identity a name or ARN names: the one declared in the scan under that name
    (`registry`, by (kind, name)), or a new undeclared one, registered so it is made once."""
    name = text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
    found = registry.get((kind, name))
    if found is None:
        found = Identity("aws", kind, name, f"external:aws:{kind}:{name}", None)
        registry[(kind, name)] = found
        graph.identities.append(found)
    return found


APPLY_NAMESPACE = "@apply"  # the namespace of a manifest object that names none: chosen when it is applied


def qualified(ns: str, name: str) -> str:
    """`prod/api`, or `api (namespace set at apply)`."""
    return f"{name} (namespace set at apply)" if ns == APPLY_NAMESPACE else f"{ns}/{name}"


def namespace_words(ns: str) -> str:
    """`namespace prod`, or `the namespace set at apply`."""
    return "the namespace set at apply" if ns == APPLY_NAMESPACE else f"namespace {ns}"


def helm_text(node: Node | None) -> str:
    """An unrendered Helm value written unquoted (`name: {{ include "app.fullname" . }}`), which YAML
    reads as a mapping inside a mapping: the template as written, so the object is named, not
    dropped; "" for anything else."""
    if isinstance(node, Mapping) and len(node.items) == 1:
        try:
            inner = json.loads(next(iter(node.items)))
        except ValueError:
            return ""
        if isinstance(inner, dict) and len(inner) == 1 and next(iter(inner.values())) is None:
            return "{{ " + str(next(iter(inner))).strip() + " }}"
    return ""
