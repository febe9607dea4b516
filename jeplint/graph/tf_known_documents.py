"""Policy documents a known registry module writes from its inputs (`tf_known_modules`): statement
objects in the shape of `aws_iam_policy_document` (`actions`, `resources`, `principals = [{type,
identifiers}]`, `condition = [{test, variable, values}]`) as IAM JSON statements, and the trust of
the OIDC roles (GitHub Actions, EKS service accounts) as the modules document it. A part that is
not known stays the unknown node it is: the grant or condition reading it is unresolved, not
guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span

if TYPE_CHECKING:
    from jeplint.graph.tf_known_modules import KnownModule

_FIELDS = (
    ("sid", "Sid"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)
_WEB_IDENTITY = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]
_PROVIDER_ARN = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/"


def mapping(items: dict[str, Node], span: Span) -> Mapping:
    """A mapping made here: each key is said to be written where its value is."""
    return Mapping(items, {k: v.span for k, v in items.items()}, span)


def _null(node: Node | None) -> bool:
    return node is None or (isinstance(node, Scalar) and node.value is None)


def statement(module: KnownModule, node: Node) -> Node:
    """One statement object -> an IAM JSON statement (the node itself when it is not known)."""
    stmt = module.resolve(node)
    if not isinstance(stmt, Mapping):
        return node
    effect = stmt.items.get("effect")
    out: dict[str, Node] = {"Effect": effect if not _null(effect) and effect is not None else Scalar("Allow", stmt.span)}
    for key, target in _FIELDS:
        value = stmt.items.get(key)
        if value is not None and not _null(module.resolve(value)):
            out[target] = value
    for key, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        value = stmt.items.get(key)
        if value is not None and not _null(module.resolve(value)):
            out[target] = _principals(module, value)
    conditions = stmt.items.get("condition") or stmt.items.get("conditions")
    if conditions is not None and not _null(module.resolve(conditions)):
        out["Condition"] = _conditions(module, conditions)
    return mapping(out, stmt.span)


def _principals(module: KnownModule, node: Node) -> Node:
    """`[{type = "AWS", identifiers = [...]}]` -> `{"AWS": [...]}`; unknown: the node."""
    items = module.resolve(node)
    if not isinstance(items, Sequence):
        return node
    found: dict[str, list[Node]] = {}
    for item in items.items:
        entry = module.resolve(item)
        kind = module.resolve(entry.items.get("type", item)) if isinstance(entry, Mapping) else None
        identifiers = module.resolve(entry.items.get("identifiers", item)) if isinstance(entry, Mapping) else None
        if not isinstance(kind, Scalar) or not isinstance(kind.value, str) or identifiers is None:
            return node
        found.setdefault(kind.value, []).extend(identifiers.items if isinstance(identifiers, Sequence) else [identifiers])
    return mapping({k: Sequence(v, node.span) for k, v in found.items()}, node.span)


def _conditions(module: KnownModule, node: Node) -> Node:
    """`[{test, variable, values}]` -> `{test: {variable: values}}`; unknown: the node."""
    items = module.resolve(node)
    if not isinstance(items, Sequence):
        return node
    found: dict[str, dict[str, Node]] = {}
    for item in items.items:
        entry = module.resolve(item)
        if not isinstance(entry, Mapping):
            return node
        test, variable = (module.resolve(entry.items.get(k, item)) for k in ("test", "variable"))
        values = entry.items.get("values")
        if not isinstance(test, Scalar) or not isinstance(variable, Scalar) or values is None:
            return node
        found.setdefault(str(test.value), {})[str(variable.value)] = values
    return mapping({k: mapping(v, node.span) for k, v in found.items()}, node.span)


def federated_trust(module: KnownModule, part: dict[str, Any]) -> list[Node] | None:
    """The trust statements of a GitHub Actions OIDC role (`kind` github) or of an EKS
    service-account role (`kind` irsa), from the inputs the table names."""
    if part["kind"] == "github":
        return _github(module, part)
    if part["kind"] == "irsa":
        return _irsa(module, part)
    raise ValueError(f"unknown trust kind in the module interface table: {part['kind']}")


def _github(module: KnownModule, part: dict[str, Any]) -> list[Node] | None:
    provider = module.value(part["provider_url"])
    if not isinstance(provider, Scalar) or not isinstance(provider.value, str):
        module.unknown(provider or module.literal(None), "the OIDC provider its GitHub trust names")
        return None
    url = provider.value.removeprefix("https://")
    audiences = module.value(part["audiences"])
    if audiences is None or (isinstance(audiences, Sequence) and not audiences.items):
        audiences = module.literal("sts.amazonaws.com")  # what the modules fall back to
    # The statement is said to be written at the subjects it pins, else at the input that turns it on.
    written = [module.call_block.attrs[n] for n in _inputs_of(part) if n in module.call_block.attrs]
    span = written[0].span if written else module.span
    where = provider.span if part["provider_url"]["input"] in module.call_block.attrs else span
    conditions: dict[str, Node] = {
        "ForAllValues:StringEquals": mapping({f"{url}:iss": Scalar(f"https://{url}", span), f"{url}:aud": audiences}, span)
    }
    for key, operator in (("subjects_equal", "StringEquals"), ("subjects_like", "StringLike")):
        subjects = module.input(part[key]) if key in part else None
        if isinstance(subjects, Sequence):
            subjects = Sequence([_repo_subject(module, s) for s in subjects.items], subjects.span)
        if subjects is not None and not (isinstance(subjects, Sequence) and not subjects.items):
            conditions[operator] = mapping({f"{url}:sub": subjects}, subjects.span)
    stmt = {
        "Sid": Scalar("GithubOidcAuth", span),
        "Effect": Scalar("Allow", span),
        "Action": module.literal(_WEB_IDENTITY),
        "Principal": mapping({"Federated": Scalar(_PROVIDER_ARN + url, where)}, where),
        "Condition": mapping(conditions, span),
    }
    return [mapping(stmt, span)]


def _inputs_of(part: dict[str, Any]) -> list[str]:
    """The subjects inputs of a GitHub trust part, then the flags that turn it on."""
    return [part[k] for k in ("subjects_equal", "subjects_like") if k in part] + [w["input"] for w in part.get("when", [])]


def _repo_subject(module: KnownModule, node: Node) -> Node:
    """The module writes each subject as `repo:<subject>` (a leading `repo:` is not doubled)."""
    value = module.resolve(node)
    if isinstance(value, Scalar) and isinstance(value.value, str):
        return Scalar("repo:" + value.value.removeprefix("repo:"), value.span)
    return node


def _irsa(module: KnownModule, part: dict[str, Any]) -> list[Node] | None:
    providers = module.input(part["providers"])
    if providers is None:
        return []
    if not isinstance(providers, Mapping):
        module.unknown(providers, f"who may assume its role ({part['providers']})")
        return None
    test = module.value(part["test"])
    operator = str(test.value) if isinstance(test, Scalar) and isinstance(test.value, str) else None
    if operator is None:
        module.unknown(test or module.literal(None), "the condition operator of its trust")
        return None
    statements: list[Node] = []
    for item in providers.items.values():
        entry = module.resolve(item)
        arn = (
            module.resolve(entry.items["provider_arn"]) if isinstance(entry, Mapping) and "provider_arn" in entry.items else None
        )
        if arn is None or not isinstance(entry, Mapping):
            module.unknown(item, f"the OIDC provider of an entry of {part['providers']}")
            continue
        accounts = module.resolve(entry.items.get("namespace_service_accounts", module.literal([])))
        stmt: dict[str, Node] = {
            "Effect": Scalar("Allow", item.span),
            "Action": Scalar("sts:AssumeRoleWithWebIdentity", item.span),
            "Principal": mapping({"Federated": arn}, item.span),
        }
        url = arn.value.split("oidc-provider/", 1)[1] if isinstance(arn, Scalar) and "oidc-provider/" in str(arn.value) else None
        if url is None or not isinstance(accounts, Sequence):
            stmt["Condition"] = arn if url is None else accounts  # not known: the condition is unresolved
        else:
            subjects = [
                Scalar(f"system:serviceaccount:{a.value}", a.span) if isinstance(a, Scalar) else a for a in accounts.items
            ]
            claims = {f"{url}:sub": Sequence(subjects, accounts.span), f"{url}:aud": Scalar("sts.amazonaws.com", item.span)}
            stmt["Condition"] = mapping({operator: mapping(claims, accounts.span)}, item.span)
        statements.append(mapping(stmt, item.span))
    return statements
