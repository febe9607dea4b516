"""Who may assume whom (AWS): the sts:AssumeRole edges of a scan, built once per graph.

`source` may assume role `target` when a trust statement of `target` admits `source` (its ARN or
a reference to it, everyone, or the scan's own account root for an identity of the same module or
template) and `source` holds sts:AssumeRole on `target` (on `*`, a pattern matching it, its ARN or
a reference to it). Rules read the edges (`assume_edges`); they never pair every role with every
identity themselves.

The trust side is an index (`_TrustIndex`): each admitting principal is filed under what it admits
(everyone, an account root by scope, a role or user by name, an identity by key), so finding the
roles that admit one identity costs a few dictionary lookups, not a pass over every trust policy.
The grant side is checked only for the roles the index returns. Edges are in the order of the
roles in `graph.identities`, and for each role the first admitting principal and the first
granting statement are kept, as before the index (issue 20, item 3; issue 12).

An ARN names a role or user by name *and account*. A scanned identity's account is known when
another identity of its deployment (Terraform module instance, CloudFormation template) names it by
ARN with a literal account (`_Accounts`), or when another identity of the deployment is known so; `${caller_identity}`
and `${AWS::AccountId}` name the deployment's own account. A principal or an sts:AssumeRole
resource whose account is known to differ from the identity's does not reach it; one whose account
cannot be compared still does, and the step says so (`Step.unsure`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jeplint.catalog import aws_actions
from jeplint.catalog.escalation import arn_parts
from jeplint.graph.effective import effective
from jeplint.graph.model import Binding, Grant, Graph, Identity, Value
from jeplint.iamglob import matches
from jeplint.span import Span

# How a trust principal names the scan's own account: Terraform's caller identity, CloudFormation's
# AWS::AccountId (as `${...account_id}` once interpolated).
CURRENT_ACCOUNT = ("aws_caller_identity", "AWS::AccountId", "account_id}")


@dataclass(slots=True)
class Step:
    """`source` may assume `target`: through `grant` (at `token`), admitted by `principal` of `trust`."""

    source: Identity
    target: Identity
    grant: Grant
    token: Value | Span
    trust: Grant
    principal: Value
    unsure: str = ""  # why the step may be another account's identity of the same name, when it may


def arn_name(text: str) -> tuple[str, str] | None:
    """("role", "ci") for `arn:aws:iam::123456789012:role/path/ci`; None for anything else."""
    parts = arn_parts(text)
    if len(parts) != 6 or parts[2] != "iam" or "/" not in parts[5]:
        return None
    kind, _, rest = parts[5].partition("/")
    return (kind, rest.rsplit("/", 1)[-1]) if kind in ("role", "user", "group") else None


def reference_key(text: str, context_key: str) -> str | None:
    """The key of the identity a reference names, written next to an identity or policy keyed
    `context_key`: `aws_iam_role.ci.arn` in the same Terraform module instance, or
    `Fn::GetAtt Ci.Arn` / `Ref Ci` in the same CloudFormation template."""
    if text.startswith(("Fn::GetAtt ", "Ref ")) and "#" in context_key:
        logical = text.split(" ", 1)[1].split(".", 1)[0]
        return f"{context_key.split('#', 1)[0]}#{logical}"
    parts = text.split(".")
    if len(parts) < 3 or parts[0] not in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
        return None
    base, at, instance = context_key.partition("@")
    directory = base.rsplit("/", 1)[0] + "/" if "/" in base else ""
    return f"{directory}{parts[0]}.{parts[1]}{at}{instance}"


def scope(key: str) -> str:
    """The Terraform module instance or CloudFormation template of an identity key: one account, as
    far as a scan knows. A key without a folder belongs to the root module of the working directory."""
    if "#" in key:
        return key.split("#", 1)[0]
    base, _, instance = key.partition("@")
    return (base.rsplit("/", 1)[0] if "/" in base else "") + "@" + instance


class _Accounts:
    """The account of each declared AWS identity, where its own deployment writes it: an ARN of the
    identity (`arn:aws:iam::123456789012:role/ci`) in a trust principal of another role of the same
    deployment or a resource of a policy another identity there holds (never in its own statements:
    a role may name its namesake in another account); failing that, the one account the
    deployment's other identities are known to be in. Conflicting accounts are no knowledge."""

    __slots__ = ("declared", "deployment", "own")

    def __init__(self, graph: Graph) -> None:
        self.declared = {(scope(i.key), i.kind, i.name): i.key for i in graph.identities if i.platform == "aws" and i.span}
        seen: dict[tuple[str, str, str], set[str]] = {}
        for identity in graph.identities:
            if identity.platform == "aws" and identity.trust is not None:
                for grant in identity.trust.grants:
                    self._note(seen, identity.key, grant.principals)
        for binding in graph.bindings:
            if binding.identity.platform == "aws" and binding.policy.kind != "aws-managed":
                for grant in binding.policy.grants:
                    self._note(seen, binding.identity.key, grant.resources)
        self.own = {key: next(iter(found)) for key, found in seen.items() if len(found) == 1}
        by_scope: dict[str, set[str]] = {}
        for (where, _, _), found in seen.items():
            by_scope.setdefault(where, set()).update(found)
        self.deployment = {where: next(iter(found)) for where, found in by_scope.items() if len(found) == 1}

    def _note(self, seen: dict[tuple[str, str, str], set[str]], writer: str, values: list[Value]) -> None:
        """The accounts of the ARNs in `values`, written in the statements of the identity keyed `writer`."""
        where = scope(writer)
        for value in values:
            arn = (value.text or "").removeprefix("AWS:")
            name = arn_name(arn)
            account = written_account(arn, where)
            if name is None or account is None or not account.isdigit():
                continue
            named = self.declared.get((where, *name))
            if named is not None and named != writer:
                seen.setdefault((where, *name), set()).add(account)

    def literal(self, identity: Identity) -> str | None:
        where = scope(identity.key)
        if (where, identity.kind, identity.name) in self.own:
            return self.own[(where, identity.kind, identity.name)]
        return self.deployment.get(where) if (where, identity.kind, identity.name) in self.declared else None

    def same(self, account: str | None, identity: Identity) -> bool | None:
        """Whether an ARN's account (`written_account`) is `identity`'s: None when it cannot be told."""
        if account == "*":
            return True
        if account is None:
            return None
        if account.startswith("@") and account[1:] == scope(identity.key):
            return True
        written = self.deployment.get(account[1:]) if account.startswith("@") else account
        held = self.literal(identity)
        return None if written is None or held is None else written == held


