"""Terraform GCP workload identity federation -> who may sign in from outside Google Cloud.

A `google_iam_workload_identity_pool` is an identity of the graph (kind `workload-identity-pool`);
its `trust` policy holds one grant per `google_iam_workload_identity_pool_provider`: the external
issuer as its principal ("Federated:https://token.actions.githubusercontent.com",
"Federated:aws-account:123456789012", ...) and the provider's `attribute_condition`, if any, as its
condition. JEP404 reads it: a provider without an attribute condition admits every identity its
issuer vouches for (every GitHub repository, every role of an AWS account).
"""

from __future__ import annotations

from jeplint.graph.conditions import CEL, Condition
from jeplint.graph.model import Grant, Graph, Identity, Policy, Value
from jeplint.graph.policy import describe
from jeplint.graph.terraform import Module, traversal
from jeplint.parse.nodes import Block, Expr, Scalar

POOL = "google_iam_workload_identity_pool"
PROVIDER = "google_iam_workload_identity_pool_provider"


def add_pools(graph: Graph, modules: list[Module]) -> None:
    for module in modules:
        pools: dict[str, Identity] = {}
        for tf_type, label, block in module.each_resource():
            if tf_type == POOL:
                pool_id = module.text(block.attrs.get("workload_identity_pool_id")) or label
                identity = Identity(
                    "gcp",
                    "workload-identity-pool",
                    pool_id,
                    module.key(tf_type, label),
                    block.labels[1].span,
                    origin=module.origin(),
                )
                identity.trust = Policy(
                    "gcp",
                    "trust",
                    f"providers of {identity.label}",
                    identity.key + "#trust",
                    block.labels[1].span,
                    origin=module.origin(),
                )
                pools[label] = pools[pool_id] = identity
                graph.identities.append(identity)
        for tf_type, label, block in module.each_resource():
            if tf_type == PROVIDER:
                pool = _pool(graph, module, block, pools)
                if pool.trust is not None:
                    pool.trust.grants.append(_provider(module, label, block, pool.trust))


def _pool(graph: Graph, module: Module, block: Block, pools: dict[str, Identity]) -> Identity:
    """The pool a provider belongs to: declared in the module, or only named (then added, undeclared)."""
    node = block.attrs.get("workload_identity_pool_id")
    value = module.resolve(node) if node is not None else None
    name = "?"
    if isinstance(value, Scalar) and value.value is not None:
        name = str(value.value)
    elif isinstance(value, Expr) and value.op == "ref":
        parts = traversal(value.text)
        name = parts[1] if len(parts) >= 2 and parts[0] == POOL else value.text
    if name not in pools:
        identity = Identity(
            "gcp", "workload-identity-pool", name, module.key(POOL, name, "referenced"), None, origin=module.origin()
        )
        identity.trust = Policy("gcp", "trust", f"providers of {identity.label}", identity.key + "#trust", None)
        pools[name] = identity
        graph.identities.append(identity)
    return pools[name]


def _provider(module: Module, label: str, block: Block, trust: Policy) -> Grant:
    provider_id = module.text(block.attrs.get("workload_identity_pool_provider_id")) or label
    grant = Grant(policy=trust, index=len(trust.grants) + 1, span=block.labels[1].span, sid=provider_id)
    for kind, attr, prefix in (
        ("oidc", "issuer_uri", ""),
        ("aws", "account_id", "aws-account:"),
        ("saml", "", "saml"),
        ("x509", "", "x509"),
    ):
        for nested in block.blocks_of(kind):
            node = nested.attrs.get(attr) if attr else None
            span = node.span if node is not None else nested.span
            text = module.text(node) if node is not None else None
            if not attr:
                grant.principals.append(Value(f"Federated:{prefix}", span))
            elif text is not None:
                grant.principals.append(Value(f"Federated:{prefix}{text}", span))
            else:
                grant.principals.append(Value(None, span, unresolved=f"Federated:{kind} {attr}"))
    if "attribute_condition" in block.attrs:
        resolved = module.resolve(block.attrs["attribute_condition"])
        text = (
            str(resolved.value)
            if isinstance(resolved, Scalar) and resolved.value is not None
            else "${" + describe(resolved) + "}"
        )
        grant.conditions = (Condition(CEL, "attribute_condition", (text,)),)
        grant.key_spans["Condition"] = block.attr_spans["attribute_condition"]
    return grant
