"""JEP404 open-trust: who may become an identity is left (nearly) open.

- An AWS role's trust policy admits `Principal: "*"` (or `{"AWS": "*"}`, or uses `NotPrincipal`):
  any principal of any account can assume it. Error; a warning when a condition scopes the callers
  (`aws:PrincipalOrgID`, `aws:SourceArn`, `sts:ExternalId`, ...); nothing when `aws:PrincipalArn`
  names them.
- It admits another account's root (`arn:aws:iam::123456789012:root`, or the bare account id)
  without `sts:ExternalId`, MFA, or a condition naming the principals: every principal of that
  account that may call sts:AssumeRole can. Warning. The scan's own account written as a reference
  (`data.aws_caller_identity`, `${AWS::AccountId}`) is not reported.
- It admits GitHub Actions OIDC (`token.actions.githubusercontent.com`) without a `sub` condition,
  or with one that matches every repository: any workflow of any repository can assume it. Error;
  a `sub` that admits every repository of one organisation is a warning. An EKS OIDC provider
  without a `:sub` condition admits every ServiceAccount of the cluster: warning.
- A GCP workload identity pool provider has no `attribute_condition`: error for GitHub's issuer,
  warning for the others.

Reported at the principal (the provider, for GCP). Documentation: `rules/JEP404-open-trust/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.conditions import any_unknown, guards, values_for
from jeplint.graph.model import Grant, Graph, Identity, Value
from jeplint.iamglob import action_matches
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import CURRENT_ACCOUNT, scoping_keys
from jeplint.rules.common.escalation import account_of, finish
from jeplint.span import Span

GITHUB = "token.actions.githubusercontent.com"
ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")


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


def _github(grant: Grant) -> tuple[str, str] | None:
    """(level, why) for a GitHub OIDC trust whose `sub` does not pin a repository."""
    values = _condition_values(grant, f"{GITHUB}:sub")
    if values is None and _unknown_conditions(grant):
        return None
    if values is None:
        return "error", f"no {GITHUB}:sub condition, so a workflow of any repository on GitHub can assume it"
    texts = [v for v in values if isinstance(v, str)]
    if not texts:
        return None  # unresolved: never guessed
    repos = [t.split(":", 2)[1] if t.startswith("repo:") and t.count(":") >= 1 else t for t in texts]
    if any(r.startswith("*") or r == "" for r in repos):
        return "error", f"a {GITHUB}:sub condition ({', '.join(texts)}) that admits every repository on GitHub"
    if any(r.split("/", 1)[-1].startswith("*") for r in repos):
        owners = sorted({r.split("/", 1)[0] for r in repos if r.split("/", 1)[-1].startswith("*")})
        return "warning", f"a {GITHUB}:sub condition ({', '.join(texts)}) that admits every repository of {', '.join(owners)}"
    return None


def _aws_principal(grant: Grant, value: Value) -> tuple[str, str] | None:
    """(level, what) when one principal of a trust statement leaves the role open."""
    text = value.text or ""
    if text in ("*", "AWS:*"):
        named = _condition_values(grant, "aws:principalarn")
        if named and any(isinstance(v, str) and v != "*" for v in named):
            return None  # the condition names the principals: the "*" only defers to it
        written = 'Principal "*"' if text == "*" else 'Principal AWS "*"'
        keys = sorted(set(scoping_keys(grant)) | set(_guarded(grant)))
        if keys or _unknown_conditions(grant):
            limited = f"condition {', '.join(keys)}" if keys else "a condition jeplint could not read"
            return "warning", f"can be assumed by any AWS principal ({written}), limited only by {limited}"
        return "error", f"can be assumed by any AWS principal of any account ({written})"
    kind, _, name = text.partition(":")
    if kind == "AWS" and not value.partial and not any(m in text for m in CURRENT_ACCOUNT):
        account = account_of(name)
        if account is not None and not _guarded(grant) and not _unknown_conditions(grant):
            return "warning", (
                f"trusts every principal of account {account} that may call sts:AssumeRole ({name}), "
                "without sts:ExternalId, MFA or a condition naming the principals"
            )
    if kind == "Federated" and GITHUB in name:
        github = _github(grant)
        return (github[0], f"trusts GitHub Actions OIDC with {github[1]}") if github else None
    if (
        kind == "Federated"
        and "oidc.eks." in name
        and _condition_values(grant, ":sub") is None
        and not _unknown_conditions(grant)
    ):
        return (
            "warning",
            f"trusts the EKS OIDC provider {name.split('oidc-provider/', 1)[-1]} without a :sub condition, so every ServiceAccount of the cluster can assume it",
        )
    return None


def _aws(graph: Graph, identity: Identity) -> Iterator[Finding]:
    assert identity.trust is not None
    for grant in identity.trust.grants:
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
            yield _finding(
                graph,
                identity,
                grant,
                span,
                "error",
                f"can be assumed by every principal except {texts} (NotPrincipal with Allow)",
                texts,
            )
            continue
        for value in grant.principals:
            found = _aws_principal(grant, value)
            if found is not None:
                yield _finding(graph, identity, grant, value.span, found[0], found[1], value.text or "")


def _pool(graph: Graph, identity: Identity) -> Iterator[Finding]:
    assert identity.trust is not None
    for grant in identity.trust.grants:
        written = values_for(grant.conditions, "attribute_condition") or []
        if any(isinstance(text, str) and text.strip() for text in written):
            continue
        issuers = [v.text.split(":", 1)[1] for v in grant.principals if v.text]
        github = any(GITHUB in i for i in issuers)
        what = (
            f"accepts every identity of provider {grant.sid} ({', '.join(issuers) or 'issuer unknown'}): it has no attribute_condition"
            + (", so a workflow of any repository on GitHub can sign in" if github else "")
        )
        yield _finding(graph, identity, grant, grant.span, "error" if github else "warning", what, grant.sid)


def _finding(graph: Graph, identity: Identity, grant: Grant, span: Span, level: str, what: str, element: str) -> Finding:
    trust = identity.trust
    assert trust is not None
    noun = "statement" if identity.platform == "aws" else "provider"
    related = [Related(grant.span, f"{noun} {grant.index} of the trust policy of {identity.label}")]
    if "Condition" in grant.key_spans:
        related.append(Related(grant.key_spans["Condition"], "its condition"))
    if trust.span is not None and trust.span != grant.span:
        related.append(Related(trust.span, f"the trust policy of {identity.label}"))
    related += [Related(s, m) for s, m in trust.origin]
    related += [Related(b.span, f"{b.policy.label} is bound to {identity.label} by {b.via}") for b in graph.bindings_of(identity)]
    return Finding(
        "JEP404",
        f"{identity.label} {what}",
        span,
        finish(related, graph, identity),
        fingerprint("JEP404", span.path, identity.key, element),
        level,
        (identity.key,),
    )


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        if identity.trust is None:
            continue
        if identity.platform == "aws":
            yield from _aws(graph, identity)
        elif identity.kind == "workload-identity-pool":
            yield from _pool(graph, identity)


RULE = Rule("JEP404", check)
