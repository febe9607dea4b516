"""One finding per root cause (`defers_to` in rule.yaml, applied by the runner), issue 18.

A weaker rule is silent where a stronger one reports the same statement for the same identities,
and only while the stronger rule runs: `--select`/`--ignore` of the stronger rule brings it back.
"""

from __future__ import annotations

from pathlib import Path

from jeplint.rules import RULES
from jeplint.rules.base import catalogue
from jeplint.run import Settings, scan

HERE = Path(__file__).resolve().parent.parent / "testdata" / "deference"


def found(name: str, **settings: tuple[str, ...]) -> list[tuple[int, str]]:
    result = scan([str(HERE / name)], Settings(**settings))  # type: ignore[arg-type]
    assert not result.problems, result.problems
    return sorted((f.span.line, f.rule_id) for f in result.findings)


def test_declared_relations_name_existing_rules() -> None:
    ids = {r.id for r in RULES}
    for meta in catalogue().values():
        assert set(meta.defers_to) <= ids - {meta.id}, meta.id
    assert catalogue()["JEP102"].defers_to == ("JEP101", "JEP105")
    assert catalogue()["JEP204"].defers_to == ("JEP106",)


def test_service_wildcards_defer_to_the_statement_finding() -> None:
    # statement 1 (sqs:*, sns:* on "*") is JEP105's; statement 2 (s3:* on one bucket) stays JEP102's;
    # statement 3 ("*" on "*") is JEP101's alone.
    assert found("aws_statement.tf") == [(16, "JEP105"), (20, "JEP102"), (25, "JEP101")]


def test_weaker_rule_reports_when_the_stronger_is_off() -> None:
    assert found("aws_statement.tf", ignore=("JEP105",)) == [(15, "JEP102"), (15, "JEP102"), (20, "JEP102"), (25, "JEP101")]
    assert found("aws_statement.tf", select=("JEP102",)) == [(15, "JEP102"), (15, "JEP102"), (20, "JEP102")]


def test_gcp_owner_binding_is_never_silenced() -> None:
    assert found("gcp_owner.tf") == [(7, "JEP106")]
    assert found("gcp_owner.tf", select=("JEP204",)) == [(7, "JEP204")]
    assert found("gcp_owner.tf", ignore=("JEP106",)) == [(1, "JEP403"), (7, "JEP204")]


def test_kubernetes_copies_of_one_install_are_one_finding(in_root: Path) -> None:
    result = scan(["testdata/deference/k8s-bundle"])
    (finding,) = result.findings
    assert (finding.rule_id, finding.span.path, finding.span.line) == (
        "JEP104",
        "testdata/deference/k8s-bundle/ha/install.yaml",
        15,
    )
    assert finding.message.startswith("serviceaccount gitops/controller can perform every verb")
    copies = [r for r in finding.related if r.message.startswith("the same in ")]
    assert [(r.span.path, r.span.line) for r in copies] == [("testdata/deference/k8s-bundle/install.yaml", 15)]


def test_one_file_is_never_collapsed_with_itself() -> None:
    # two findings of one rule in one file stay two (the AWS statement fixture has no copies)
    assert [r for _, r in found("aws_statement.tf", ignore=("JEP105",))].count("JEP102") == 3
