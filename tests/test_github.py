"""GitHub: `--format github` annotations and their escaping, SARIF within code scanning's limits,
`%SRCROOT%`, the composite action, and Microsoft's SARIF Multitool (GitHub ingestion rules)."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, assert_valid_sarif

from jeplint.cli import main
from jeplint.graph.model import Graph
from jeplint.parse.nodes import Span
from jeplint.report import github, sarif
from jeplint.rules.base import Finding, Related, catalogue
from jeplint.run import Problem, ScanResult, scan
from jeplint.suppress import Suppressed, Suppression

POLICY_TF = """\
resource "aws_iam_role" "deployer" {
  name               = "ci-deployer"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.deployer.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""
MESSAGE = 'role ci-deployer can perform every AWS action ("*") on every resource through policy deploy, statement 1'


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`infra/main.tf`: one JEP101 finding; the working directory is its repository."""
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(POLICY_TF)
    monkeypatch.chdir(tmp_path)
    return tmp_path


MULTITOOL = "@microsoft/sarif-multitool@5.7.0"


def test_escaping() -> None:
    assert github.escape_data("100% of\r\nit: a,b") == "100%25 of%0D%0Ait: a,b"
    assert github.escape_property("dir,x/a:b%\n.tf") == "dir%2Cx/a%3Ab%25%0A.tf"


def test_annotation_escapes_message_and_properties() -> None:
    finding = Finding("JEP101", "50% of a\nrole: x, y", Span("odd,dir/a:b.tf", 3, 5, 3, 8), level="error")
    assert github.finding_annotation(finding) == (
        "::error file=odd%2Cdir/a%3Ab.tf,line=3,col=5,endLine=3,endColumn=8,title=JEP101 full-wildcard-action::50%25 of a%0Arole: x, y"
    )


def test_multi_line_annotation_has_no_columns() -> None:
    finding = Finding("JEP102", "m", Span("a.tf", 3, 5, 6, 2), level="note")
    assert github.finding_annotation(finding) == "::notice file=a.tf,line=3,endLine=6,title=JEP102 service-wildcard-action::m"


def test_problem_annotation() -> None:
    assert github.problem_annotation(Problem("b.tf", "unexpected end of file, expected '}'", 3, 1)) == (
        "::error file=b.tf,line=3,col=1,title=jeplint%3A input not analysed::unexpected end of file, expected '}'"
    )
    assert github.problem_annotation(Problem("c.yaml", "suppression of JEP101 has no reason", 4, None, "warning")) == (
        "::warning file=c.yaml,line=4,title=jeplint::suppression of JEP101 has no reason"
    )


def test_cli_github_format(policy_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "infra", "--format", "github", "--select", "JEP101"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"::error file=infra/main.tf,line=9,col=67,endLine=9,endColumn=70,title=JEP101 full-wildcard-action::{MESSAGE}",
        "Found 1 finding (1 error) in 1 file.",
    ]


# --- SARIF for code scanning ------------------------------------------------------------------------


def _finding(line: int, level: str, related: int = 0) -> Finding:
    span = Span("a.tf", line, 1, line, 4)
    return Finding("JEP101", f"finding {line}", span, [Related(span, f"r{i}") for i in range(related)], f"{line:032x}", level)


def _result(findings: list[Finding]) -> ScanResult:
    return ScanResult(findings, [], Graph())


def test_results_over_the_limit_keep_the_most_severe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    log = sarif.log(
        _result([_finding(1, "note"), _finding(2, "error"), _finding(3, "warning"), _finding(4, "error"), _finding(5, "warning")])
    )
    assert_valid_sarif(log)
    run = log["runs"][0]
    assert [r["message"]["text"] for r in run["results"]] == ["finding 2", "finding 3", "finding 4"]
    assert run["invocations"][0]["toolExecutionNotifications"] == [
        {
            "level": "warning",
            "message": {"text": "jeplint kept the 3 most severe of 5 results (GitHub accepts at most 3 per run)."},
        }
    ]


def test_related_locations_over_the_limit_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_LOCATIONS", 2)
    log = sarif.log(_result([_finding(1, "error", related=5), _finding(2, "error", related=2)]))
    results = log["runs"][0]["results"]
    assert [len(r["relatedLocations"]) for r in results] == [2, 2]
    assert log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == (
        "jeplint 1 results keep only their first 2 related locations (GitHub's limit per result)."
    )


@pytest.mark.parametrize("room", [2_000, 8_000], ids=["errors-only", "errors-and-notes"])
def test_log_over_the_size_limit_drops_the_least_severe(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    """`room`: compressed bytes left for results once the rule list is in."""
    limit = len(gzip.compress(sarif.dumps(_result([])).encode())) + room
    findings = [_finding(i, "error" if i % 4 == 0 else "note", related=10) for i in range(1, 201)]
    assert len(gzip.compress(sarif.dumps(_result(findings)).encode())) > limit
    monkeypatch.setattr(sarif, "MAX_GZIP_BYTES", limit)
    text = sarif.dumps(_result(findings))
    assert len(gzip.compress(text.encode())) <= limit
    log = json.loads(text)
    assert_valid_sarif(log)
    kept = log["runs"][0]["results"]
    assert 0 < len(kept) < 200
    assert [r["level"] for r in kept].count("error") == min(50, len(kept))  # notes go first
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == (
        f"jeplint kept {len(kept)} of 200 results so that the log stays under {limit:,} bytes gzip-compressed (GitHub's upload limit)."
    )


def test_small_log_is_not_touched(monkeypatch: pytest.MonkeyPatch) -> None:
    text = sarif.dumps(_result([_finding(1, "error")]))
    monkeypatch.setattr(sarif, "MAX_GZIP_BYTES", len(text.encode()))
    assert sarif.dumps(_result([_finding(1, "error")])) == text


def test_at_most_20_tags_per_rule() -> None:
    meta = dataclasses.replace(catalogue()["JEP101"], tags=tuple(f"tag{i:02}" for i in range(30)))
    tags = sarif.rule_descriptor(meta)["properties"]["tags"]
    assert len(tags) == 20 and "security" in tags


def test_every_result_has_a_location_from_line_1() -> None:
    log = sarif.log(_result([Finding("JEP101", "file-level", Span("a.tf", 0, 0, 0, 0), fingerprint="f" * 32, level="error")]))
    assert_valid_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 1,
        "endColumn": 1,
    }


def test_srcroot_is_described_by_default_and_absolute_only_when_asked(
    policy_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", "infra", "--format", "sarif", "--select", "JEP101"])
    base = json.loads(capsys.readouterr().out)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]
    assert base == {"description": {"text": "The directory jeplint was run from (the repository root)."}}
    main(["scan", "infra", "--format", "sarif", "--select", "JEP101", "--sarif-srcroot"])
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == policy_dir.resolve().as_uri() + "/"
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}  # results stay relative


# --- the composite action -----------------------------------------------------------------------------


def test_action_runs_jeplint_to_sarif_and_uploads_it() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert all("shell" in step for step in steps if "run" in step)
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    sarif_file = "${{ steps.scan.outputs.sarif-file || steps.diff.outputs.sarif-file }}"  # scan or diff mode
    assert upload["with"] == {"sarif_file": sarif_file, "category": "${{ inputs.category }}"}
    assert "!cancelled()" in upload["if"] and "!github.event.pull_request.head.repo.fork" in upload["if"]
    exit_code = "format('{0}{1}', steps.scan.outputs.exit-code, steps.diff.outputs.exit-code)"  # one of them is empty
    assert steps[-1]["if"] == "${{ (" + exit_code + ") != '0' }}"  # fail after the upload, not before
    assert [s.get("if") for s in steps if s.get("id") in ("scan", "diff")] == [
        "${{ inputs.mode != 'diff' }}",
        "${{ inputs.mode == 'diff' }}",
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_scan_step_writes_sarif_and_outputs(tmp_path: Path) -> None:
    """The scan step's own script, run as the runner would (bash -e, GITHUB_OUTPUT, the step's env)."""
    step = next(s for s in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"] if s.get("id") == "scan")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(POLICY_TF)
    outputs = tmp_path / "github-output"
    # The install step's output: the jeplint of the action's own environment (here, this checkout's).
    launcher = tmp_path / "bin" / "jeplint"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m jeplint "$@"\n')
    launcher.chmod(0o755)
    env = {
        **os.environ,
        "JEPLINT": str(launcher),
        "JEPLINT_CATEGORY": "jeplint/terraform",
        "GITHUB_OUTPUT": str(outputs),
        "JEPLINT_PATHS": "infra",
        "JEPLINT_FAIL_ON": "warning",
        "JEPLINT_ARGS": "--select JEP1",
        "JEPLINT_SARIF": "jeplint.sarif",
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs.read_text() == "exit-code=1\nsarif-file=jeplint.sarif\n"
    log = json.loads((tmp_path / "jeplint.sarif").read_text())
    assert_valid_sarif(log)
    assert log["runs"][0]["automationDetails"] == {"id": "jeplint/terraform/"}
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]] == [
        "infra/main.tf"
    ]


# --- Microsoft SARIF Multitool --------------------------------------------------------------------------


def _multitool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The package's launcher runs the tool through a shell: `;` in a list value must be escaped.
    return subprocess.run(["npx", "--yes", MULTITOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def multitool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("npx") is None or os.name != "posix":
        pytest.skip("npx (Node.js) is not installed")
    cwd = tmp_path_factory.mktemp("multitool")
    probe = _multitool("--version", cwd=cwd)
    if probe.returncode != 0:
        pytest.skip(f"{MULTITOOL} could not be run: {probe.stderr.strip()[-300:]}")
    return cwd


def _validate(cwd: Path, log: dict) -> list[tuple[str, str, str]]:
    """(rule id, level, location) of every error and warning of `validate` with GitHub's rules on."""
    (cwd / "in.sarif").write_text(json.dumps(log))
    proc = _multitool(
        "validate",
        "in.sarif",
        "--rule-kind",
        "Gh\\;Sarif",
        "--level",
        "Error\\;Warning",
        "-o",
        "out.sarif",
        "--log",
        "ForceOverwrite",
        cwd=cwd,
    )
    assert proc.returncode == 0 and "Analysis completed successfully." in proc.stdout, proc.stdout + proc.stderr
    results = json.loads((cwd / "out.sarif").read_text())["runs"][0]["results"]
    return [(r["ruleId"], r["level"], r["message"]["arguments"][0]) for r in results]


def test_multitool_accepts_our_sarif(multitool: Path, in_root: Path) -> None:
    result = scan(["testdata/examples"])
    assert len(result.findings) > 2 and not [p for p in result.problems if p.level == "error"]
    # Two findings shown as suppressed: one in source (with its location and expiry), one by a baseline.
    comment = Span("testdata/examples/terraform/policies.tf", 1, 3, 1, 40)
    result.suppressed = [
        Suppressed(result.findings.pop(0), Suppression("inSource", "break-glass role", comment, date(2027, 3, 31), ("JEP1",))),
        Suppressed(result.findings.pop(0), Suppression("external", "accepted in baseline b.json", None, None, ("JEP103",))),
    ]
    log = sarif.log(result, show_suppressed=True, srcroot=str(ROOT), category="jeplint/terraform")
    assert "](1)" in log["runs"][0]["results"][0]["message"]["text"]  # related locations linked in the message
    assert _validate(multitool, log) == []
    # The same validator does reject what GitHub rejects: a result without a location.
    broken = sarif.log(result)
    del broken["runs"][0]["results"][0]["locations"]
    assert ("GH1015", "error", "runs[0].results[0]") in _validate(multitool, broken)
