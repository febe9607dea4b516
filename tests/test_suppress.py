"""Inline suppressions: comments (HCL `#` and `//`, YAML `#`), CloudFormation Metadata and the
Kubernetes annotation; what they hide, and how a wrong one is itself reported."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import assert_valid_sarif
from hypothesis import given, settings
from hypothesis import strategies as st

from jeplint.cli import main
from jeplint.options import Options
from jeplint.parse import KUBERNETES, TERRAFORM, ParsedFile
from jeplint.parse.nodes import Span
from jeplint.report import json_report, sarif
from jeplint.rules.base import Finding
from jeplint.run import Problem, ScanResult, Settings, scan
from jeplint.suppress import apply, comment_start

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
REASON = 'reason="break-glass role, approved in SEC-42"'

TF = """\
resource "aws_iam_role" "deployer" {{
  name               = "ci-deployer"
  assume_role_policy = "{{}}"
}}

{above}
resource "aws_iam_role_policy" "deploy" {{
  name = "deploy"
  role = aws_iam_role.deployer.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      {before}
      Action   = "*" {trailing}
      Resource = "*"
    }}]
  }})
}}
"""
ACTION_LINE = 15  # the `Action = "*"` line of TF
BLOCK_LINE = 7  # `resource "aws_iam_role_policy" "deploy" {`


def tf(above: str = "", before: str = "", trailing: str = "") -> str:
    return TF.format(above=above, before=before, trailing=trailing)


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], now: datetime = NOW) -> ScanResult:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        Path(name).write_text(text)
    # Only the wildcard family: the fixtures are written for it, other families would add findings.
    return scan(sorted(files), Settings(select=("JEP10",), options=Options(now=now)))


def rules_of(result: ScanResult) -> list[tuple[int, str]]:
    return [(f.span.line, f.rule_id) for f in result.findings]


def warnings_of(result: ScanResult) -> list[tuple[str, int | None, int | None, str]]:
    """The remarks about suppressions: warnings, and errors for rules that do not exist."""
    return [(p.path, p.line, p.col, p.reason) for p in result.problems if p.analysed]


def test_unsuppressed_fixture_reports_jep101(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, {"main.tf": tf()})
    assert rules_of(result) == [(ACTION_LINE, "JEP101")]
    assert result.suppressed == [] and result.problems == []


@pytest.mark.parametrize(
    "where",
    [
        {"trailing": f"# jeplint:ignore=JEP101 {REASON}"},
        {"trailing": f"// jeplint:ignore=JEP101 {REASON}"},
        {"before": f"# jeplint:ignore=JEP101 {REASON}"},
        {"before": f"//jeplint:ignore=JEP1 {REASON}"},
        {"above": f"# jeplint:ignore=JEP101 {REASON}"},  # above the resource: the whole block
    ],
    ids=["trailing-hash", "trailing-slashes", "line-above", "line-above-prefix", "above-block"],
)
def test_comment_hides_the_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: dict[str, str]) -> None:
    result = run(tmp_path, monkeypatch, {"main.tf": tf(**where)})
    assert result.findings == [] and result.problems == []
    (hidden,) = result.suppressed
    assert (hidden.finding.span.line, hidden.finding.rule_id) == (ACTION_LINE, "JEP101")
    how = hidden.suppression
    assert (how.kind, how.justification, how.until) == ("inSource", "break-glass role, approved in SEC-42", None)
    assert how.span is not None and how.span.path == "main.tf"
    assert how.span.line == {"trailing": ACTION_LINE, "before": ACTION_LINE - 1, "above": BLOCK_LINE - 1}[next(iter(where))]


def test_a_blank_line_parts_a_comment_from_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, {"main.tf": tf(before=f"# jeplint:ignore=JEP101 {REASON}\n")})
    assert rules_of(result) == [(ACTION_LINE + 1, "JEP101")] and result.suppressed == [] and result.problems == []


def test_other_rule_does_not_hide_and_stacked_comments_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, {"main.tf": tf(before=f"# jeplint:ignore=JEP102 {REASON}")})
    assert rules_of(result) == [(ACTION_LINE, "JEP101")] and result.problems == []
    stacked = f"# jeplint:ignore=JEP101 {REASON}\n      # jeplint:ignore=JEP102 {REASON}"
    result = run(tmp_path, monkeypatch, {"main.tf": tf(before=stacked)})
    assert result.findings == [] and result.problems == []
    assert [(s.finding.span.line, s.suppression.span.line) for s in result.suppressed] == [(ACTION_LINE + 1, ACTION_LINE - 1)]


def test_missing_reason_is_reported_and_hides_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, {"main.tf": tf(trailing="# jeplint:ignore=JEP101")})
    assert rules_of(result) == [(ACTION_LINE, "JEP101")] and result.suppressed == []
    assert warnings_of(result) == [
        ("main.tf", ACTION_LINE, 24, 'suppression of JEP101 has no reason (reason="..."); it hides nothing until it has one')
    ]


def test_expiry_is_inclusive_and_an_expired_suppression_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    valid = run(tmp_path, monkeypatch, {"main.tf": tf(trailing=f"# jeplint:ignore=JEP101 {REASON} until=2026-06-01")})
    assert valid.findings == [] and valid.suppressed[0].suppression.until == date(2026, 6, 1)
    expired = run(tmp_path, monkeypatch, {"main.tf": tf(trailing=f"# jeplint:ignore=JEP101 {REASON} until=2026-05-31")})
    assert rules_of(expired) == [(ACTION_LINE, "JEP101")] and expired.suppressed == []
    assert warnings_of(expired) == [
        ("main.tf", ACTION_LINE, 24, "suppression of JEP101 expired on 2026-05-31; its findings are reported again")
    ]
    later = run(
        tmp_path,
        monkeypatch,
        {"main.tf": tf(trailing=f"# jeplint:ignore=JEP101 {REASON} until=2026-06-01")},
        now=datetime(2026, 6, 2, tzinfo=timezone.utc),
    )
    assert [f.rule_id for f in later.findings] == ["JEP101"]


@pytest.mark.parametrize(
    ("comment", "hidden", "reasons"),
    [
        (
            f"jeplint:ignore=JEP999,JEP101 {REASON}",
            True,
            ["suppression names unknown rule 'JEP999'; did you mean JEP405 (transitive-escalation)?"],
        ),
        (
            f"jeplint:ignore=JEP999 {REASON}",
            False,
            ["suppression names unknown rule 'JEP999'; did you mean JEP405 (transitive-escalation)?"],
        ),
        (
            f"jeplint:ignore=CKV_AWS_1 {REASON}",
            False,
            ["suppression names unknown rule 'CKV_AWS_1' (see \"jeplint rules\")"],
        ),
        (f"jeplint:ignore {REASON}", False, ["suppression names no rule id (e.g. JEP101 or the prefix JEP1)"]),
        (
            f"jeplint:ignore=JEP101 {REASON} until=2026-02-30",
            False,
            ["suppression of JEP101: until=2026-02-30 is not a date (YYYY-MM-DD); it hides nothing"],
        ),
        (
            "jeplint:ignore=JEP101 because it is needed",
            False,
            [
                'suppression of JEP101 has no reason (reason="..."); it hides nothing until it has one',
                'suppression of JEP101: unexpected "because it is needed" (expected reason="..." and until=YYYY-MM-DD)',
            ],
        ),
        (
            f"jeplint:ignore=jep101 {REASON} ticket=SEC-42",
            True,
            ['suppression of JEP101: unexpected "ticket=SEC-42" (expected reason="..." and until=YYYY-MM-DD)'],
        ),
    ],
    ids=["unknown-and-known", "unknown-only", "foreign-id", "no-ids", "bad-date", "unquoted-reason", "stray-option"],
)
def test_wrong_suppressions_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, comment: str, hidden: bool, reasons: list[str]
) -> None:
    result = run(tmp_path, monkeypatch, {"main.tf": tf(trailing="# " + comment)})
    assert [s.finding.rule_id for s in result.suppressed] == (["JEP101"] if hidden else [])
    assert len(result.findings) == (0 if hidden else 1)
    assert [r for *_, r in warnings_of(result)] == reasons
    # A rule that does not exist is an error (the run exits 2, as with --select); the rest warnings.
    assert [p.level for p in result.problems] == ["error" if "unknown rule" in r else "warning" for r in reasons]


def test_wrong_suppression_in_a_clean_file_is_still_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = 'resource "aws_iam_role" "x" {\n  name = "x" # jeplint:ignore=JEP101\n  assume_role_policy = "{}"\n}\n'
    result = run(tmp_path, monkeypatch, {"main.tf": clean})
    assert result.findings == []
    assert result.problems == [
        Problem(
            "main.tf",
            'suppression of JEP101 has no reason (reason="..."); it hides nothing until it has one',
            2,
            16,
            "warning",
            analysed=True,
        )
    ]


def test_marker_inside_a_string_is_not_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = tf().replace(
        'Effect   = "Allow"', f'Effect   = "Allow"\n      Sid = "# jeplint:ignore=JEP101 {REASON.replace(chr(34), "")}"'
    )
    result = run(tmp_path, monkeypatch, {"main.tf": text})
    assert [f.rule_id for f in result.findings] == ["JEP101"] and result.problems == []


@pytest.mark.parametrize(
    ("line", "hcl", "start"),
    [
        ('a = "x" # c', True, 8),
        ('a = "x # y" // c', True, 12),
        ('a = "say \\"#\\"" # c', True, 16),
        ("a = 1", True, None),
        ("url: http://x/#frag", False, None),
        ("key: value # c", False, 11),
        ("key: 'it''s # not' # c", False, 19),
        ("key: it's # c", False, 10),
        ('key: "a # b" # c', False, 13),
        ("# whole line", False, 0),
    ],
)
def test_comment_start(line: str, hcl: bool, start: int | None) -> None:
    assert comment_start(line, hcl) == start


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OpsRole:
    Type: AWS::IAM::Role
{metadata}    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{ Service: lambda.amazonaws.com }}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              {comment}
              - Effect: Allow
                Action: "*"
                Resource: "*"
"""


