"""Baselines: `--write-baseline` accepts today's findings, `--baseline` reports only new ones,
matched by fingerprint so that moved lines do not bring accepted findings back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import assert_valid_sarif

from jeplint import baseline
from jeplint.cli import main
from jeplint.parse.nodes import Span
from jeplint.rules.base import Finding

POLICY = """\
resource "aws_iam_role" "{name}" {{
  name               = "{name}"
  assume_role_policy = "{{}}"
}}

resource "aws_iam_role_policy" "{name}" {{
  name = "{name}"
  role = aws_iam_role.{name}.id
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}]
  }})
}}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(POLICY.format(name="deployer"))
    return tmp_path


def test_round_trip(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "."]) == 1
    capsys.readouterr()
    assert main(["scan", ".", "--select", "JEP10", "--write-baseline", "jeplint-baseline.json"]) == 0
    assert capsys.readouterr().out == "No findings in 1 file; 1 suppressed.\n"
    data = json.loads((repo / "jeplint-baseline.json").read_text())
    assert data["schema"] == "jeplint-baseline/1"
    (entry,) = data["findings"]
    assert set(entry) == {"fingerprint", "rule_id", "path", "subject", "message"}  # no line numbers
    assert (entry["rule_id"], entry["path"]) == ("JEP101", "main.tf")
    assert entry["message"].startswith("role deployer can perform every AWS action")

    assert main(["scan", ".", "--select", "JEP10", "--baseline", "jeplint-baseline.json"]) == 0
    assert capsys.readouterr().out == "No findings in 1 file (1 other file read, not IaC); 1 suppressed.\n"

    # Lines move: the accepted finding stays accepted.
    (repo / "main.tf").write_text("# a header\n\n\n" + POLICY.format(name="deployer"))
    assert main(["scan", ".", "--select", "JEP10", "--baseline", "jeplint-baseline.json"]) == 0
    capsys.readouterr()

    # Something new: only it is reported.
    (repo / "more.tf").write_text(POLICY.format(name="uploader"))
    assert main(["scan", ".", "--select", "JEP10", "--baseline", "jeplint-baseline.json"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:-1] == [
        'more.tf:10:47: JEP101 role uploader can perform every AWS action ("*") on every resource through policy uploader, statement 1'
    ]
    assert out[-1] == "Found 1 finding (1 error) in 2 files (1 other file read, not IaC); 1 suppressed."


def test_baseline_in_sarif_is_an_external_suppression(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", ".", "--select", "JEP10", "--write-baseline", "b.json", "--format", "sarif", "--show-suppressed"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "accepted in baseline b.json"}]


def test_inline_suppressions_are_not_baselined(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = POLICY.format(name="deployer").replace(
        'Resource = "*" }]', 'Resource = "*" }] # jeplint:ignore=JEP101 reason="approved"'
    )
    (repo / "main.tf").write_text(text)
    assert main(["scan", ".", "--select", "JEP10", "--write-baseline", "b.json"]) == 0
    assert json.loads((repo / "b.json").read_text())["findings"] == []
    assert capsys.readouterr().out == "No findings in 1 file; 1 suppressed.\n"


def test_each_entry_accepts_one_finding() -> None:
    def finding(line: int) -> Finding:
        return Finding("JEP101", "same", Span("a.tf", line, 1, line, 2), fingerprint="0" * 32)

    findings = [finding(1), finding(5), finding(9)]
    entry = ("0" * 32, "JEP101", "a.tf")
    kept, accepted = baseline.apply(findings, baseline.Baseline("b.json", ("0" * 32, "0" * 32), keys=(entry, entry)))
    assert [f.span.line for f in kept] == [9]
    assert [s.finding.span.line for s in accepted] == [1, 5]
    assert {s.suppression.kind for s in accepted} == {"external"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "jeplint: error: missing.json: cannot read baseline: No such file or directory\n"),
        (
            "{not json",
            "jeplint: error: missing.json: not a JSON baseline: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\n",
        ),
        (
            '{"findings": []}',
            'jeplint: error: missing.json: not a jeplint baseline (expected {"schema": "jeplint-baseline/1", "findings": [...]})\n',
        ),
        (
            '{"schema": "jeplint-baseline/1", "findings": [{"fingerprint": "xyz"}]}',
            "jeplint: error: missing.json: finding 1 has no valid fingerprint\n",
        ),
    ],
    ids=["missing", "not-json", "no-schema", "bad-fingerprint"],
)
def test_unusable_baseline_exits_2(repo: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str) -> None:
    if content is not None:
        (repo / "missing.json").write_text(content)
    assert main(["scan", ".", "--select", "JEP10", "--baseline", "missing.json"]) == 2
    assert capsys.readouterr().err == message


def test_unwritable_baseline_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", ".", "--select", "JEP10", "--write-baseline", "no/such/dir/b.json"]) == 2
    assert capsys.readouterr().err == "jeplint: error: cannot write baseline no/such/dir/b.json: No such file or directory\n"
