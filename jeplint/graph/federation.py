"""Federation trust: who outside the cloud may sign in as an identity, one model for every platform.

A `Federation` is one typed fact: an identity (an AWS role, a GCP workload identity pool, an Azure
identity) accepts tokens of an OIDC `issuer`, provided the token's claims satisfy `claims` (all of
them; each `Claim` lists alternatives, any one of which suffices). `judge` turns that into a
`verdict`, narrowest first:

- "branch": one repository (project, workspace, ServiceAccount) and a branch, environment or other
  context of it;
- "repository": one repository, any branch;
- "organisation": every repository of one owner (organisation, group, workspace, namespace);
- "nothing": anyone the issuer vouches for (every repository on GitHub, every ServiceAccount of the
  cluster);
- "unknown": a constraint jeplint could not read, or an issuer whose claims it does not know.

and `who`, the words that say exactly who can assume the identity. Issuer conventions known:
GitHub Actions (`token.actions.githubusercontent.com`, and the per-enterprise form
`token.actions.githubusercontent.com/<slug>`, which pins the enterprise), GitLab (gitlab.com and
self-hosted instances), Terraform Cloud (`app.terraform.io`), Kubernetes (EKS and GKE cluster
issuers: `system:serviceaccount:<ns>:<name>`) and Bitbucket Pipelines (per-workspace issuer,
`{repositoryUuid}:{stepUuid}` subjects).

Operators: "equals" (exact; a `*` in it is a literal character, so `repo:acme/*` with CEL `==`
admits no repository at all), "like" (AWS `StringLike` globs: `*` and `?`), "prefix" (CEL
`startsWith`). The extractors (`federation_aws.py`, `tf_gcp_federation.py`,
`tf_azure_federation.py`) build the facts; JEP404 reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jeplint.graph.model import Grant, Identity
from jeplint.parse.nodes import Span

ORDER = ("branch", "repository", "organisation", "nothing")


@dataclass(frozen=True, slots=True)
class Claim:
    claim: str  # token claim: "sub", "aud", "repository", "repository_owner", "project_path", ...
    operator: str  # equals | like | prefix
    values: tuple[str, ...]  # alternatives; any one suffices


@dataclass(frozen=True, slots=True)
class Issuer:
    url: str  # as written, without the scheme
    provider: str  # github | gitlab | terraform-cloud | kubernetes | bitbucket | other
    name: str  # for messages: "GitHub Actions", "GitLab (gitlab.example.com)", "EKS cluster ..."
    shared: bool  # one issuer for everyone (github.com, gitlab.com, app.terraform.io): "nothing" admits strangers
    owner: str = ""  # what the issuer itself pins (a GitHub enterprise, a Bitbucket workspace)
    realm: str = ""  # where "any repository" lives: "GitHub", "EKS cluster 0A1B", ...


@dataclass(frozen=True, slots=True)
class Federation:
    platform: str  # aws | gcp | azure
    subject: str  # what is assumed, for messages: "role deploy", "workload identity pool ci, provider github"
    identity: Identity | None  # None for a trust document attached to no role
    issuer: Issuer
    claims: tuple[Claim, ...]
    audiences: tuple[str, ...] | None  # accepted audiences, None when the trust does not check them
    verdict: str
    who: str
    span: Span  # where a finding points
    grant: Grant | None = None  # the trust statement / provider it comes from
    related: tuple[tuple[Span, str], ...] = field(default_factory=tuple)


_NOUNS = {  # provider -> (runner, unit, owner unit)
    "github": ("workflow", "repository", "owner"),
    "gitlab": ("pipeline", "project", "group"),
    "terraform-cloud": ("run", "workspace", "organization"),
    "kubernetes": ("pod", "serviceaccount", "namespace"),
    "bitbucket": ("pipeline", "repository", "workspace"),
}
# provider -> (claims that pin the unit, claims that pin its owner, claims that pin a context of it)
KEYS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "github": (
        frozenset({"repo", "repository", "repository_id"}),
        frozenset({"repository_owner", "repository_owner_id", "enterprise"}),
        frozenset({"ref", "environment", "job_workflow_ref", "workflow_ref", "pull_request", "context", "head_ref", "base_ref"}),
    ),
    "gitlab": (
        frozenset({"project_path", "project_id"}),
        frozenset({"namespace_path", "namespace_id"}),
        frozenset({"ref", "environment", "ref_path", "ci_config_ref_uri"}),
    ),
    "terraform-cloud": (
        frozenset({"workspace", "terraform_workspace_name", "terraform_workspace_id"}),
        frozenset({"organization", "terraform_organization_name", "terraform_organization_id"}),
        frozenset({"run_phase", "terraform_run_phase"}),
    ),
    "kubernetes": (frozenset({"serviceaccount"}), frozenset({"namespace"}), frozenset()),
    "bitbucket": (
        frozenset({"repositoryUuid"}),
        frozenset({"workspaceUuid"}),
        frozenset({"deploymentEnvironmentUuid", "branchName", "stepUuid"}),
    ),
}
_ANY_CONTEXT = {
    "github": " (any branch, environment or pull request)",
    "gitlab": " (any branch or environment)",
    "bitbucket": " (any branch or deployment)",
    "terraform-cloud": " (plan and apply)",
}
NEEDS_OWNER = {"terraform-cloud", "kubernetes"}  # a workspace / ServiceAccount name is unique only inside its owner
STANDALONE = {"pull_request"}  # GitHub subject parts without a value
GITHUB = "token.actions.githubusercontent.com"


def issuer_of(url: str) -> Issuer:
    """The conventions of an OIDC issuer URL (scheme and trailing slash ignored)."""
    text = re.sub(r"^https?://", "", url.strip()).rstrip("/")
    lowered = text.lower()
    if lowered == GITHUB:
        return Issuer(text, "github", "GitHub Actions", True, realm="GitHub")
    if lowered.startswith(GITHUB + "/"):
        slug = text.split("/", 1)[1]
        return Issuer(text, "github", f"GitHub Actions of enterprise {slug}", False, slug, f"GitHub enterprise {slug}")
    if lowered == "app.terraform.io":
        return Issuer(text, "terraform-cloud", "Terraform Cloud", True, realm="Terraform Cloud")
    if lowered.startswith("oidc.eks.") or "container.googleapis.com/v1/projects/" in lowered:
        kind = "EKS" if lowered.startswith("oidc.eks.") else "GKE"
        cluster = f"{kind} cluster {text.rsplit('/', 1)[-1]}"
        return Issuer(text, "kubernetes", cluster, False, realm=cluster)
    workspace = re.match(r"api\.bitbucket\.org/2\.0/workspaces/([^/]+)/pipelines-config/identity/oidc", text)
    if workspace:
        name = workspace.group(1)
        return Issuer(text, "bitbucket", f"Bitbucket Pipelines of workspace {name}", False, name, f"Bitbucket workspace {name}")
    if lowered == "gitlab.com":
        return Issuer(text, "gitlab", "GitLab", True, realm="GitLab")
    if "gitlab" in lowered:
        return Issuer(text, "gitlab", f"GitLab instance {text}", False, realm=f"GitLab instance {text}")
    return Issuer(text, "other", text or "an unknown issuer", False, realm=text)


@dataclass(slots=True)
class _Pins:
    unit: str = ""  # the repository / project / workspace / ServiceAccount pinned
    owner: str = ""  # the owner pinned
    starts: str = ""  # the unit's name prefix, when only that is pinned
    context: list[str] = field(default_factory=list)
    loose: str = ""  # why nothing is pinned (a prefix of an owner's name, a context alone)


def judge(issuer: Issuer, claims: tuple[Claim, ...] | list[Claim]) -> tuple[str, str]:
    """(verdict, who) for tokens of `issuer` that must satisfy every claim constraint."""
    if issuer.provider == "other":
        return "unknown", f"tokens of {issuer.name}"
    pins = _Pins(owner=issuer.owner)
    for claim in claims:
        if claim.claim in ("aud", "azp", "amr", "iss"):
            continue
        pins = _merge(pins, _worst(issuer, claim))
    return _verdict(issuer, pins)


def _worst(issuer: Issuer, claim: Claim) -> _Pins:
    """The broadest of a claim's alternatives (any one of them lets a token in)."""
    worst: _Pins | None = None
    for value in claim.values:
        pins = _pins(issuer, claim.claim, claim.operator, value)
        if worst is None or ORDER.index(_verdict(issuer, pins)[0]) > ORDER.index(_verdict(issuer, worst)[0]):
            worst = pins
    return worst or _Pins()