def cfn(metadata: str = "", comment: str = "") -> str:
    return CFN.format(metadata=metadata, comment=comment)


def test_yaml_comment_above_a_statement_hides_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert [f.rule_id for f in run(tmp_path, monkeypatch, {"t.yaml": cfn()}).findings] == ["JEP101"]
    result = run(tmp_path, monkeypatch, {"t.yaml": cfn(comment=f"# jeplint:ignore=JEP101 {REASON}")})
    assert result.findings == [] and result.problems == []
    assert result.suppressed[0].suppression.span.line == 17


def test_cloudformation_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    metadata = "    Metadata:\n      jeplint:\n        ignore:\n          - id: JEP101\n            reason: ops automation needs it\n            until: 2027-03-31\n"
    result = run(tmp_path, monkeypatch, {"t.yaml": cfn(metadata)})
    assert result.findings == [] and result.problems == []
    how = result.suppressed[0].suppression
    assert (how.kind, how.justification, how.until, how.span.line) == (
        "inSource",
        "ops automation needs it",
        date(2027, 3, 31),
        8,
    )
    no_reason = "    Metadata:\n      jeplint:\n        ignore:\n          - {id: [JEP101, JEP105]}\n"
    result = run(tmp_path, monkeypatch, {"t.yaml": cfn(no_reason)})
    assert [f.rule_id for f in result.findings] == ["JEP101"]
    assert warnings_of(result) == [
        ("t.yaml", 8, 13, 'suppression of JEP101,JEP105 has no reason (reason="..."); it hides nothing until it has one')
    ]
    malformed = "    Metadata:\n      jeplint:\n        ignore: JEP101\n"
    result = run(tmp_path, monkeypatch, {"t.yaml": cfn(malformed)})
    assert [f.rule_id for f in result.findings] == ["JEP101"]
    assert warnings_of(result) == [("t.yaml", 7, 9, "resource OpsRole: Metadata.jeplint must be {ignore: [{id, reason, until}]}")]


