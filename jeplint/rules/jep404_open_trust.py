"""JEP404 open-trust: who may become an identity is left (nearly) open.

- An AWS role's trust policy admits `Principal: "*"` (or `{"AWS": "*"}`, or uses `NotPrincipal`):
  any principal of any account can assume it. Error; a warning when a condition scopes the callers
  (`aws:PrincipalOrgID`, `aws:SourceArn`, `sts:ExternalId`, ...); nothing when `aws:PrincipalArn`
  names them.
- It admits another account's root (`arn:aws:iam::123456789012:root`, or the bare account id)
  without `sts:ExternalId`, MFA, or a condition naming the principals: every principal of that
  account that may call sts:AssumeRole can. Warning. The scan's own account written as a reference
  (`data.aws_caller_identity`, `${AWS::AccountId}`) is not reported, nor the role's own account
  written literally, when its deployment says which it is (`graph.assume.known_account`: it writes
  the ARN of one of its identities with that account).
  An account given by a CloudFormation parameter (`!Sub arn:aws:iam::${AccountId}:root`,
  `!Ref AccountId`) is another account unless proven the same: reported alike.
- Federation (AWS `sts:AssumeRoleWithWebIdentity`, GCP workload identity pool providers, Azure
  federated identity credentials) is read from the graph's `Federation` facts (graph/federation.py):
  a trust that pins nothing lets anyone the issuer vouches for in (error for the shared issuers:
  GitHub, gitlab.com, Terraform Cloud; warning for one cluster or one GitLab instance); one that
  pins only an organisation (`repo:acme/*`, `assertion.repository_owner == 'acme'`) is a warning.
  The message says who can assume the identity. An Azure federated credential pinned to one
  repository on an identity holding Owner, Contributor or User Access Administrator: warning (that
  repository's workflows hold the role). A GCP provider of another kind (AWS, SAML, X.509)
  without `attribute_condition` admits every identity of its issuer: warning.
- Trust documents attached to no role in the scan (`data "aws_iam_policy_document"` or a JSON file
  that trusts a principal through `sts:AssumeRole*`) are checked the same way, and say so.

Reported at the principal (the provider, for GCP). Documentation: `rules/JEP404-open-trust/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.catalog.broad_roles import AZURE_BROAD
from jeplint.graph.assume import account_parameter, known_account, own_account, root_account
from jeplint.graph.conditions import CEL, any_unknown, guards, values_for
from jeplint.graph.federation import Federation
from jeplint.graph.federation_aws import unattached_trust
from jeplint.graph.model import Grant, Graph, Identity, Value
from jeplint.iamglob import action_matches
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import scoping_keys
from jeplint.rules.common.escalation import account_of, finish
from jeplint.span import Span

ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
# An account root written with a CloudFormation parameter: `arn:aws:iam::${AccountId}:root`, `Ref AccountId`.
OPERATORS = {"equals": "=", "like": "like", "prefix": "starts with"}


def _assumes(grant: Grant) -> bool:
    """An Allow statement whose actions include an AssumeRole call (or that names no action)."""
    if grant.effect != "Allow" or grant.unresolved:
        return False
    texts = [v.text for v in grant.actions if v.text is not None]
    if grant.not_actions:
        return not any(action_matches(a, t) for a in ASSUME for t in texts)
    return not grant.actions or any(action_matches(a, t) for a in ASSUME for t in texts)


def _condition_values(grant: Grant, suffix: str) -> list[object] | None:
    """Values of every condition whose key ends with `suffix` (None when no key does)."""
    return values_for(grant.conditions, suffix)


def _guarded(grant: Grant) -> list[str]:
    """The condition keys that guard a cross-account trust (an empty `sts:ExternalId` or MFA "false" does not)."""
    return guards(grant.conditions)


def _unknown_conditions(grant: Grant) -> bool:
    """Conditions jeplint could not read (a `dynamic "condition"` over an unknown collection)."""
    return any_unknown(grant.conditions)


def _pinned_to_organisation(grant: Grant) -> bool:
    """A condition names the organisation, organisational unit path or accounts the principals must
    belong to (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`), with known
    values none of which admits everything."""
    for key in ("aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount"):
        values = _condition_values(grant, key)
        if values and all(isinstance(v, str) and v and not v.startswith("*") for v in values):
            return True
    return False


def _aws_principal(grant: Grant, value: Value) -> tuple[str, str] | None:
    """(level, what) when one principal of a trust statement leaves the role open (federated
    principals are judged from the graph's federation facts)."""
    text = value.text or ""
    if text in ("*", "AWS:*"):
        named = _condition_values(grant, "aws:principalarn")
        if named and any(isinstance(v, str) and v != "*" for v in named):
            return None  # the condition names the principals: the "*" only defers to it
        if _pinned_to_organisation(grant):
            return None  # the documented organisation-wide trust: principals of the named organisation, OU or accounts
        written = 'Principal "*"' if text == "*" else 'Principal AWS "*"'
        keys = sorted(set(scoping_keys(grant)) | set(_guarded(grant)))
        if keys or _unknown_conditions(grant):
            limited = f"condition {', '.join(keys)}" if keys else "a condition jeplint could not read"
            return "warning", f"can be assumed by any AWS principal ({written}), limited only by {limited}"
        return "error", f"can be assumed by any AWS principal of any account ({written})"
    if _guarded(grant) or _unknown_conditions(grant):
        return None
    kind, _, name = text.partition(":")
    if kind == "AWS" and not value.partial and not own_account(text):
        account = account_of(name)
        if account is not None:
            return "warning", (
                f"trusts every principal of account {account} that may call sts:AssumeRole ({name}), "
                "without sts:ExternalId, MFA or a condition naming the principals"
            )
    parameter = account_parameter(value)
    if parameter is not None:
        if parameter not in ("AWS::AccountId",):
            return "warning", (
                f"trusts every principal that may call sts:AssumeRole in the account given by parameter {parameter} "
                "(another account unless proven the same), without sts:ExternalId, MFA or a condition naming the principals"
            )
    return None


def _aws(graph: Graph, identity: Identity | None, subject: str, grants: list[Grant]) -> Iterator[Finding]:
    for grant in grants:
        if not _assumes(grant):
            continue
        if grant.not_principals:
            span = grant.key_spans.get("NotPrincipal", grant.span)
            texts = ", ".join(
                (v.text or v.unresolved).split(":", 1)[-1]
                if (v.text or v.unresolved).startswith("AWS:")
                else v.text or v.unresolved
                for v in grant.principals
            )
            what = f"can be assumed by every principal except {texts} (NotPrincipal with Allow)"
            yield _finding(graph, identity, subject, grant, span, "error", what, texts)
            continue
        own = known_account(graph, identity) if identity is not None else None
        for value in grant.principals:
            if own is not None and root_account((value.text or "").removeprefix("AWS:")) == own:
                continue  # the role's own account, written literally: as `${data.aws_caller_identity...}`
            found = _aws_principal(grant, value)
            if found is not None:
                yield _finding(graph, identity, subject, grant, value.span, found[0], found[1], value.text or value.unresolved)


def _pool(graph: Graph, identity: Identity) -> Iterator[Finding]:
    """GCP providers that are not OIDC (AWS, SAML, X.509) and have no attribute condition."""
    assert identity.trust is not None
    for grant in identity.trust.grants:
        issuers = [v.text.split(":", 1)[1] for v in grant.principals if v.text]
        if values_for(grant.conditions, "attribute_condition") or not issuers or any("://" in i for i in issuers):
            continue
        what = f"accepts every identity of provider {grant.sid} ({', '.join(issuers)}): it has no attribute_condition"
        yield _finding(graph, identity, identity.label, grant, grant.span, "warning", what, grant.sid)


def _broad_azure(graph: Graph, fact: Federation) -> Finding | None:
    """An Azure federated credential pinned to one repository on an identity with a broad built-in role."""
    if fact.platform != "azure" or fact.identity is None or fact.verdict not in ("branch", "repository"):
        return None
    broad = [b for b in graph.bindings_of(fact.identity) if b.policy.kind == "azure-builtin" and b.policy.name in AZURE_BROAD]
    if not broad:
        return None
    binding = broad[0]
    scope = f" on {binding.scope}" if binding.scope else ""
    what = (
        f"trusts OIDC tokens of {fact.issuer.name} ({fact.issuer.url}) for {fact.who}, and it holds {binding.policy.name} "
        f"({AZURE_BROAD[binding.policy.name]}){scope}: whoever can change that repository's workflows holds the role"
    )
    related = [Related(span, message) for span, message in fact.related]
    related.append(Related(binding.span, f"{binding.policy.label} is bound to {fact.identity.label} by {binding.via}"))
    return Finding(
        "JEP404",
        f"{fact.subject} {what}",
        fact.span,
        finish(related, graph, fact.identity),
        fingerprint("JEP404", fact.span.path, fact.identity.key, "broad", binding.policy.name),
        "warning",
        (fact.identity.key,),
    )


def _federated(graph: Graph, fact: Federation) -> Finding | None:
    if fact.verdict == "nothing":
        level = "error" if fact.issuer.shared else "warning"
    elif fact.verdict == "organisation":
        level = "warning"
    else:
        return _broad_azure(graph, fact)
    pins = [c for c in fact.claims if c.claim not in ("aud", "azp", "amr")]
    written = next(
        (
            c.values[0]
            for c in (fact.grant.conditions if fact.grant else ())
            if c.operator == CEL and c.key == "attribute_condition"
        ),
        None,
    )
    if fact.platform == "gcp":
        constraint = f"with attribute_condition {written!r}" if written is not None else "with no attribute_condition"
    elif pins:
        constraint = "with " + " and ".join(f"{c.claim} {OPERATORS[c.operator]} {' or '.join(c.values)}" for c in pins)
    else:
        constraint = "with no condition on the token's subject"
    verb = "assume it" if fact.platform == "aws" else "sign in as it"
    audience = ""
    if fact.platform == "aws" and fact.issuer.provider == "github" and fact.audiences is None:
        audience = " (and no aud condition)"
    what = f"trusts OIDC tokens of {fact.issuer.name} ({fact.issuer.url}) {constraint}{audience}: {fact.who} can {verb}"
    related = [Related(span, message) for span, message in fact.related]
    element = fact.issuer.url + "|" + ",".join(v for c in pins for v in c.values)
    if fact.grant is not None:
        return _finding(graph, fact.identity, fact.subject, fact.grant, fact.span, level, what, element, related)
    return Finding(
        "JEP404",
        f"{fact.subject} {what}",
        fact.span,
        finish(related, graph, fact.identity),
        fingerprint("JEP404", fact.span.path, fact.identity.key if fact.identity else fact.subject, element),
        level,
        (fact.identity.key,) if fact.identity else (),
    )


def _finding(
    graph: Graph,
    identity: Identity | None,
    subject: str,
    grant: Grant,
    span: Span,
    level: str,
    what: str,
    element: str,
    extra: list[Related] | None = None,
) -> Finding:
    trust = grant.policy
    noun = "statement" if trust.platform == "aws" else "provider"
    related = extra or [Related(grant.span, f"{noun} {grant.index} of {trust.label}")]
    if "Condition" in grant.key_spans and not extra:
        related.append(Related(grant.key_spans["Condition"], "its condition"))
    if trust.span is not None and trust.span != grant.span:
        related.append(Related(trust.span, trust.label if identity is None else f"the trust policy of {identity.label}"))
    related += [Related(s, m) for s, m in trust.origin]
    if identity is not None:
        related += [
            Related(b.span, f"{b.policy.label} is bound to {identity.label} by {b.via}") for b in graph.bindings_of(identity)
        ]
    key = identity.key if identity is not None else trust.key
    return Finding(
        "JEP404",
        f"{subject} {what}",
        span,
        finish(related, graph, identity),
        fingerprint("JEP404", span.path, key, element),
        level,
        (identity.key,) if identity is not None else (),
    )


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        if identity.trust is None:
            continue
        if identity.platform == "aws":
            yield from _aws(graph, identity, identity.label, identity.trust.grants)
        elif identity.kind == "workload-identity-pool":
            yield from _pool(graph, identity)
    for grant in unattached_trust(graph):
        subject = f"trust policy document {grant.policy.name} (attached to no role in this scan)"
        yield from _aws(graph, None, subject, [grant])
    for fact in graph.federations:
        found = _federated(graph, fact)
        if found is not None:
            yield found


RULE = Rule("JEP404", check)
