"""AWS trust statements with a federated OIDC principal -> `Federation` facts.

Every AWS role's trust policy, and every policy document that trusts a principal through
`sts:AssumeRole*` but is the trust policy of no role in the scan (a `data "aws_iam_policy_document"`
or a standalone JSON file written for a role elsewhere), is read the same way: the issuer comes from
the provider ARN (`arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com`) or, when that
is a reference, from the condition keys (`token.actions.githubusercontent.com:sub`); the claims from
the `StringEquals` / `StringLike` conditions (negated operators constrain nothing, so they pin
nothing). A condition jeplint could not read gives the verdict "unknown", never a guess.
"""

from __future__ import annotations

import fnmatch

from jeplint.graph.conditions import any_unknown
from jeplint.graph.federation import Claim, Federation, Issuer, issuer_of, judge
from jeplint.graph.model import Grant, Graph, Policy, Value

ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
OPERATORS = {"stringequals": "equals", "stringequalsignorecase": "equals", "stringlike": "like"}
NOT_OIDC = ("saml-provider/", "cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com")


def condition_triples(grant: Grant) -> list[tuple[str, str, list[object]]] | None:
    """(operator, key, values) for each condition of a statement; None when they could not be read."""
    if any_unknown(grant.conditions):
        return None
    return [(c.operator, c.key, list(c.values)) for c in grant.conditions]


def note_unknown(graph: Graph, facts: list[Federation]) -> None:
    """Say which trusts of a known CI issuer could not be judged (never a silent pass)."""
    seen = set(graph.notes)
    for fact in facts:
        note = (fact.span, f"{fact.subject}: trust of {fact.issuer.name} OIDC tokens not judged: {fact.who}")
        if fact.verdict == "unknown" and fact.issuer.provider != "other" and note not in seen:
            seen.add(note)
            graph.notes.append(note)


def add_aws_federation(graph: Graph) -> None:
    trusted_spans = set()
    for identity in graph.identities:
        if identity.platform != "aws" or identity.trust is None:
            continue
        for grant in identity.trust.grants:
            trusted_spans.add(grant.span)
            graph.federations.extend(_facts(identity.label, identity, grant, identity.trust))
            _note_unknown_issuer(graph, identity.label, grant)
    for grant in unattached_trust(graph, trusted_spans):
        subject = f"trust policy document {grant.policy.name} (attached to no role in this scan)"
        graph.federations.extend(_facts(subject, None, grant, grant.policy))
    note_unknown(graph, graph.federations)  # every platform: GCP and Azure facts are in by now


def unattached_trust(graph: Graph, trusted_spans: set | None = None) -> list[Grant]:
    """Allow statements of policy documents that name principals and an `sts:AssumeRole*` action but
    are the trust policy of no role in the scan (and are attached to nothing as permissions)."""
    if trusted_spans is None:
        trusted_spans = {g.span for i in graph.identities if i.trust is not None for g in i.trust.grants}
    out = []
    for policy in graph.policies:
        if policy.platform != "aws" or policy.kind != "document" or graph.holders(policy):
            continue
        for grant in policy.grants:
            if grant.span in trusted_spans or grant.effect != "Allow" or grant.not_actions or not grant.principals:
                continue
            actions = [v.text for v in grant.actions if v.text is not None]
            if any(fnmatch.fnmatchcase(a.lower(), t.lower()) for a in ASSUME for t in actions if t != "*"):
                out.append(grant)
    return out


def _facts(subject: str, identity, grant: Grant, trust: Policy) -> list[Federation]:
    if grant.effect != "Allow" or grant.unresolved or grant.not_principals:
        return []
    out = []
    for value in grant.principals:
        issuer = _issuer(grant, value)
        if issuer is None:
            continue
        triples = condition_triples(grant)
        claims, audiences, readable = _claims(triples, issuer)
        verdict, who = judge(issuer, claims) if readable else ("unknown", "its condition could not be resolved")
        related = [(grant.span, f"statement {grant.index} of {trust.label}")]
        if "Condition" in grant.key_spans:
            related.append((grant.key_spans["Condition"], "its condition"))
        fact = Federation(
            "aws", subject, identity, issuer, tuple(claims), audiences, verdict, who, value.span, grant, tuple(related)
        )
        out.append(fact)
    return out


def _note_unknown_issuer(graph: Graph, subject: str, grant: Grant) -> None:
    """A web-identity trust whose provider is a value not known here (`aws_iam_openid_connect_provider.eks.arn`
    of a cluster's issuer) and whose condition keys do not name the issuer either: said, not passed."""
    if (
        grant.effect != "Allow"
        or grant.unresolved
        or not any((v.text or "").lower() == "sts:assumerolewithwebidentity" for v in grant.actions)
    ):
        return
    for value in grant.principals:
        if value.text is None and value.unresolved.startswith("Federated:") and _issuer(grant, value) is None:
            note = (
                value.span,
                f"{subject}: trust of web identities not judged: the issuer of {value.unresolved[10:]} is not known",
            )
            if note not in graph.notes:
                graph.notes.append(note)


def _issuer(grant: Grant, value: Value) -> Issuer | None:
    """The OIDC issuer a Federated principal names (from the condition keys when it is a reference)."""
    text = value.text or value.unresolved
    if not text.startswith("Federated:") or any(marker in text for marker in NOT_OIDC):
        return None
    if "oidc-provider/" in text and "${" not in text.split("oidc-provider/", 1)[1]:
        return issuer_of(text.split("oidc-provider/", 1)[1])
    for _, key, _ in condition_triples(grant) or []:
        prefix = key.rsplit(":", 1)[0]
        if ("." in prefix or "/" in prefix) and "${" not in prefix:
            return issuer_of(prefix)
    return None


def _claims(
    triples: list[tuple[str, str, list[object]]] | None, issuer: Issuer
) -> tuple[list[Claim], tuple[str, ...] | None, bool]:
    """The claim constraints of a statement, its audiences, and whether every one could be read."""
    if triples is None:
        return [], None, False
    claims: list[Claim] = []
    audiences: tuple[str, ...] | None = None
    for raw_operator, key, values in triples:
        prefix, _, claim = key.rpartition(":")
        if not prefix or prefix.lower() in ("aws", "sts", "iam") or (prefix.lower() != issuer.url.lower() and "${" not in prefix):
            continue
        operator = OPERATORS.get(raw_operator.split(":")[-1].lower().removesuffix("ifexists"))
        if operator is None:
            continue
        texts = [v for v in values if isinstance(v, str)]
        if len(texts) != len(values) or any("${" in t for t in texts):
            return claims, audiences, False
        if claim == "aud":
            audiences = tuple(texts)
        claims.append(Claim(claim, operator, tuple(texts)))
    return claims, audiences, True
