"""JSON and SARIF output: shape, schema validity, fingerprints, notifications."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, assert_valid_sarif

from jeplint.report import json_report, sarif
from jeplint.rules.base import catalogue
from jeplint.run import scan


@pytest.fixture
def examples(in_root: Path):
    return scan(["testdata/examples"])


def test_sarif_is_valid_and_complete(examples) -> None:
    log = sarif.log(examples)
    assert_valid_sarif(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "jeplint" and driver["semanticVersion"]
    assert [r["id"] for r in driver["rules"]] == sorted(catalogue())
    for rule in driver["rules"]:
        assert rule["help"]["markdown"].count("```") >= 2
        assert "security" in rule["properties"]["tags"]
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["automationDetails"]["id"] == "jeplint/"
    assert run["invocations"][0] == {"executionSuccessful": True, "toolExecutionNotifications": []}
    results = run["results"]
    assert len(results) == 10
    first = results[0]
    assert first["ruleId"] == driver["rules"][first["ruleIndex"]]["id"]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "testdata/examples/cloudformation/worker.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 28, "startColumn": 17, "endLine": 28, "endColumn": 22}
    assert [r["id"] for r in first["relatedLocations"]] == list(range(1, len(first["relatedLocations"]) + 1))
    assert all(len(r["partialFingerprints"]["jeplint/v1"]) == 32 for r in results)
    assert len({r["partialFingerprints"]["jeplint/v1"] for r in results}) == len(results)
    assert all("primaryLocationLineHash" not in r["partialFingerprints"] for r in results)


def test_clean_scan_still_writes_empty_results(in_root: Path) -> None:
    log = sarif.log(scan(["rules/JEP101-full-wildcard-action/good.tf"]))
    assert_valid_sarif(log)
    assert log["runs"][0]["results"] == []


def test_fingerprint_survives_moved_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = (ROOT / "rules/JEP101-full-wildcard-action/bad.tf").read_text()
    Path("main.tf").write_text(source)
    before = scan(["main.tf"]).findings[0]
    Path("main.tf").write_text("# a new comment\n\n" + source)
    after = scan(["main.tf"]).findings[0]
    assert after.span.line == before.span.line + 2
    assert after.fingerprint == before.fingerprint


def test_unanalysable_input_becomes_a_notification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.tf").write_text('resource "aws_iam_role" "x" {\n  name = \n}\n')
    Path("ok.tf").write_text((ROOT / "rules/JEP101-full-wildcard-action/bad.tf").read_text())
    result = scan(["."])
    log = sarif.log(result)
    assert_valid_sarif(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.tf"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 2, "startColumn": 10}
    assert note["message"]["text"] == "broken.tf: unexpected end of line"
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["JEP101"]
    report = json_report.report(result)
    assert report["problems"] == [
        {"path": "broken.tf", "line": 2, "column": 10, "level": "error", "reason": "unexpected end of line"}
    ]


def test_uris_are_percent_encoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("my dir").mkdir()
    Path("my dir/main.tf").write_text((ROOT / "rules/JEP101-full-wildcard-action/bad.tf").read_text())
    log = sarif.log(scan(["."]))
    assert_valid_sarif(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/main.tf"


def test_json_report_shape(examples) -> None:
    report = json.loads(json_report.dumps(examples))
    assert report["schema"] == "jeplint-report/1"
    assert report["summary"] == {
        "files_analysed": 6,
        "files_failed": 0,
        "files_not_iac": 0,
        "findings": 10,
        "by_level": {"error": 6, "warning": 4},
        "by_rule": {"JEP101": 2, "JEP102": 2, "JEP103": 1, "JEP104": 1, "JEP105": 1, "JEP106": 2, "JEP302": 1},
        "fixable": 0,  # fixes are attached by the CLI (`jeplint.fix.attach`), not by `scan`
        "suppressed": 0,
        "unresolved": {},
    }
    finding = next(f for f in report["findings"] if f["rule_id"] == "JEP101" and f["location"]["path"].endswith(".tf"))
    assert finding["rule_name"] == "full-wildcard-action"
    assert finding["location"] == {
        "path": "testdata/examples/terraform/policies.tf",
        "line": 19,
        "column": 20,
        "end_line": 19,
        "end_column": 23,
    }
    deployer = next(i for i in report["identities"] if i["name"] == "ci-deployer")
    assert deployer == {
        "identity": "testdata/examples/terraform/aws_iam_role.ci_deployer",
        "platform": "aws",
        "kind": "role",
        "name": "ci-deployer",
        "declared": True,
        "location": {"path": "testdata/examples/terraform/roles.tf", "line": 4, "column": 25, "end_line": 4, "end_column": 38},
        "policies": ["AWS managed policy PowerUserAccess", "policy deploy"],
        "grants": 4,
        "workloads": [],
        "findings": 2,
    }
    default_sa = next(i for i in report["identities"] if i["identity"] == "sa:platform/default")
    assert default_sa["declared"] is False
    assert default_sa["workloads"] == ["CronJob platform/cleanup"]


def test_role_chains_become_code_flows(in_root: Path) -> None:
    log = sarif.log(scan(["testdata/escalation/chain"]))
    assert_valid_sarif(log)
    flows = [r for r in log["runs"][0]["results"] if "codeFlows" in r]
    assert flows and all(r["ruleId"] == "JEP405" for r in flows)
    steps = [loc["location"]["message"]["text"] for loc in flows[0]["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert steps[0] == "role ci starts here"
    assert steps[1].startswith("step 1: role ci may call sts:AssumeRole on role deploy-hop")
    assert steps[-1] == "role platform-admin holds AWS managed policy AdministratorAccess"
