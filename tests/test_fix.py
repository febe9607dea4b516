"""Fixes: each kind's round trip (`--fix`, then a new scan: the fixed findings are gone, none is
new, the files read as the golden ones), `--diff`, and fixes in every output format."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import TESTDATA, assert_valid_sarif

from jeplint.cli import main
from jeplint.fix import apply
from jeplint.fix.attach import attach_scan
from jeplint.options import Options
from jeplint.report import json_report, sarif
from jeplint.run import ScanResult, Settings, scan

CASES = TESTDATA / "fix"
GOLDEN = TESTDATA / "fix-expected"
# case -> the (rule id, line) of every finding that carries a fix
FIXABLE = {
    "wildcard-hcl": [("JEP101", 25), ("JEP102", 35)],
    "wildcard-cfn-json": [("JEP102", 19)],
    "wildcard-cfn-yaml": [("JEP102", 20)],
    "wildcard-held": [("JEP102", 30)],
    "lifetime": [("JEP202", 20), ("JEP203", 4), ("JEP203", 6)],
    "rbac": [("JEP104", 17)],
    "rbac-resources": [("JEP104", 26), ("JEP104", 37)],
    "trust": [("JEP404", 18), ("JEP404", 19)],
    "trust-sub": [("JEP404", 12), ("JEP404", 26), ("JEP404", 15), ("JEP404", 15)],
    "expiry": [("JEP202", 5), ("JEP202", 10)],
    "automount": [("JEP202", 10), ("JEP202", 32)],
}


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # the clock of every fix here (expiry dates)


def _scan(folder: Path) -> ScanResult:
    settings = Settings(options=Options(now=NOW))
    result = scan([str(folder)], settings)
    attach_scan(result, settings)
    return result


@pytest.fixture
def case(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CASES / request.param, tmp_path / request.param)
    return Path(request.param)


@pytest.mark.parametrize("case", sorted(FIXABLE), indirect=True)
def test_fix_round_trip(case: Path) -> None:
    before = _scan(case)
    fixable = sorted((f.rule_id, f.span.line) for f in before.findings if f.fix is not None)
    assert fixable == sorted(FIXABLE[case.name])
    outcome = apply.plan(before.findings)
    assert outcome.fixed == len(fixable) and not outcome.skipped
    apply.write(outcome)
    after = _scan(case)
    fixed = {f.fingerprint for f in before.findings if f.fix is not None}
    assert not [f for f in after.findings if f.fingerprint in fixed]
    assert {(f.rule_id, f.fingerprint) for f in after.findings} <= {(f.rule_id, f.fingerprint) for f in before.findings}
    assert not [f for f in after.findings if f.fix is not None]
    assert not [p for p in after.problems if p.level == "error"]
    for golden in sorted((GOLDEN / case.name).iterdir()):
        assert (case / golden.name).read_text() == golden.read_text(), golden.name


@pytest.mark.parametrize("case", ["wildcard-hcl"], indirect=True)
def test_fix_flag_writes_the_files_and_reports_what_remains(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--no-cache", "--fix", str(case)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "jeplint: fixed 2 findings in 1 file\n"
    assert captured.out == "No findings in 1 file.\n"
    assert (case / "main.tf").read_text() == (GOLDEN / case.name / "main.tf").read_text()


@pytest.mark.parametrize("case", ["lifetime"], indirect=True)
def test_diff_prints_and_changes_nothing(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = (case / "role.tf").read_text()
    assert main(["scan", "--no-cache", "--diff", str(case)]) == 1
    out = capsys.readouterr().out
    assert "--- a/lifetime/role.tf\n+++ b/lifetime/role.tf\n" in out
    assert "-  max_session_duration = 43200 # twelve hours\n+  max_session_duration = 3600 # twelve hours\n" in out
    assert "-              expirationSeconds: 86400\n+              expirationSeconds: 3600\n" in out
    assert (case / "role.tf").read_text() == original
    main(["scan", "--no-cache", "--fix", str(case)])
    capsys.readouterr()
    assert main(["scan", "--no-cache", "--diff", str(case)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("case", ["lifetime"], indirect=True)
def test_fixes_in_every_format(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = _scan(case)
    log = sarif.log(result)
    assert_valid_sarif(log)
    fixed = [r for r in log["runs"][0]["results"] if "fixes" in r]
    assert len(fixed) == 3
    role = next(r for r in fixed if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "lifetime/role.tf")
    assert role["fixes"] == [
        {
            "description": {"text": "Lower 43200 to 3600 (1 hour)"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "lifetime/role.tf", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 4, "startColumn": 26, "endLine": 4, "endColumn": 31},
                            "insertedContent": {"text": "3600"},
                        }
                    ],
                }
            ],
        }
    ]
    report = json_report.report(result)
    entry = next(f for f in report["findings"] if f["location"]["path"] == "lifetime/role.tf")
    assert entry["fix"] == {
        "description": "Lower 43200 to 3600 (1 hour)",
        "edits": [
            {"location": {"path": "lifetime/role.tf", "line": 4, "column": 26, "end_line": 4, "end_column": 31}, "text": "3600"}
        ],
    }
    assert report["summary"]["fixable"] == 3
    main(["scan", "--no-cache", str(case)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("lifetime/role.tf:4:26: JEP203 role deploy allows sessions of up to 12 hours")
    assert lines[1].endswith(" [fix available]")
    main(["scan", "--no-cache", "--format", "github", str(case)])
    annotation = capsys.readouterr().out.splitlines()[1]
    assert annotation.startswith("::warning file=lifetime/role.tf,line=4,col=26,endLine=4,endColumn=31,")
    assert annotation.endswith(" [fix available: Lower 43200 to 3600 (1 hour)]")


def test_no_purpose_gives_a_suggestion_not_a_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "wildcard-cfn-yaml" / "template.yaml").read_text()
    Path("template.yaml").write_text(
        text.replace("      Tags:\n        - Key: jeplint.io/purpose\n          Value: queue-consumer\n", "")
    )
    result = _scan(Path("."))
    [finding] = [f for f in result.findings if f.rule_id == "JEP102"]
    assert finding.fix is None
    assert finding.suggestion == (
        'replace "sqs:*" by the actions this identity needs, or declare its purpose (tag jeplint.io/purpose)'
    )
    report = json_report.report(result)
    assert report["findings"][0]["suggestion"] == finding.suggestion and report["findings"][0]["fix"] is None


def test_a_function_held_by_the_other_statements_narrows_the_wildcard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CASES / "wildcard-held", "held")
    [finding] = _scan(Path("held")).findings
    assert finding.fix is not None and finding.fix.description == (
        'Replace "sqs:*" by the 8 actions of functions sqs data-read, sqs data-write '
        "(what the identity's other statements grant)"
    )
    [edit] = finding.fix.edits
    assert (edit.line, edit.col, edit.end_line, edit.end_col) == (30, 11, 30, 18)


@pytest.mark.parametrize(
    ("other", "why"),
    [
        ('"sqs:ReceiveMessage", "s3:GetObject"', "functions in two services"),
        ('"sqs:Receive*"', "a pattern is not a function held"),
        ('"sqs:ListQueues"', "listing is no function"),
    ],
)
def test_no_function_clearly_held_gives_a_suggestion(
    other: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "wildcard-held" / "main.tf").read_text()
    Path("main.tf").write_text(text.replace('["sqs:ReceiveMessage", "sqs:DeleteMessage"]', f"[{other}]"))
    findings = [f for f in _scan(Path(".")).findings if f.rule_id == "JEP102"]
    assert [(f.span.line, f.fix) for f in findings] == [(30, None)], why
    assert findings[0].suggestion == (
        'replace "sqs:*" by the actions this identity needs, or declare its purpose (tag jeplint.io/purpose)'
    )


def test_a_write_on_every_resource_is_not_written_by_a_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "wildcard-cfn-yaml" / "template.yaml").read_text()
    Path("template.yaml").write_text(text.replace("Resource: arn:aws:sqs:eu-west-1:111122223333:jobs", 'Resource: "*"'))
    # With every rule on, the statement is JEP105's (JEP102 defers to it: one finding per root cause)
    [statement] = [f for f in _scan(Path(".")).findings if f.rule_id in ("JEP102", "JEP105")]
    assert statement.rule_id == "JEP105" and statement.fix is None
    settings = Settings(ignore=("JEP105",), options=Options(now=NOW))
    result = scan(["."], settings)
    attach_scan(result, settings)
    [finding] = [f for f in result.findings if f.rule_id == "JEP102"]
    assert finding.fix is None
    assert finding.suggestion.startswith("replace \"sqs:*\" by the actions of purpose 'queue-consumer' (sqs:DeleteMessage, ")
    assert finding.suggestion.endswith('and name the resources instead of "*"')


def test_sarif_with_fixes_is_schema_valid_for_every_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CASES, tmp_path / "fix")
    log = sarif.log(_scan(Path("fix")))
    assert_valid_sarif(log)
    assert sum(1 for r in log["runs"][0]["results"] if "fixes" in r) == sum(len(v) for v in FIXABLE.values())
    json.dumps(log)


def test_rbac_narrowing_that_still_escalates_is_a_suggestion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "rbac" / "rbac.yaml").read_text()
    text = text.replace('"core/configmaps:modify"', "secrets-read").replace('resources: ["configmaps"]', 'resources: ["secrets"]')
    Path("rbac.yaml").write_text(text)
    [finding] = [f for f in _scan(Path(".")).findings if f.rule_id == "JEP104"]
    assert finding.fix is None
    assert finding.suggestion == (
        "list the verbs the workloads need instead of \"*\": purpose 'secrets-read' needs get, list, watch on secrets, "
        "and read secrets is an escalation path (JEP402)"
    )


@pytest.mark.parametrize(
    ("purpose", "suggestion"),
    [
        (
            "core/configmaps:modify, apps/deployments:modify",
            "purpose 'core/configmaps:modify, apps/deployments:modify' needs get, list, watch, patch on configmaps, "
            "deployments, deployments/scale, deployments/status, and create workloads is an escalation path (JEP402)",
        ),
        ("core/*:modify", "purpose 'core/*:modify' names no single resource for the wildcard resources or API groups"),
        ("s3:data-read", "purpose 's3:data-read' names no single resource for the wildcard resources or API groups"),
    ],
)
def test_rbac_resources_the_purpose_does_not_settle_are_a_suggestion(
    purpose: str, suggestion: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "rbac-resources" / "rbac.yaml").read_text()
    Path("rbac.yaml").write_text(text.replace('"core/configmaps:modify"', f'"{purpose}"'))
    [finding] = [f for f in _scan(Path(".")).findings if f.rule_id == "JEP104" and f.span.line == 26]
    assert finding.fix is None
    assert finding.suggestion == f'list the verbs the workloads need instead of "*": {suggestion}'


def test_rbac_resources_fix_says_what_it_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CASES / "rbac-resources", "r")
    found = {f.span.line: f.fix for f in _scan(Path("r")).findings if f.rule_id == "JEP104"}
    assert found[26] is not None and found[26].description == (
        "Replace \"*\" by what purpose 'core/configmaps:modify' needs (annotation jeplint.io/purpose): "
        "apiGroups (core); resources configmaps"
    )
    assert [(e.line, e.col, e.new_text) for e in found[26].edits] == [(24, 17, '""'), (26, 9, '"configmaps"')]
    assert found[37] is not None and [(e.line, e.new_text) for e in found[37].edits] == [
        (36, '"configmaps"'),
        (37, '"get", "list", "watch"'),
    ]


def test_trust_without_a_named_repository_is_a_suggestion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "trust" / "github.yaml").read_text()
    Path("github.yaml").write_text(
        text.replace(
            "    Default: website\n", "    Default: acme/website\n  Other:\n    Type: String\n    Default: acme/other-repo\n"
        )
        .replace("RepositoryName", "Repository")
        .replace("Other", "OtherRepository")
    )
    [finding] = _scan(Path(".")).findings
    assert finding.fix is None
    assert finding.suggestion == (
        'pin token.actions.githubusercontent.com:sub to one repository, for example "repo:OWNER/NAME:ref:refs/heads/main" '
        "(no single repository is named in this file)"
    )


@pytest.mark.parametrize(
    ("old", "new", "inserted"),
    [
        (
            "Condition = {\n        # only tokens for AWS\n        StringEquals = {",
            "Condition = { StringEquals = {",
            ', StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/deploy:*" }',
        ),
        (
            '"sts.amazonaws.com" }\n      }',
            '"sts.amazonaws.com" }\n        StringLike = { "token.actions.githubusercontent.com:aud" = "sts*" }\n      }',
            None,
        ),
    ],
)
def test_sub_condition_added_inline_or_left_in_words(
    old: str, new: str, inserted: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "trust-sub" / "github.tf").read_text()
    assert old in text
    Path("github.tf").write_text(text.replace(old, new))
    [finding] = [f for f in _scan(Path(".")).findings if f.span.line == 12]
    if inserted is None:  # a second StringLike operator would be a duplicate key
        assert finding.fix is None
        assert finding.suggestion == (
            'pin token.actions.githubusercontent.com:sub to one repository, for example "repo:OWNER/NAME:ref:refs/heads/main": '
            "add a StringLike condition token.actions.githubusercontent.com:sub = repo:acme/deploy:*"
        )
        return
    assert finding.fix is not None and [e.new_text for e in finding.fix.edits] == [inserted]
    outcome = apply.plan([finding])
    apply.write(outcome)
    assert not [f for f in _scan(Path(".")).findings if f.span.line == 12]


def test_a_trust_with_no_condition_is_a_suggestion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "trust-sub" / "github.json").read_text()
    start = text.index(',\n              "Condition"')
    Path("github.json").write_text(text[:start] + text[text.index("\n            }\n          ]") :])
    [finding] = _scan(Path(".")).findings
    assert finding.fix is None and finding.suggestion.endswith(
        "add a StringLike condition token.actions.githubusercontent.com:sub = repo:acme/api:*"
    )


def test_automount_in_a_flow_style_spec_is_said_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (CASES / "automount" / "site.yaml").read_text()
    old = "    spec:\n      # static site: never talks to the API server\n      serviceAccountName: web\n      containers:\n        - name: web\n          image: nginx:1.27\n"
    assert old in text
    Path("site.yaml").write_text(
        text.replace(old, "    spec: {serviceAccountName: web, containers: [{name: web, image: nginx:1.27}]}\n")
    )
    found = {f.span.line: f for f in _scan(Path(".")).findings}
    assert sorted(found) == [10, 27]
    assert found[10].fix is None and found[10].suggestion == "set automountServiceAccountToken: false in its pod spec"
    assert found[27].fix is not None and found[27].fix.description == (
        "Add automountServiceAccountToken: false to the pod spec of CronJob shop/report"
    )


def test_automount_of_a_terraform_workload_is_said_in_its_own_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(TESTDATA / "fix-words" / "automount.tf", "main.tf")
    [finding] = _scan(Path(".")).findings
    assert (finding.rule_id, finding.span.line, finding.level) == ("JEP202", 10, "note")
    assert finding.fix is None and finding.suggestion == "set automount_service_account_token = false in its pod spec"


def test_write_is_atomic_and_keeps_links_and_modes(tmp_path: Path) -> None:
    from jeplint.fix import text as textedit

    target = tmp_path / "real.tf"
    target.write_text("a = 1\r\n")
    target.chmod(0o640)
    link = tmp_path / "link.tf"
    link.symlink_to(target)
    textedit.write_atomic(str(link), "a = 2\r\n")
    assert link.is_symlink() and target.read_bytes() == b"a = 2\r\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.tf", "real.tf"]  # no temporary file left


def test_scan_imports_no_language_server_and_a_clean_scan_no_fix_module() -> None:
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import sys\n"
        "from jeplint.cli import main\n"
        "code = main(['scan', '--no-cache', sys.argv[1]])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('pygls', 'lsprotocol'))}),"
        " sorted(m for m in sys.modules if m.startswith('jeplint.fix')))\n"
    )
    for fixture, fix_modules in (("good.tf", "[]"), ("bad.tf", "['jeplint.fix', 'jeplint.fix.attach'")):
        out = subprocess.run(
            [sys.executable, "-c", code, f"rules/JEP101-full-wildcard-action/{fixture}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT)},
        ).stdout.splitlines()[-1]
        assert out.startswith("[] " + fix_modules), out


def test_standard_input_gets_a_diff_never_a_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    from conftest import ROOT

    text = (CASES / "lifetime" / "role.tf").read_text()
    (tmp_path / "role.tf").write_text("# a different file on disk, by the same name\n")

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jeplint", "scan", "--no-cache", *flags, "-", "--stdin-filename", "role.tf"],
            cwd=tmp_path,
            input=text,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT)},
        )

    diff = run("--diff")
    assert diff.returncode == 1
    assert "-  max_session_duration = 43200 # twelve hours\n+  max_session_duration = 3600 # twelve hours\n" in diff.stdout
    fix = run("--fix")
    assert fix.returncode == 2 and fix.stderr == "jeplint: error: --fix cannot write standard input; use --diff\n"
    assert (tmp_path / "role.tf").read_text() == "# a different file on disk, by the same name\n"
