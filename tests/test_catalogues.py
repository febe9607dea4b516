"""AWS managed policies from the shipped catalogue: documents, lookups by data source, unknown and
deprecated ARNs, and the lazy load (a scan that attaches no managed policy never opens the data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.graph import aws_managed
from jeplint.run import Settings, scan

ROLE = """
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}
"""


def _attach(arn: str) -> str:
    return f'resource "aws_iam_role_policy_attachment" "x" {{\n  role       = aws_iam_role.app.name\n  policy_arn = {arn}\n}}\n'


def _scan(tmp_path: Path, text: str, select: tuple[str, ...] = ("JEP4",)):
    (tmp_path / "main.tf").write_text(ROLE + text)
    return scan([str(tmp_path)], Settings(select=select))


def _notes(result) -> list[tuple[int, str]]:
    return [(p.line, p.reason) for p in result.problems if p.level == "note"]


def test_a_managed_policy_has_its_published_document(tmp_path: Path) -> None:
    result = _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AWSLambda_FullAccess"'))
    (finding,) = [f for f in result.findings if f.rule_id == "JEP401"]
    assert finding.message.startswith("role app can escalate its privileges: lambda:UpdateFunctionCode (lambda:*) on *")
    assert "AWS managed policy AWSLambda_FullAccess" in finding.message
    assert _notes(result) == []


def test_a_narrow_managed_policy_stays_quiet(tmp_path: Path) -> None:
    result = _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"'))
    assert result.findings == [] and _notes(result) == []


def test_data_aws_iam_policy_by_name_and_by_arn_is_followed(tmp_path: Path) -> None:
    lookups = (
        'data "aws_iam_policy" "admin" {\n  name = "AdministratorAccess"\n}\n'
        'data "aws_iam_policy" "ro" {\n  arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}\n'
    )
    result = _scan(tmp_path, lookups + _attach("data.aws_iam_policy.admin.arn"), ("JEP106",))
    (finding,) = result.findings
    assert finding.message == (
        "role app holds AWS managed policy AdministratorAccess (every action on every resource) "
        "through aws_iam_role_policy_attachment.x"
    )
    assert finding.span.line == 14
    quiet = _scan(tmp_path, lookups + _attach("data.aws_iam_policy.ro.arn"), ("JEP106", "JEP1"))
    assert [f.rule_id for f in quiet.findings] == []
    customer = _scan(tmp_path, 'data "aws_iam_policy" "c" {\n  name = "our-own"\n}\n' + _attach("data.aws_iam_policy.c.arn"))
    # A customer policy outside the scan: no finding, and the unknown attachment is counted (issue 13)
    assert customer.findings == []
    assert _notes(customer) == [(11, "IAM reference not resolved: the policy read by data.aws_iam_policy.c")]


def test_an_unknown_managed_policy_is_a_note_that_names_it(tmp_path: Path) -> None:
    result = _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AmazonS3FulAccess"'))
    assert _notes(result) == [
        (
            8,
            "AWS managed policy arn:aws:iam::aws:policy/AmazonS3FulAccess is not in jeplint's catalogue of 1641 AWS managed "
            "policies (snapshot 2026-08-22): newer than the data or a typo; did you mean AmazonS3FullAccess?; "
            "its permissions are not analysed",
        )
    ]
    moved = _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"'))
    assert [n for _, n in _notes(moved)] == [
        "AWS managed policy arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy is not in jeplint's catalogue of "
        "1641 AWS managed policies (snapshot 2026-08-22): newer than the data or a typo; AWS publishes it as "
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy; its permissions are not analysed"
    ]
    right = _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"'))
    assert _notes(right) == []


def test_a_deprecated_managed_policy_is_reported_as_such(tmp_path: Path) -> None:
    result = _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess"'))
    assert _notes(result) == [
        (
            8,
            "AWS managed policy AWSLambdaReadOnlyAccess is deprecated by AWS: it cannot be attached anew and is no longer updated; move to its successor",
        )
    ]
    assert _notes(_scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess"'))) == []


def test_the_catalogue_is_opened_only_when_a_managed_policy_is_attached(tmp_path: Path) -> None:
    aws_managed.catalogue.cache_clear()
    _scan(tmp_path, 'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.app.id\n  policy = "{}"\n}\n')
    assert aws_managed.catalogue.cache_info().currsize == 0
    _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/AdministratorAccess"'))
    assert aws_managed.catalogue.cache_info().currsize == 0  # hand-written: still not opened
    _scan(tmp_path, _attach('"arn:aws:iam::aws:policy/ReadOnlyAccess"'))
    assert aws_managed.catalogue.cache_info().currsize == 1


def test_service_aliases_of_jep107_name_real_prefixes_and_are_not_prefixes_themselves() -> None:
    """`docdb:` is not a typo of `odb:`: JEP107 names the prefix a service really uses."""
    from jeplint.catalog import aws_actions
    from jeplint.rules.jep107_unknown_action import SERVICE_ALIASES

    for alias, (real, _why) in SERVICE_ALIASES.items():
        assert aws_actions.service(alias) is None, alias
        assert aws_actions.service(real) is not None, real


def test_shipped_data_files_are_found_beside_the_package_or_through_importlib_resources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    from jeplint import datafiles

    beside = datafiles.data_file("escalation.json")
    assert isinstance(beside, Path) and beside.parent.name == "data" and beside.parent.parent.name == "jeplint"
    from importlib import resources

    asked: list[str] = []
    files = resources.files
    monkeypatch.setattr(resources, "files", lambda package: asked.append(package) or files(package))
    monkeypatch.setattr(datafiles, "_HERE", "/nonexistent/jeplint/data")  # as from a zip archive
    through = datafiles.data_file("escalation.json")
    assert asked == ["jeplint"] and through.read_bytes() == beside.read_bytes()
