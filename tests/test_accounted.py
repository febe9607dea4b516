"""Issue 19, bullets 1-3: every input accounted for, every rule reference validated, suppressions
and baselines honest. Each test asserts the exit code and the exact message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jeplint.cli import main

ROLE = 'resource "aws_iam_role" "ci" {\n  name               = "ci"\n  assume_role_policy = "{}"\n}\n'
HEREDOC_POLICY = """\
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.ci.id
  policy = <<EOT
{
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
  ]
}
EOT
}
"""
WILDCARD = 'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.ci.id\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n'
FINDING = 'main.tf:7:67: JEP101 role ci can perform every AWS action ("*") on every resource through policy aws_iam_role_policy.p, statement 1'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- 1. inputs accounted for --------------------------------------------------------------------


def test_invalid_heredoc_policy_is_an_error_at_the_fault(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(ROLE + HEREDOC_POLICY)
    code, out, err = _scan(capsys, ".")
    assert code == 2
    assert err == "main.tf:11:3: error: not analysed: the policy document is not valid JSON: expected a JSON value\n"
    assert out == "No findings in 1 file. 1 input could not be analysed (see stderr).\n"


def test_invalid_cloudformation_trust_string_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "stack.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        '      AssumeRolePolicyDocument: \'{"Statement": [{"Effect": "Allow",}]}\'\n'
    )
    code, _, err = _scan(capsys, ".")
    assert code == 2
    assert err.startswith("stack.yaml:5:33: error: not analysed: the policy document is not valid JSON: ")


def test_folder_without_iac_does_not_say_no_findings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "package.json").write_text('{"name": "web"}')
    code, out, err = _scan(capsys, ".")
    assert (code, err) == (0, "")
    assert out == (
        "No IaC files found: nothing was analysed (1 file read, none of them Terraform, CloudFormation,"
        " Kubernetes or an IAM policy).\n"
    )
    (repo / "package.json").unlink()
    assert _scan(capsys, ".") == (0, "No IaC files found: nothing was analysed.\n", "")


def test_summary_counts_files_that_are_not_iac(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(ROLE)
    (repo / "package.json").write_text('{"name": "web"}')
    (repo / "values.yaml").write_text("replicas: 2\n")
    assert _scan(capsys, ".") == (0, "No findings in 1 file (2 other files read, not IaC).\n", "")
    code, out, _ = _scan(capsys, ".", "--format", "json")
    report = json.loads(out)
    assert (report["summary"]["files_not_iac"], report["not_iac"]) == (2, ["package.json", "values.yaml"])


def test_named_file_of_an_unsupported_kind_is_not_analysed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "policy.txt").write_text('{"Statement": []}')
    code, out, err = _scan(capsys, "policy.txt")
    assert code == 2
    assert err == (
        "policy.txt:1:1: error: not analysed: not a kind of file jeplint reads"
        " (.tf, .tf.json, .tfvars, .json, .yaml, .yml, .template)\n"
    )


def test_files_in_formats_jeplint_does_not_read_are_one_note(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "live" / "prod").mkdir(parents=True)
    (repo / "live" / "prod" / "terragrunt.hcl").write_text("terraform {}\n")
    (repo / "main.bicep").write_text("param x string\n")
    (repo / "policy.json.tpl").write_text('{"Statement": ${statements}}\n')
    (repo / "README.md").write_text("# not infrastructure\n")
    assert _scan(capsys, ".") == (
        0,
        "No IaC files found: nothing was analysed.\n",
        ".:1:1: note: not analysed: 3 files in formats jeplint does not read: Bicep 1,"
        " HCL other than Terraform (Terragrunt, Packer, Nomad) 1, templates (such as templatefile() policies) 1\n",
    )


# --- 2. selection validated ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--select", "JEP999", "argument --select: unknown rule 'JEP999'; did you mean JEP405 (transitive-escalation)?"),
        ("--ignore", "JEP1O1", "argument --ignore: unknown rule 'JEP1O1'; did you mean JEP101 (full-wildcard-action)?"),
        ("--select", "JEP5", "argument --select: unknown rule 'JEP5'; did you mean JEP405 (transitive-escalation)?"),
        (
            "--select",
            "service-wildcard",
            "argument --select: unknown rule 'service-wildcard'; did you mean JEP102 (service-wildcard-action)?",
        ),
        ("--select", "CKV_AWS_1", "argument --select: unknown rule 'CKV_AWS_1' (see \"jeplint rules\")"),
    ],
)
def test_unknown_rule_reference_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["scan", option, value, "."])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"jeplint: error: {message}"


def test_lower_case_ids_and_rule_names_select_the_rule(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(ROLE + WILDCARD)
    for value in ("jep101", "full-wildcard-action", "JEP101", "Full-Wildcard-Action"):
        assert _scan(capsys, ".", "--select", value) == (1, FINDING + "\nFound 1 finding (1 error) in 1 file.\n", "")
    assert _scan(capsys, ".", "--ignore", "full-wildcard-action,jep105")[0] == 0


def test_a_selection_that_leaves_no_rule_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(ROLE + WILDCARD)
    assert _scan(capsys, ".", "--select", "JEP1", "--ignore", "jep1") == (
        2,
        "",
        "jeplint: error: no rule left to run: select JEP1, ignore JEP1\n",
    )
    (repo / ".jeplint.toml").write_text('ignore = ["JEP"]\n')
    assert _scan(capsys, ".") == (2, "", "jeplint: error: no rule left to run: select all, ignore JEP\n")


def test_unknown_rule_in_configuration(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".jeplint.toml").write_text('select = ["jep101", "wildcard-resource-writes"]\n')
    code, _, err = _scan(capsys, ".")
    assert code == 2
    assert err == (
        f"jeplint: error: {repo / '.jeplint.toml'}: select: unknown rule 'wildcard-resource-writes';"
        " did you mean JEP105 (wildcard-resource-write)?\n"
    )
    (repo / ".jeplint.toml").write_text('[levels]\nJEP99 = "error"\n')
    code, _, err = _scan(capsys, ".")
    assert code == 2 and err.endswith("levels: unknown rule 'JEP99'; did you mean JEP405 (transitive-escalation)?\n")


def test_rule_names_work_in_configuration_and_suppressions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".jeplint.toml").write_text('select = ["full-wildcard-action"]\n[levels]\nfull-wildcard-action = "warning"\n')
    (repo / "main.tf").write_text(ROLE + WILDCARD)
    code, out, _ = _scan(capsys, ".", "--format", "json")
    assert code == 1 and [f["level"] for f in json.loads(out)["findings"]] == ["warning"]
    (repo / "main.tf").write_text(
        ROLE + WILDCARD.replace("policy =", '# jeplint:ignore=full-wildcard-action reason="ok"\n  policy =')
    )
    said = "jeplint: configuration: .jeplint.toml (only rules JEP101; sets level JEP101 to warning)\n"  # issue 20
    assert _scan(capsys, ".") == (0, "No findings in 1 file; 1 suppressed.\n", said)


def test_unknown_rule_in_a_suppression_names_the_closest(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(ROLE + WILDCARD.replace("policy =", '# jeplint:ignore=JEP110 reason="ok"\n  policy ='))
    code, out, err = _scan(capsys, ".")
    assert code == 2  # an unknown rule is an error, as in --select; it hides nothing: the finding is reported
    assert err == "main.tf:7:5: error: suppression names unknown rule 'JEP110'; did you mean JEP107 (unknown-action)?\n"
    assert out.splitlines() == [
        FINDING.replace(":7:", ":8:"),
        "Found 1 finding (1 error) in 1 file. 1 error in suppressions (see stderr).",
    ]
    code, out, _ = _scan(capsys, ".", "--format", "json")
    report = json.loads(out)
    assert report["summary"]["files_failed"] == 0
    assert [(p["level"], p["line"]) for p in report["problems"]] == [("error", 7)]


# --- 3. suppressions and baselines honest --------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "quoted"),
    [
        ("# jeplint: ignore JEP101", "jeplint: ignore"),
        ("# jeplint:disable=JEP101", "jeplint:disable"),
        ('# JEPLINT:IGNORE=JEP101 reason="x"', "JEPLINT:IGNORE"),
        ("# noqa: JEP101", "noqa: JEP1"),
    ],
)
def test_near_miss_suppression_is_a_warning_and_hides_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], comment: str, quoted: str
) -> None:
    (repo / "main.tf").write_text(ROLE + WILDCARD.replace("policy =", f"{comment}\n  policy ="))
    code, out, err = _scan(capsys, ".")
    assert code == 1
    assert out.splitlines()[0] == FINDING.replace(":7:", ":8:")
    assert err == (
        f'main.tf:7:3: warning: "{quoted}" looks like a suppression but is not one; it hides nothing'
        ' (write jeplint:ignore=JEP101 reason="...")\n'
    )


def test_unused_suppression_reported_when_asked_or_in_ci(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "main.tf").write_text(ROLE.replace('name               = "ci"', 'name = "ci" # jeplint:ignore=JEP101 reason="old"'))
    assert _scan(capsys, ".") == (0, "No findings in 1 file.\n", "")
    expected = "main.tf:2:17: warning: unused suppression of JEP101: it hides no finding\n"
    assert _scan(capsys, ".", "--report-unused-suppressions") == (0, "No findings in 1 file.\n", expected)
    monkeypatch.setenv("CI", "true")
    assert _scan(capsys, ".") == (0, "No findings in 1 file.\n", expected)
    assert _scan(capsys, ".", "--no-report-unused-suppressions") == (0, "No findings in 1 file.\n", "")
    # A suppression of a rule that did not run is not called unused.
    assert _scan(capsys, ".", "--select", "JEP2") == (0, "No findings in 1 file.\n", "")


def test_stale_baseline_entries_listed_and_pruned(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(ROLE + WILDCARD)
    assert _scan(capsys, ".", "--select", "JEP101", "--write-baseline", "b.json")[0] == 0
    (repo / "main.tf").write_text(ROLE)  # the finding is fixed
    code, out, err = _scan(capsys, ".", "--select", "JEP101", "--baseline", "b.json")
    assert code == 0
    assert err == (
        "b.json:1:1: warning: baseline entry matches no finding (fixed or changed; --write-baseline prunes it): "
        'JEP101 in main.tf: role ci can perform every AWS action ("*") on every resource through policy aws_iam_role_policy.p, statement 1\n'
    )
    code, _, err = _scan(capsys, ".", "--select", "JEP101", "--write-baseline", "b.json")
    assert (code, err) == (0, "jeplint: b.json: removed 1 entry that matched no finding\n")
    assert json.loads((repo / "b.json").read_text())["findings"] == []
    assert _scan(capsys, ".", "--select", "JEP101", "--baseline", "b.json")[2] == ""
