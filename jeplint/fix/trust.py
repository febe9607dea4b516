"""GitHub Actions OIDC trust (JEP404) whose `sub` condition admits every repository, or every
repository of an owner: pinned to the repository the same file names, as `repo:OWNER/NAME:*`.

The repository is known when the file names exactly one: the default of a Terraform variable or
the value of a local whose name mentions "repo" (`"acme/deploy"`), or CloudFormation parameters
(a `...Repo...` default `acme/deploy`, or an owner/organisation parameter and a repository one).
Only a `StringLike` condition is rewritten (the pattern keeps its `*` for branches and
environments), and only a literal written once in the statement. A statement with no `sub`
condition at all gets one (`trust_sub`). Everything else: a suggestion.
"""

from __future__ import annotations

import re

from jeplint.edits import Edit, Fix
from jeplint.fix import text as textedit
from jeplint.fix import trust_sub
from jeplint.fix.attach import Context, Outcome
from jeplint.graph.model import Grant
from jeplint.parse import TERRAFORM, parse_text
from jeplint.parse.nodes import Block, Mapping, Node, Scalar, Span
from jeplint.rules.base import Finding

GITHUB = "token.actions.githubusercontent.com"
REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
NAME = re.compile(r"[A-Za-z0-9._-]+")
ADVICE = f'pin {GITHUB}:sub to one repository, for example "repo:OWNER/NAME:ref:refs/heads/main"'


def _grant(finding: Finding, context: Context) -> Grant | None:
    trusts = [i.trust for i in context.graph.identities if i.trust is not None]
    for policy in [*trusts, *context.graph.policies]:
        for grant in policy.grants:
            for value in grant.principals:
                if value.span == finding.span and GITHUB in (value.text or ""):
                    return grant
    return None


def _sub_patterns(grant: Grant) -> list[str] | None:
    """The `sub` values under StringLike operators; None when a `sub` is under another operator."""
    found: list[str] = []
    for condition in grant.conditions:
        if condition.key.lower() == f"{GITHUB}:sub":
            if condition.base != "StringLike":
                return None
            found += [v for v in condition.values if isinstance(v, str)]
    return found


def _scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None


def _terraform_names(documents: list[Node]) -> set[str]:
    names = set()
    for block in documents:
        if not isinstance(block, Block):
            continue
        if block.type == "variable" and block.labels and "repo" in str(block.labels[0].value).lower():
            names.add(_scalar(block.attrs.get("default")) or "")
        if block.type == "locals":
            names |= {_scalar(v) or "" for k, v in block.attrs.items() if "repo" in k.lower()}
    return {n for n in names if REPOSITORY.fullmatch(n)}


def _cloudformation_names(documents: list[Node]) -> set[str]:
    parameters = documents[0].get("Parameters") if documents and isinstance(documents[0], Mapping) else None
    if not isinstance(parameters, Mapping):
        return set()
    defaults = {k.lower(): _scalar(v.get("Default")) for k, v in parameters.items.items() if isinstance(v, Mapping)}
    full = {v for k, v in defaults.items() if "repo" in k and v and REPOSITORY.fullmatch(v)}
    owners = {v for k, v in defaults.items() if ("org" in k or "owner" in k) and v and NAME.fullmatch(v)}
    names = {v for k, v in defaults.items() if "repo" in k and v and NAME.fullmatch(v)}
    if len(owners) == 1 and len(names) == 1:
        full.add(f"{next(iter(owners))}/{next(iter(names))}")
    return full


def named_repository(text: str, path: str) -> str | None:
    parsed = parse_text(text, path, path)
    if parsed.error is not None:
        return None
    found = _terraform_names(parsed.documents) if parsed.kind == TERRAFORM else _cloudformation_names(parsed.documents)
    return next(iter(found)) if len(found) == 1 else None


def _too_wide(pattern: str, owner: str) -> bool:
    repo = pattern.split(":", 2)[1] if pattern.startswith("repo:") else pattern
    if repo.startswith("*") or repo == "":
        return True
    return repo.split("/", 1)[0] == owner and repo.split("/", 1)[-1].startswith("*")


_BETWEEN = re.compile(r"""["']?\s*[:=]\s*(?:(?:[\[,-])\s*|"[^"\n]*"\s*|'[^'\n]*'\s*)*""")


def _value_of_sub(text: str, where: Span) -> bool:
    """Whether the literal at `where` is (an item of) the value of the `...:sub` key written before it."""
    at = textedit.offset(text, where.line, where.col)
    key = text.rfind(f"{GITHUB}:sub", 0, at)
    return key >= 0 and bool(_BETWEEN.fullmatch(text[key + len(GITHUB) + 4 : at]))


def fix(finding: Finding, context: Context) -> Outcome:
    grant = _grant(finding, context)
    if grant is None:
        return None
    patterns = _sub_patterns(grant)
    text = context.text(grant.span.path)
    if patterns is None or text is None or any(c.unknown for c in grant.conditions):
        return ADVICE
    repository = named_repository(text, grant.span.path)
    if repository is None:
        return ADVICE + " (no single repository is named in this file)"
    pinned = f"repo:{repository}:*"
    if not patterns:
        added = trust_sub.insertion(text, grant, repository)
        if added is None:
            return f"{ADVICE}: add a StringLike condition {GITHUB}:sub = {pinned}"
        return Fix(f'Add the GitHub OIDC sub condition "{pinned}", the repository this file names', (added,))
    edits = []
    for pattern in sorted(set(patterns)):
        if not _too_wide(pattern, repository.split("/", 1)[0]):
            continue
        where = textedit.find_literal(text, grant.span, pattern)
        if where is None or not _value_of_sub(text, where):
            return f"{ADVICE}: {pinned}"
        edits.append(Edit(where.path, where.line, where.col, where.end_line, where.end_col, f'"{pinned}"'))
    if not edits:
        return f"{ADVICE}: {pinned}"
    return Fix(f'Pin the GitHub OIDC sub to "{pinned}", the repository this file names', tuple(edits))
