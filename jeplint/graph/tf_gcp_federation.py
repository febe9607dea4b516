"""Terraform GCP workload identity federation -> who may sign in from outside Google Cloud.

A `google_iam_workload_identity_pool` is an identity of the graph (kind `workload-identity-pool`);
its `trust` policy holds one grant per `google_iam_workload_identity_pool_provider`: the external
issuer as its principal ("Federated:https://token.actions.githubusercontent.com",
"Federated:aws-account:123456789012", ...) and the provider's `attribute_condition`, if any, as its
condition. Each OIDC provider is also a `Federation` fact (graph/federation.py): its issuer, its allowed
audiences, and its `attribute_condition` read as CEL (graph/federation_cel.py) through its
`attribute_mapping`. JEP404 reads the verdicts: a provider without an attribute condition admits
every identity its issuer vouches for (every GitHub repository, every role of an AWS account).
"""

from __future__ import annotations

from jeplint.graph.conditions import CEL, Condition
from jeplint.graph.federation import ORDER, Federation, issuer_of, judge
from jeplint.graph.federation_cel import parse_condition
from jeplint.graph.model import Grant, Graph, Identity, Policy, Value
from jeplint.graph.policy import describe, values_of
from jeplint.graph.terraform import Module, traversal
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar

POOL = "google_iam_workload_identity_pool"
PROVIDER = "google_iam_workload_identity_pool_provider"


def add_pools(graph: Graph, modules: list[Module]) -> None:
    for module in modules:
        pools: dict[str, Identity] = {}
        for (tf_type, label), block in module.resources.items():
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
        for (tf_type, label), block in module.resources.items():
            if tf_type == PROVIDER:
                pool = _pool(graph, module, block, pools)
                if pool.trust is not None:
                    grant = _provider(module, label, block, pool.trust)
                    pool.trust.grants.append(grant)
                    graph.federations.extend(gcp_federation(module, block, pool, grant))


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


def gcp_federation(module: Module, block: Block, pool: Identity, grant: Grant) -> list[Federation]:
    """The federation fact of one OIDC provider of a pool (none for AWS, SAML and X.509 providers)."""
    oidc = block.blocks_of("oidc")
    if not oidc:
        return []
    url = module.text(oidc[0].attrs.get("issuer_uri"))
    if url is None:
        return []
    issuer = issuer_of(url)
    audiences = _texts(module, oidc[0].attrs.get("allowed_audiences"))
    mapping_node = module.resolve(block.attrs["attribute_mapping"]) if "attribute_mapping" in block.attrs else None
    mapping = (
        {k: str(v.value) for k, v in mapping_node.items.items() if isinstance(v, Scalar)}
        if isinstance(mapping_node, Mapping)
        else {}
    )
    condition = next((c.values[0] for c in grant.conditions if c.operator == CEL and c.key == "attribute_condition"), None)
    subject = f"{pool.label}, provider {grant.sid}"
    related = ((grant.key_spans["Condition"], "its attribute_condition"),) if "Condition" in grant.key_spans else ()
    if condition is None:
        verdict, who = judge(issuer, ())
        if issuer.provider == "other":
            verdict, who = "nothing", f"every identity {issuer.name} vouches for"
        claims: tuple = ()
    else:
        alternatives = parse_condition(str(condition), mapping) if "${" not in str(condition) else None
        if alternatives is None:
            verdict, who, claims = "unknown", f"its attribute_condition is not of the forms jeplint reads ({condition})", ()
        elif not alternatives:
            verdict, who, claims = "branch", "nobody (the condition is always false)", ()
        else:
            judged = [(judge(issuer, alt), alt) for alt in alternatives]
            (verdict, who), alt = max(judged, key=lambda j: ("unknown", *ORDER).index(j[0][0]))
            claims = tuple(alt)
    span = block.attr_spans.get("attribute_condition", grant.span)
    return [Federation("gcp", subject, pool, issuer, claims, audiences, verdict, who, span, grant, related)]


def _texts(module: Module, node: Node | None) -> tuple[str, ...] | None:
    return None if node is None else tuple(v.text for v in values_of(node, module.resolver()) if v.text is not None)
