"""The federation model (graph/federation.py): verdicts per issuer convention, the CEL subset, and
what stays unknown. Rule-level behaviour is pinned by rules/JEP404-open-trust/*-federation.*."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.graph.federation import Claim, issuer_of, judge
from jeplint.graph.federation_cel import parse_condition
from jeplint.run import Settings, scan

GITHUB = issuer_of("https://token.actions.githubusercontent.com")


@pytest.mark.parametrize(
    ("operator", "sub", "verdict"),
    [
        ("equals", "repo:acme/shop:ref:refs/heads/main", "branch"),
        ("equals", "repo:acme/shop:environment:prod", "branch"),
        ("equals", "repo:acme/shop:pull_request", "branch"),
        ("like", "repo:acme/shop:*", "repository"),
        ("like", "repo:acme/sh?p:*", "organisation"),
        ("like", "repo:acme/*", "organisation"),
        ("like", "repo:acme/shop*", "organisation"),
        ("like", "repo:acme*", "nothing"),
        ("like", "repo:*", "nothing"),
        ("like", "*", "nothing"),
        ("equals", "environment:prod", "nothing"),
        ("equals", "ref:refs/heads/main", "nothing"),
        ("like", "job_workflow_ref:acme/ci/.github/workflows/d.yml@*", "nothing"),
        ("equals", "repo:acme/*", "repository"),  # exact: a literal "*" admits no repository at all
        ("equals", "repository_owner:acme:environment:prod", "organisation"),
        ("equals", "repository_id:123456:environment:prod", "branch"),
    ],
)
def test_github_subjects(operator: str, sub: str, verdict: str) -> None:
    assert judge(GITHUB, [Claim("sub", operator, (sub,))])[0] == verdict


def test_the_broadest_alternative_decides_and_claims_narrow_each_other() -> None:
    assert judge(GITHUB, [Claim("sub", "like", ("repo:acme/shop:*", "repo:acme*"))])[0] == "nothing"
    both = [Claim("repository", "equals", ("acme/shop",)), Claim("ref", "equals", ("refs/heads/main",))]
    assert judge(GITHUB, both) == ("branch", "only workflows of repository acme/shop with ref:refs/heads/main")


@pytest.mark.parametrize(
    ("issuer", "sub", "verdict", "who"),
    [
        ("token.actions.githubusercontent.com/acme", None, "organisation", "a workflow of any repository of owner acme"),
        ("https://gitlab.com", "project_path:acme/*", "organisation", "a pipeline of any project of group acme"),
        ("https://gitlab.example.com", None, "nothing", "a pipeline of any project on GitLab instance gitlab.example.com"),
        ("https://app.terraform.io", "organization:acme:project:p:workspace:net:run_phase:apply", "branch", None),
        ("https://app.terraform.io", "*:workspace:net:*", "nothing", None),
        (
            "https://container.googleapis.com/v1/projects/p/locations/europe-west1/clusters/prod",
            "system:serviceaccount:shop:*",
            "organisation",
            "a pod of any serviceaccount of namespace shop",
        ),
        (
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "system:serviceaccount:shop:api",
            "repository",
            "any pod of serviceaccount shop/api",
        ),
        ("https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", None, "organisation", None),
        ("https://accounts.example.net", "anything", "unknown", None),
    ],
)
def test_issuer_conventions(issuer: str, sub: str | None, verdict: str, who: str | None) -> None:
    claims = [Claim("sub", "like", (sub,))] if sub else []
    got = judge(issuer_of(issuer), claims)
    assert got[0] == verdict
    if who is not None:
        assert got[1] == who


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", [[]]),
        ("false", []),
        ("assertion.repository_owner == 'acme'", [[Claim("repository_owner", "equals", ("acme",))]]),
        ('attribute.repo == "acme/shop"', [[Claim("repository", "equals", ("acme/shop",))]]),
        (
            "assertion['ref'] in ['refs/heads/main', 'refs/heads/prod']",
            [[Claim("ref", "equals", ("refs/heads/main", "refs/heads/prod"))]],
        ),
        ("assertion.repository.startsWith('acme/')", [[Claim("repository", "prefix", ("acme/",))]]),
        (
            "(assertion.repository == 'a/b' || assertion.repository == 'a/c') && assertion.ref != 'x'",
            [[Claim("repository", "equals", ("a/b",))], [Claim("repository", "equals", ("a/c",))]],
        ),
        ("assertion.sub.matches('^repo:acme/.*$')", None),  # not a common form: unknown, never guessed
        ("assertion.repository == assertion.actor", None),
        (
            "google.subject == 'repo:acme/shop:ref:refs/heads/main'",
            [[Claim("sub", "equals", ("repo:acme/shop:ref:refs/heads/main",))]],
        ),
    ],
)
def test_cel_common_forms(text: str, expected: list | None) -> None:
    mapping = {"attribute.repo": "assertion.repository", "google.subject": "assertion.sub"}
    assert parse_condition(text, mapping) == expected


def test_an_unresolved_subject_is_never_guessed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "repo" {}\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{\n'
        '    Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",\n'
        '    Principal = { Federated = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },\n'
        '    Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:${var.repo}:*" } } }] })\n}\n'
    )
    result = scan([str(tmp_path)], Settings(select=("JEP404",)))
    assert result.findings == []
    (fact,) = result.graph.federations
    assert (fact.issuer.provider, fact.verdict) == ("github", "unknown")
    assert [(p.level, p.line, p.reason) for p in result.problems] == [
        ("note", 6, "role r: trust of GitHub Actions OIDC tokens not judged: its condition could not be resolved")
    ]