def _merge(a: _Pins, b: _Pins) -> _Pins:
    return _Pins(
        a.unit or b.unit,
        a.owner or b.owner,
        a.starts or b.starts,
        a.context + b.context,
        a.loose or b.loose,
    )


def _pins(issuer: Issuer, claim: str, operator: str, value: str) -> _Pins:
    """What one allowed value of one claim pins."""
    if operator == "like":
        cut = min([i for i in (value.find("*"), value.find("?")) if i >= 0], default=-1)
        literal, exact = (value, True) if cut < 0 else (value[:cut], False)
    else:
        literal, exact = value, operator == "equals"
    if claim == "sub":
        complete, partial = _subject(issuer.provider, literal, exact)
    else:
        complete, partial = ([(claim, literal)], None) if exact else ([], (claim, literal))
    units, owners, contexts = KEYS[issuer.provider]
    pins = _Pins()
    for key, text in complete:
        if key in units:
            pins.unit = text
        elif key in owners:
            pins.owner = text
        elif key in contexts:
            pins.context.append(f"{key}:{text}" if text else key)
    if partial is not None:
        key, text = partial
        if key in units and "/" in text and issuer.provider in ("github", "gitlab"):
            pins.owner, pins.starts = text.rsplit("/", 1)
        elif key in contexts:
            pins.context.append(f"{key}:{text}*")
        elif key in units | owners and text:
            noun = _NOUNS[issuer.provider][2]
            pins.loose = f"of any {noun} whose name starts with {text!r} ({text}-evil included)"
    if not (pins.unit or pins.owner) and pins.context and not pins.loose:
        pins.loose = f"whose OIDC subject is customised to emit {', '.join(pins.context)}"
    return pins