def written_account(arn: str, where: str) -> str | None:
    """The account an ARN names: twelve digits, `*`, `@<deployment>` for the account of deployment
    `where` (`${data.aws_caller_identity...}`, `${AWS::AccountId}`); None when it is not known."""
    parts = arn_parts(arn)
    if len(parts) != 6:
        return None
    account = parts[4]
    if _ACCOUNT_ID.match(account) or account == "*":
        return account
    return "@" + where if account == "${}" and own_account(arn) else None


_ACCOUNT_ID = re.compile(r"^\d{12}$")


def root_account(text: str) -> str | None:
    """The account a principal names as a whole: `arn:aws:iam::123456789012:root` or a bare account id."""
    if _ACCOUNT_ID.match(text):
        return text
    parts = arn_parts(text)
    if len(parts) == 6 and parts[2] in ("iam", "sts") and parts[5] == "root" and _ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


class _TrustIndex:
    """Every Allow sts:AssumeRole trust principal of the scan, filed under what it admits."""

    __slots__ = ("accounts", "by_account", "by_key", "by_name", "by_scope", "everyone")

    def __init__(self, graph: Graph, accounts: _Accounts) -> None:
        self.accounts = accounts
        self.everyone: list[tuple[int, Identity, Grant, Value]] = []
        self.by_scope: dict[str, list[tuple[int, Identity, Grant, Value]]] = {}
        self.by_account: dict[str, list[tuple[int, Identity, Grant, Value]]] = {}
        self.by_name: dict[tuple[str, str], list[tuple[int, Identity, Grant, Value]]] = {}
        self.by_key: dict[str, list[tuple[int, Identity, Grant, Value]]] = {}
        for target in graph.identities:
            if target.platform != "aws" or target.trust is None:
                continue
            order = 0
            for trust in target.trust.grants:
                if trust.effect != "Allow" or trust.not_principals or not _assumes_role(trust):
                    continue
                for principal in trust.principals:
                    self._file((order, target, trust, principal))
                    order += 1

    def _file(self, item: tuple[int, Identity, Grant, Value]) -> None:
        _, target, _, principal = item
        text = principal.text
        if text is None:
            written = principal.unresolved.split(":", 1)[1] if principal.unresolved.startswith("AWS:") else ""
            key = reference_key(written, target.key) if written else None
            if key is not None:
                self.by_key.setdefault(key, []).append(item)
        elif text in ("*", "AWS:*"):
            self.everyone.append(item)
        elif text.startswith("AWS:"):
            arn = text[4:]
            if own_account_root(arn):
                self.by_scope.setdefault(scope(target.key), []).append(item)
            elif root_account(arn) is not None:  # an account's root: the identities known to be in it
                self.by_account.setdefault(root_account(arn) or "", []).append(item)
            else:
                name = arn_name(arn)
                if name is not None:
                    self.by_name.setdefault(name, []).append(item)

    def admitting(self, source: Identity) -> list[tuple[Identity, Grant, Value, str]]:
        """(role, trust statement, principal, doubt) for each role that admits `source`: its first
        such principal. A principal naming `source` by an ARN of another account admits nothing;
        one whose account cannot be compared admits it, with the doubt in words."""
        account = self.accounts.literal(source)
        by_name = []
        for item in self.by_name.get((source.kind, source.name), []):
            arn = (item[3].text or "")[4:]
            same = self.accounts.same(written_account(arn, scope(item[1].key)), source)
            if same is not False:
                by_name.append((item, "" if same else _doubt(source, arn)))
        found = (
            [(item, "") for item in self.everyone + self.by_scope.get(scope(source.key), []) + self.by_key.get(source.key, [])]
            + [(item, "") for item in (self.by_account.get(account, []) if account else [])]
            + by_name
        )
        first: dict[int, tuple[tuple[int, Identity, Grant, Value], str]] = {}
        for item, doubt in found:
            role = id(item[1])
            if item[1] is not source and (
                role not in first or (bool(doubt), item[0]) < (bool(first[role][1]), first[role][0][0])
            ):
                first[role] = (item, doubt)  # a principal sure to be `source` first, then the first written
        return [(role, trust, principal, doubt) for (_, role, trust, principal), doubt in first.values()]


