"""Issue 19, bullet 4 (and 6): outputs where users put them. SARIF category and embedded links (OASIS
schema), helpUri, JUnit XML (Jenkins junit-4.xsd structure), GitLab Code Quality (documented
fields), the pre-commit pattern, `graph` with configuration, stdin, -V, argument checks, action.yml."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, assert_valid_sarif

from jeplint.cli import main
from jeplint.report import gitlab, junit, sarif
from jeplint.rules.base import catalogue
from jeplint.run import scan

BAD_TF = (ROOT / "rules/JEP101-full-wildcard-action/bad.tf").read_text()


@pytest.fixture
def examples(in_root: Path):
    return scan(["testdata/examples"])


def _cli(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jeplint", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120
    )


# --- SARIF ---------------------------------------------------------------------------------------


def test_sarif_category_sets_automation_details(examples, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = sarif.log(examples, category="jeplint/terraform")
    assert_valid_sarif(log)
    assert log["runs"][0]["automationDetails"] == {"id": "jeplint/terraform/"}
    assert main(["scan", "--no-cache", "testdata/examples", "-f", "sarif", "--sarif-category", "k8s"]) == 1
    assert json.loads(capsys.readouterr().out)["runs"][0]["automationDetails"] == {"id": "k8s/"}
    with pytest.raises(SystemExit) as exited:
        main(["scan", "--sarif-category", "two words", "."])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "jeplint: error: argument --sarif-category: not a code scanning category: 'two words' (a word such as jeplint/terraform)"
    )


def test_sarif_message_links_every_related_location(examples) -> None:
    log = sarif.log(examples)
    assert_valid_sarif(log)
    first = log["runs"][0]["results"][0]
    assert first["message"]["text"] == (
        "role queue-worker can perform every sqs action (sqs:* = 20 actions, 11 of them write or permissions management:"
        " sqs:AddPermission, sqs:RemovePermission and 1 more manage permissions)"
        " on arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders through policy WorkerPolicy, statement 1"
        " (see [statement 1 of policy WorkerPolicy](1);"
        " [policy WorkerPolicy is bound to role queue-worker by ManagedPolicyArns of WorkerRole](2);"
        " [role queue-worker is declared here](3))"
    )
    for result in log["runs"][0]["results"]:
        ids = {r["id"] for r in result.get("relatedLocations", [])}
        linked = {int(n) for n in re.findall(r"(?<!\\)\]\((\d+)\)", result["message"]["text"])}
        assert linked == ids


def test_sarif_escapes_brackets_that_are_not_links() -> None:
    from jeplint.parse.nodes import Span
    from jeplint.rules.base import Finding, Related

    span = Span("a.tf", 1, 1, 1, 2)
    finding = Finding("JEP101", "grants [all] actions", span, [Related(span, "policy [p]")])
    assert sarif.linked_message(finding) == r"grants \[all\] actions (see [policy \[p\]](1))"


def test_every_rule_has_a_help_uri_to_its_documentation(examples) -> None:
    rules = sarif.log(examples)["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(catalogue())
    for rule in rules:
        folder = rule["helpUri"].removeprefix(f"{sarif.HOMEPAGE}/tree/main/")
        assert folder == f"rules/{rule['id']}-{rule['name']}"
        assert (ROOT / folder / "rule.yaml").is_file()


# --- JUnit XML -----------------------------------------------------------------------------------

# The element and attribute rules of Jenkins' junit-4.xsd (the schema of the JUnit plugin), written
# out: element -> (required attributes, optional attributes, allowed children in order).
JUNIT_4 = {
    "testsuites": (set(), {"name", "time", "tests", "failures", "disabled", "errors"}, ["testsuite"]),
    "testsuite": (
        {"name", "tests"},
        {"failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname", "id", "package"},
        ["properties", "testcase", "system-out", "system-err"],
    ),
    "testcase": (
        {"name"},
        {"assertions", "time", "classname", "status"},
        ["skipped", "error", "failure", "system-out", "system-err"],
    ),
    "failure": (set(), {"type", "message"}, []),
    "error": (set(), {"type", "message"}, []),
}


def assert_valid_junit(text: str) -> ET.Element:
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    stack = [root]
    while stack:
        element = stack.pop()
        required, optional, children = JUNIT_4[element.tag]
        assert required <= set(element.attrib), (element.tag, element.attrib)
        assert set(element.attrib) <= required | optional, (element.tag, element.attrib)
        order = [children.index(child.tag) for child in element]  # ValueError: a child not allowed
        assert order == sorted(order), element.tag
        stack.extend(element)
    for suite in root:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(len(c.findall("failure")) for c in cases)
        assert int(suite.get("errors")) == sum(len(c.findall("error")) for c in cases)
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in root)
    return root


def test_junit_report(examples) -> None:
    root = assert_valid_junit(junit.dumps(examples))
    suites = {s.get("name"): s for s in root}
    assert len(suites) == 6 and root.get("failures") == "10" and root.get("errors") == "0"
    worker = suites["testdata/examples/cloudformation/worker.yaml"]
    case = worker.find("testcase")
    assert case.get("name") == "JEP102 service-wildcard-action at 28:17"
    assert case.get("classname") == "testdata/examples/cloudformation/worker.yaml"
    failure = case.find("failure")
    assert failure.get("type") == "warning" and failure.get("message").startswith("role queue-worker can perform")
    assert failure.text.startswith("testdata/examples/cloudformation/worker.yaml:28:17: JEP102 role queue-worker")


def test_junit_report_is_read_by_a_real_consumer(examples) -> None:
    """junitparser (what many CI tools use to read JUnit XML) agrees with our counts and cases."""
    junitparser = pytest.importorskip("junitparser")
    xml = junitparser.JUnitXml.fromstring(junit.dumps(examples))
    suites = list(xml)
    assert len(suites) == 6
    failures = [
        (suite.name, case.name, result.type)
        for suite in suites
        for case in suite
        for result in case.result
        if isinstance(result, junitparser.Failure)
    ]
    assert len(failures) == 10 == sum(suite.failures for suite in suites)
    assert ("testdata/examples/cloudformation/worker.yaml", "JEP102 service-wildcard-action at 28:17", "warning") in failures


def test_junit_clean_file_passes_and_unreadable_file_errors(tmp_path: Path) -> None:
    (tmp_path / "good.tf").write_text('resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "x" "y" {\n\x01')
    proc = _cli(tmp_path, "scan", "--no-cache", ".", "-f", "junit")
    assert proc.returncode == 2
    root = assert_valid_junit(proc.stdout)
    good, broken = root.find("testsuite[@name='good.tf']"), root.find("testsuite[@name='broken.tf']")
    assert [(c.get("name"), list(c)) for c in good] == [("jeplint", [])]
    (error,) = broken.iter("error")
    assert error.get("type") == "not-analysed" and error.text.startswith("broken.tf:2:1: ")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "1")


# --- GitLab Code Quality -------------------------------------------------------------------------

# The fields GitLab documents as required for a Code Quality report
# (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format), as a JSON schema.
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "type": {"const": "issue"},
            "categories": {"type": "array", "items": {"type": "string"}},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}, "end": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_gitlab_code_quality_report(examples) -> None:
    issues = json.loads(gitlab.dumps(examples))
    jsonschema.validate(issues, CODE_QUALITY)
    assert len(issues) == 10
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert issues[0] == {
        "type": "issue",
        "check_name": "JEP102 service-wildcard-action",
        "description": f"JEP102: {examples.findings[0].message}",
        "categories": ["Security"],
        "severity": "major",
        "fingerprint": examples.findings[0].fingerprint,
        "location": {"path": "testdata/examples/cloudformation/worker.yaml", "lines": {"begin": 28, "end": 28}},
    }
    assert {i["severity"] for i in issues} == {"critical", "major"}


def test_gitlab_unreadable_input_is_a_blocker_and_fingerprints_stay_unique(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text(BAD_TF)
    (tmp_path / "b.tf").write_text('resource "x" "y" {\n')
    proc = _cli(tmp_path, "scan", "--no-cache", ".", "-f", "gitlab")
    assert proc.returncode == 2
    issues = json.loads(proc.stdout)
    jsonschema.validate(issues, CODE_QUALITY)
    blocker = [i for i in issues if i["severity"] == "blocker"]
    assert [(i["check_name"], i["location"]) for i in blocker] == [
        ("jeplint/not-analysed", {"path": "b.tf", "lines": {"begin": 2}})
    ]
    from collections import Counter

    from jeplint.report.gitlab import _unique

    seen: Counter[str] = Counter()
    assert [_unique("f" * 32, seen) for _ in range(3)][0] == "f" * 32
    assert len(set(_unique("e" * 32, seen) for _ in range(3))) == 3


# --- the pre-commit hook -------------------------------------------------------------------------


def test_hook_pattern_covers_tfvars_and_plan_json() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"jeplint", "jeplint-diff"} and hooks["jeplint-diff"]["files"] == hooks["jeplint"]["files"]
    pattern = re.compile(hooks["jeplint"]["files"])
    for name in (
        "main.tf",
        "x.tf.json",
        "terraform.tfvars",
        "prod.auto.tfvars",
        "a.auto.tfvars.json",
        "plan.tfplan.json",
        "k8s/role.yaml",
        "t.template",
    ):
        assert pattern.search(name), name
    for name in ("README.md", "main.py", "tfvars.txt"):
        assert not pattern.search(name), name


# --- graph, stdin, version, arguments ------------------------------------------------------------


def test_graph_honours_configuration_exclude(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "main.tf").write_text(BAD_TF)
    (tmp_path / "main.tf").write_text(BAD_TF.replace("ci-deployer", "kept"))
    (tmp_path / ".jeplint.toml").write_text('exclude = ["legacy"]\n')
    proc = _cli(tmp_path, "graph", ".")
    assert (proc.returncode, proc.stderr) == (0, "")
    names = [i["name"] for i in json.loads(proc.stdout)["identities"]]
    assert names == ["kept"]
    (tmp_path / ".jeplint.toml").write_text("exclude = 3\n")
    proc = _cli(tmp_path, "graph", ".")
    assert proc.returncode == 2 and proc.stderr.startswith("jeplint: error: ")


def test_stdin_filename(tmp_path: Path) -> None:
    proc = _cli(tmp_path, "scan", "--no-cache", "-", "--stdin-filename", "infra/main.tf", stdin=BAD_TF)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("infra/main.tf:24:18: JEP101 role ci-deployer can perform every AWS action")
    assert proc.stdout.splitlines()[-1] == "Found 1 finding (1 error) in 1 file."
    proc = _cli(tmp_path, "scan", "-", "--stdin-filename", "notes.txt", stdin=BAD_TF)
    assert proc.returncode == 2
    assert proc.stderr.startswith("notes.txt:1:1: error: not analysed: not a kind of file jeplint reads")
    message = (
        "jeplint: error: standard input is read with the path - and --stdin-filename NAME (its kind comes from NAME), alone\n"
    )
    assert _cli(tmp_path, "scan", "-", stdin="").stderr == message
    assert _cli(tmp_path, "scan", ".", "--stdin-filename", "a.tf", stdin="").stderr == message


def test_version_flags(tmp_path: Path) -> None:
    from jeplint import __version__

    for flag in ("-V", "--version"):
        proc = _cli(tmp_path, flag)
        assert (proc.returncode, proc.stdout) == (0, f"jeplint {__version__}\n")


@pytest.mark.parametrize("value", ["-3", "many"])
def test_jobs_must_be_a_count(tmp_path: Path, value: str) -> None:
    proc = _cli(tmp_path, "scan", "--jobs", value, ".")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        f"jeplint: error: argument --jobs/-j: not a number of processes: '{value}' (1 or more; 0 = one per core)"
    )


@pytest.mark.parametrize("value", ["0", "-5", "infk", "8X"])
def test_max_file_size_must_be_a_positive_size(tmp_path: Path, value: str) -> None:
    proc = _cli(tmp_path, "scan", "--max-file-size", value, ".")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        f"jeplint: error: argument --max-file-size: not a size: '{value}' (a number of bytes above 0, e.g. 8M or 512k)"
    )


# --- the GitHub action and workflow --------------------------------------------------------------


def test_action_passes_the_category_and_keeps_the_callers_python() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = {s["name"]: s for s in action["runs"]["steps"]}
    setup = next(s for s in steps.values() if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["update-environment"] is False
    install = next(s for s in steps.values() if s.get("id") == "install")
    assert "-m venv" in install["run"] and "pip install" in install["run"] and "$RUNNER_TEMP" in install["run"]
    scan_step = next(s for s in steps.values() if s.get("id") == "scan")
    assert scan_step["env"]["JEPLINT_CATEGORY"] == "${{ inputs.category }}"
    assert '--sarif-category "$JEPLINT_CATEGORY"' in scan_step["run"]
    assert '"$JEPLINT" scan' in scan_step["run"]
    upload = next(s for s in steps.values() if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["category"] == "${{ inputs.category }}"


def test_readme_workflow_is_complete_for_private_repositories_and_forks() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("# .github/workflows/jeplint.yml\n", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    (step,) = [s for s in workflow["jobs"]["jeplint"]["steps"] if s["uses"].startswith("jeplint/jeplint")]
    assert step["with"]["upload"] == (
        "${{ github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository }}"
    )
    assert "read-only token" in readme and "pull_request_target" in readme


def test_a_report_written_to_a_pipe_is_written_in_it_never_replacing_it(tmp_path: Path) -> None:
    """`--output` naming a FIFO or a character device (`/dev/null`) writes into it: renaming a
    temporary file over it would replace the device itself (as root, `/dev/null`)."""
    import socket
    import stat
    import threading

    from jeplint.output import OutputError, write_atomic

    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    write_atomic(str(fifo), '{"findings": []}\n')
    reader.join(timeout=10)
    assert received == ['{"findings": []}\n']
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe
    plain = tmp_path / "report.json"
    write_atomic(str(plain), "x\n")
    assert (
        plain.read_text(encoding="utf-8") == "x\n"
        and [p.name for p in tmp_path.iterdir() if p.name.startswith(".jeplint-")] == []
    )
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.sock"))
        with pytest.raises(OutputError, match="not a regular file, a character device or a pipe"):
            write_atomic(str(tmp_path / "s.sock"), "x\n")