def _subject(provider: str, literal: str, exact: bool) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """The `key:value` pairs a subject pins completely, and the one it pins only by prefix."""
    tokens = literal.split(":")
    if provider == "kubernetes":
        if tokens[:2] != ["system", "serviceaccount"]:
            return [], None
        tokens = [t for pair in zip(("namespace", "serviceaccount"), tokens[2:4]) for t in pair]
    elif provider == "bitbucket":
        tokens = [t for pair in zip(("repositoryUuid", "stepUuid"), tokens) for t in pair]
    complete: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        key = tokens[i]
        last = i == len(tokens) - 1
        if last and not exact:
            return complete, None  # the key itself is still being written
        if key in STANDALONE:
            complete.append((key, ""))
            i += 1
            continue
        value = tokens[i + 1] if i + 1 < len(tokens) else ""
        if i + 1 == len(tokens) - 1 and not exact:
            return complete, (key, value)
        complete.append((key, value))
        i += 2
    return complete, None


def _verdict(issuer: Issuer, pins: _Pins) -> tuple[str, str]:
    runner, unit, owner_noun = _NOUNS[issuer.provider]
    where = issuer.realm
    owner = pins.owner
    if pins.unit and (owner or issuer.provider not in NEEDS_OWNER):
        name = f"{owner}/{pins.unit}" if issuer.provider in NEEDS_OWNER else pins.unit
        if pins.context:
            return "branch", f"only {runner}s of {unit} {name} with {' and '.join(pins.context)}"
        return "repository", f"any {runner} of {unit} {name}{_ANY_CONTEXT.get(issuer.provider, '')}"
    if owner:
        starting = f" whose name starts with {pins.starts!r}" if pins.starts else ""
        return "organisation", f"a {runner} of any {unit} of {owner_noun} {owner}{starting}"
    if pins.unit:
        return "nothing", f"a {runner} of a {unit} named {pins.unit} in any {owner_noun} of {where}"
    detail = f" {pins.loose}" if pins.loose else ""
    return "nothing", f"a {runner} of any {unit}{detail} on {where}"