def _doubt(source: Identity, arn: str) -> str:
    account = arn_parts(arn)[4]
    if _ACCOUNT_ID.match(account):
        return f"{source.label} is named by ARN in account {account}, which the scan cannot tell is its own"
    return f"{source.label} is named by an ARN whose account the scan cannot resolve"


def assume_edges(graph: Graph) -> dict[int, list[Step]]:
    """Every source -> role edge of the scan, by id of the source (computed once per graph)."""
    memo = graph.memo.setdefault("assume-edges", {})
    if 0 not in memo:
        memo[0] = _build(graph)
    return memo[0]  # type: ignore[return-value]


def known_account(graph: Graph, identity: Identity) -> str | None:
    """The literal account the scan knows `identity` to be in (`_Accounts`), or None."""
    return _accounts(graph).literal(identity)


def _accounts(graph: Graph) -> _Accounts:
    memo = graph.memo.setdefault("accounts", {})
    if 0 not in memo:
        memo[0] = _Accounts(graph)
    return memo[0]  # type: ignore[return-value]


def _build(graph: Graph) -> dict[int, list[Step]]:
    accounts = _accounts(graph)
    index = _TrustIndex(graph, accounts)
    position = {id(identity): number for number, identity in enumerate(graph.identities)}
    out: dict[int, list[Step]] = {}
    tokens: dict[int, Value | Span | None] = {}  # id(grant) -> its sts:AssumeRole token, asked once per statement
    # Effective AWS action sets hold the catalogue's spellings (`Action.full`), never lowered.
    assume_role = aws_actions.spelling("sts:AssumeRole") or "sts:AssumeRole"
    for source in graph.identities:
        if source.platform != "aws" or not graph.bindings_of(source):
            continue
        if assume_role not in effective(graph, source).actions:
            continue
        for target, trust, principal, doubt in sorted(index.admitting(source), key=lambda item: position[id(item[0])]):
            granted = _grant(graph, source, target, accounts, tokens)
            if granted is not None:
                step = Step(source, target, granted[0], granted[1], trust, principal, doubt)
                out.setdefault(id(source), []).append(step)
    return out