def test_cloudformation_metadata_in_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = {
        "Resources": {
            "Admin": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {"jeplint": {"ignore": [{"id": "JEP1", "reason": "imported as is", "until": "2030-01-01"}]}},
                "Properties": {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
            },
            "Other": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
            },
        }
    }
    result = run(tmp_path, monkeypatch, {"t.json": json.dumps(template, indent=1)})
    assert [s.finding.rule_id for s in result.suppressed] == ["JEP101"] and result.problems == []
    assert result.suppressed[0].suppression.justification == "imported as is"
    assert [f.rule_id for f in result.findings] == ["JEP101"]  # the other resource is not covered
    assert result.findings[0].span.line > result.suppressed[0].finding.span.line


K8S = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: backup-operator
{annotations}rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: other
  namespace: ops
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["*"]
"""


def test_kubernetes_annotation_covers_its_object_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert [f.span.line for f in run(tmp_path, monkeypatch, {"k.yaml": K8S.format(annotations="")}).findings] == [8, 18]
    annotations = (
        "  annotations:\n    jeplint.io/ignore: 'JEP104 reason=\"the operator restores any resource\" until=2027-03-31'\n"
    )
    result = run(tmp_path, monkeypatch, {"k.yaml": K8S.format(annotations=annotations)})
    assert [f.span.line for f in result.findings] == [20] and result.problems == []
    how = result.suppressed[0].suppression
    assert (how.justification, how.until, how.span.line) == ("the operator restores any resource", date(2027, 3, 31), 6)


def test_kubernetes_annotation_with_several_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    annotations = '  annotations:\n    jeplint.io/ignore: |\n      JEP106 reason="bound elsewhere"\n      JEP104 until=2026-01-01 reason="old"\n'
    result = run(tmp_path, monkeypatch, {"k.yaml": K8S.format(annotations=annotations)})
    assert [f.span.line for f in result.findings] == [12, 22]
    assert warnings_of(result) == [
        ("k.yaml", 6, 24, "suppression of JEP104 expired on 2026-01-01; its findings are reported again")
    ]


def test_cli_show_suppressed_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("main.tf").write_text(tf(trailing=f"# jeplint:ignore=JEP101 {REASON} until=2099-12-31"))
    assert main(["scan", "main.tf", "--select", "JEP10"]) == 0
    assert capsys.readouterr().out == "No findings in 1 file; 1 suppressed.\n"
    assert main(["scan", "main.tf", "--select", "JEP10", "--show-suppressed"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        'main.tf:15:18: JEP101 role ci-deployer can perform every AWS action ("*") on every resource through policy deploy, statement 1'
        " [suppressed: break-glass role, approved in SEC-42]",
        "No findings in 1 file; 1 suppressed.",
    ]
    assert main(["scan", "main.tf", "--select", "JEP10", "--format", "sarif"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["results"] == []
    assert main(["scan", "main.tf", "--select", "JEP10", "--format", "sarif", "--show-suppressed"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    (entry,) = log["runs"][0]["results"]
    assert entry["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "break-glass role, approved in SEC-42",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 15, "startColumn": 24, "endLine": 15, "endColumn": 108},
                }
            },
            "properties": {"until": "2099-12-31"},
        }
    ]
    assert main(["scan", "main.tf", "--select", "JEP10", "--format", "json", "--show-suppressed"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["suppressed"] == 1 and report["findings"] == []
    assert report["suppressed"][0]["suppression"] == {
        "kind": "inSource",
        "justification": "break-glass role, approved in SEC-42",
        "until": "2099-12-31",
        "location": {"path": "main.tf", "line": 15, "column": 24, "end_line": 15, "end_column": 108},
    }
    assert main(["scan", "main.tf", "--select", "JEP10", "--format", "json"]) == 0
    assert "suppressed" not in {k for k in json.loads(capsys.readouterr().out) if k != "summary"}


def test_wrong_suppression_in_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("main.tf").write_text(tf(trailing="# jeplint:ignore=JEP101 until=2000-01-01"))
    assert main(["scan", "main.tf", "--select", "JEP10"]) == 1
    captured = capsys.readouterr()
    assert (
        captured.err
        == 'main.tf:15:24: warning: suppression of JEP101 has no reason (reason="..."); it hides nothing until it has one\n'
    )
    result = scan(["main.tf"])
    log = sarif.log(result)
    assert_valid_sarif(log)
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and log["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert json_report.report(result)["problems"][0]["level"] == "warning"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), hcl=st.booleans())
def test_any_comment_text_is_read_without_crashing(text: str, hcl: bool) -> None:
    """Whatever follows the marker, reading it gives remarks or a suppression, never an exception."""
    name = "a.tf" if hcl else "a.yaml"
    lines = ["x = 1", f"  # jeplint:ignore{text}", f'y = "{text}" # jeplint:ignore={text}']
    parsed = ParsedFile(name, TERRAFORM if hcl else KUBERNETES, [], lines=lines)
    finding = Finding("JEP101", "m", Span(name, 3, 1, 3, 2), fingerprint="0" * 32, level="error")
    kept, hidden, remarks = apply([finding], [parsed], Options(now=NOW))
    assert len(kept) + len(hidden) == 1
    assert all(r.span.path == name and r.span.line in (2, 3) for r in remarks)
