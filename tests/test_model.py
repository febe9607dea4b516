"""The typed permission model: IAM glob semantics, typed conditions, typed credentials, a frozen graph."""

from __future__ import annotations

import fnmatch
import time
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jeplint.graph.build import build_graph
from jeplint.graph.conditions import UNKNOWN, Condition, from_document, guards, scoping, values_for
from jeplint.graph.model import FrozenGraphError, GitHubSecretSource, PimAssignment
from jeplint.iamglob import action_matches, matches
from jeplint.parse import parse_file

# -- IAM glob -------------------------------------------------------------------------------------


@given(st.text("ab*?", max_size=8), st.text("ab", max_size=10))
def test_glob_agrees_with_fnmatch_where_fnmatch_has_iam_semantics(pattern: str, text: str) -> None:
    assert matches(text, pattern) == fnmatch.fnmatchcase(text, pattern)


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("[x]", "[x]", True),  # brackets are literal in IAM, a character class in fnmatch
        ("x", "[x]", False),
        ("arn:aws:s3:::b[1]/k", "arn:aws:s3:::b[1]/*", True),
        ("s3:GetObject", "s3:Get*", True),
        ("s3:getobject", "s3:Get*", False),  # case-sensitive unless asked
        ("", "*", True),
        ("ab", "a?", True),
        ("abc", "a?", False),
    ],
)
def test_glob_semantics(text: str, pattern: str, expected: bool) -> None:
    assert matches(text, pattern) is expected


def test_action_matching_ignores_case() -> None:
    assert action_matches("sts:AssumeRole", "STS:assume*")
    assert not action_matches("sts:AssumeRole", "sts:Get*")


def test_glob_does_not_backtrack() -> None:
    started = time.perf_counter()
    assert not matches("a" * 5000, "*a" * 60 + "b")
    assert time.perf_counter() - started < 0.5


# -- conditions -----------------------------------------------------------------------------------


def test_condition_document_becomes_one_fact_per_key() -> None:
    facts = from_document(
        {"StringEquals": {"aws:SourceAccount": ["1", "2"]}, "ForAllValues:StringLike": {"aws:TagKeys": "team-*"}}
    )
    assert facts == (
        Condition("StringEquals", "aws:SourceAccount", ("1", "2")),
        Condition("ForAllValues:StringLike", "aws:TagKeys", ("team-*",)),
    )
    assert facts[1].qualifier == "ForAllValues" and facts[1].base == "StringLike"
    assert Condition("DateLessThanIfExists", "aws:CurrentTime").if_exists
    assert from_document("${var.c}") == (Condition(UNKNOWN, "${var.c}"),)


def test_scoping_and_guards() -> None:
    facts = from_document(
        {
            "StringEquals": {"aws:SourceArn": "arn:x", "sts:ExternalId": ""},
            "ForAllValues:StringEquals": {"aws:PrincipalTag/team": "a"},
            "Bool": {"aws:MultiFactorAuthPresent": "false"},
        }
    )
    assert scoping(facts) == ["aws:SourceArn", "sts:ExternalId"]  # ForAllValues holds vacuously
    assert guards(facts) == ["aws:PrincipalTag/team"]  # an empty external id and MFA "false" guard nothing
    assert values_for(facts, "sourcearn") == ["arn:x"]
    assert values_for(facts, "aws:userid") is None


# -- credentials and the frozen graph -------------------------------------------------------------

_TF = """
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
}
resource "aws_iam_access_key" "k" { user = "someone" }
resource "github_actions_secret" "s" {
  repository      = "r"
  secret_name     = "AWS_SECRET_ACCESS_KEY"
  plaintext_value = aws_iam_access_key.k.secret
}
resource "azuread_service_principal" "sp" { client_id = "x" }
resource "azurerm_pim_active_role_assignment" "p" {
  scope              = "/subscriptions/1"
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
  principal_id       = azuread_service_principal.sp.object_id
}
"""


def _graph(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "main.tf"
    path.write_text(text, encoding="utf-8")
    return build_graph([parse_file(str(path), str(path))], [str(tmp_path)])


def test_credentials_carry_typed_facts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    graph = _graph(tmp_path, _TF)
    by_kind = {c.kind: c for c in graph.credentials}
    secret = by_kind["github-secret"]
    assert secret.family == "never"
    assert secret.detail == GitHubSecretSource("aws", "aws_iam_access_key.k")
    assert secret.address == "github_actions_secret.s"
    pim = by_kind["azure-pim-assignment"]
    assert pim.family == "grant"
    assert pim.detail == PimAssignment(role="Owner", scope="/subscriptions/1", eligible=False, bounded=False)
    assert by_kind["aws-access-key"].owner == "user someone (not declared in the scan)"
    assert by_kind["aws-access-key"].rotation is None


def test_graph_is_frozen_once_built(tmp_path) -> None:  # type: ignore[no-untyped-def]
    graph = _graph(tmp_path, _TF)
    assert graph.frozen
    with pytest.raises(FrozenGraphError):
        graph.bindings.append(graph.bindings[0] if graph.bindings else None)  # type: ignore[arg-type]
    with pytest.raises(FrozenGraphError):
        graph.identities.extend([])
    with pytest.raises(FrozenGraphError):
        del graph.credentials[0]
    assert len(graph.identities) >= 2  # reading works as before


def test_lifetime_length() -> None:
    from datetime import datetime, timezone

    from jeplint.graph.lifetimes import Lifetime
    from jeplint.span import Span

    span = Span("f", 1, 1, 1, 2)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert Lifetime(span, "x", duration=timedelta(days=3)).length(now) == timedelta(days=3)
    assert Lifetime(span, "x", never=True).length(now) is None
    assert Lifetime(span, "x", ends=datetime(2026, 1, 2, tzinfo=timezone.utc)).length(now) == timedelta(days=1)