def _grant(
    graph: Graph, source: Identity, target: Identity, accounts: _Accounts, tokens: dict[int, Value | Span | None]
) -> tuple[Grant, Value | Span] | None:
    """The first statement of `source` that allows sts:AssumeRole on `target`, and its action token."""
    for binding in graph.bindings_of(source):
        for grant in binding.policy.grants:
            if grant.effect != "Allow" or grant.unresolved:
                continue
            if id(grant) not in tokens:
                tokens[id(grant)] = grant.granting_token("sts:assumerole")
            token = tokens[id(grant)]
            if token is not None and (
                grant.not_resources or any(_reaches(v, binding, target, accounts) for v in grant.resources)
            ):
                return grant, token
    return None


def _assumes_role(grant: Grant) -> bool:
    texts = [v.text.lower() for v in grant.actions if v.text is not None]
    return not grant.not_actions and any(matches("sts:assumerole", t) for t in texts)


def _reaches(value: Value, binding: Binding, target: Identity, accounts: _Accounts) -> bool:
    """Whether a resource of an sts:AssumeRole grant (of `binding`'s policy) covers role `target`:
    not when its account is known to be another than the role's."""
    if value.text is None:
        return reference_key(value.unresolved, binding.policy.key) == target.key
    if value.text == "*":
        return True
    parts = arn_parts(value.text)
    if len(parts) != 6 or parts[2] != "iam":
        return False
    kind, _, rest = parts[5].partition("/")
    if not (matches("role", kind) and matches(target.name, rest.rsplit("/", 1)[-1])):
        return False
    if "*" in parts[4]:
        return True
    return accounts.same(written_account(value.text, scope(binding.identity.key)), target) is not False


def own_account(text: str) -> bool:
    """The ARN names the scanned template's own account (written `${data.aws_caller_identity...}`,
    `${AWS::AccountId}`), not another one."""
    return any(marker in text for marker in CURRENT_ACCOUNT)


def own_account_root(arn: str) -> bool:
    return arn.endswith(":root") and own_account(arn)


# A CloudFormation trust principal whose account is a template parameter: `!Sub ...${Param}:root`
# (rendered with a placeholder) or `!Ref Param` (unresolved).
PARAMETER_ROOT = re.compile(r"^AWS:(?:arn:aws[a-z-]*:iam::\$\{(?P<sub>[A-Za-z0-9]+)\}:root|Ref (?P<ref>[A-Za-z0-9]+))$")


def account_parameter(value: Value) -> str | None:
    """The parameter that gives a trust principal's account, when it is written that way."""
    if not (value.partial or value.text is None):
        return None
    found = PARAMETER_ROOT.match(value.text or value.unresolved)
    return (found.group("sub") or found.group("ref")) if found is not None else None
