"""JEP302 purpose-mismatch: an identity declares what it is for, and holds functions outside it.

An identity declares its purpose with the tag or annotation `jeplint.io/purpose` (AWS and Azure tags,
Kubernetes ServiceAccount annotations), or in configuration (`Options.purposes`, by identity name
or key). The value is a purpose from PURPOSES (`secrets-rotation`) or a list of functions
(`s3:data-read, sqs:data-write`, `*` allowed as domain or capability). Every function the identity
holds outside its purpose is reported, naming the purpose: "tied to a single function", made
checkable. Documentation: `rules/JEP302-purpose-mismatch/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jeplint.catalog.functions import Function
from jeplint.graph.model import Graph, Identity
from jeplint.iamglob import matches
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common.functions import anchor, describe_functions, function_locations, functions_of
from jeplint.span import Span

PURPOSE_KEY = "jeplint.io/purpose"

# purpose -> the functions ("domain:capability", globs allowed) it needs
PURPOSES: dict[str, tuple[str, ...]] = {
    "secrets-rotation": (
        "secretsmanager:rotate",
        "secretsmanager:modify",
        "secretsmanager:data-read",
        "secretsmanager:data-write",
        "kms:data-read",
    ),
    "secrets-read": (
        "secretsmanager:data-read",
        "ssm:data-read",
        "kms:data-read",
        "core/secrets:data-read",
        "secretmanager:data-read",
    ),
    "object-storage-read": ("s3:data-read", "kms:data-read", "storage:data-read"),
    "object-storage-write": (
        "s3:data-read",
        "s3:data-write",
        "kms:data-read",
        "kms:modify",
        "storage:data-read",
        "storage:data-write",
    ),
    "queue-consumer": ("sqs:data-read", "sqs:data-write", "kms:data-read", "pubsub:data-read"),
    "queue-producer": ("sqs:data-write", "sns:data-write", "kms:data-read", "kms:modify", "pubsub:data-write"),
    "table-read": ("dynamodb:data-read", "kms:data-read"),
    "table-write": ("dynamodb:data-read", "dynamodb:data-write", "kms:data-read"),
    "log-shipping": ("logs:*", "firehose:data-write", "kinesis:data-write", "s3:data-write"),
    "dns-management": ("route53:modify", "route53:destroy", "route53:data-write"),
    "certificate-management": ("acm:*", "route53:modify", "cert-manager.io/*:*", "core/secrets:*"),
    "image-build": ("ecr:*", "s3:data-read", "codebuild:modify", "artifactregistry:*"),
    "function-deploy": ("lambda:code-execution", "lambda:modify", "s3:data-read", "s3:data-write", "iam:identity-admin"),
    "read-only": (),
}


def declared(identity: Identity, options: Options) -> tuple[str, Span | None, str] | None:
    """(purpose, where it is declared, how) for an identity, or None."""
    for name, purpose in options.purposes:
        if name in (identity.name, identity.key):
            return purpose, None, "configuration"
    if PURPOSE_KEY in identity.tags:
        noun = "annotation" if identity.platform == "kubernetes" else "tag"
        return identity.tags[PURPOSE_KEY], identity.tag_spans.get(PURPOSE_KEY), f"{noun} {PURPOSE_KEY}"
    return None


def allowed_patterns(purpose: str) -> tuple[str, ...] | None:
    """The function patterns a purpose allows; None for an unknown purpose name."""
    if purpose in PURPOSES:
        return PURPOSES[purpose]
    items = [p for p in re.split(r"[,\s]+", purpose.strip()) if p]
    if items and all(":" in p for p in items):
        return tuple(items)
    return None


def _allowed(function: Function, patterns: tuple[str, ...]) -> bool:
    return any(matches(f"{function.domain}:{function.capability}", p) for p in patterns)


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        found = declared(identity, options)
        if found is None:
            continue
        purpose, where, how = found
        span = where or anchor(graph, identity)
        if span is None:
            continue
        patterns = allowed_patterns(purpose)
        if patterns is None:
            known = ", ".join(sorted(PURPOSES))
            yield Finding(
                "JEP302",
                f"{identity.label} declares purpose '{purpose}' ({how}), which jeplint does not know: use one of {known}, "
                "or list its functions (for example 's3:data-read, sqs:data-write')",
                span,
                [],
                fingerprint("JEP302", identity.key, "unknown-purpose"),
                "note",
                (identity.key,),
            )
            continue
        outside = {f: a for f, a in functions_of(graph, identity).items() if not _allowed(f, patterns)}
        if not outside:
            continue
        yield Finding(
            "JEP302",
            f"{identity.label} is declared for '{purpose}' ({how}) but also holds {len(outside)} function"
            f"{'s' if len(outside) != 1 else ''} outside it: {describe_functions(outside)}. "
            "Remove them, or give the work that needs them its own identity",
            span,
            function_locations(graph, identity, outside),
            fingerprint("JEP302", identity.key, purpose, *sorted(f.name for f in outside)),
            "",
            (identity.key,),
        )


RULE = Rule("JEP302", check)
