"""The command-line contract: formats, exit codes, selection, colour, and bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, assert_valid_sarif

from jeplint.cli import main

BAD_TF = "rules/JEP101-full-wildcard-action/bad.tf"
GOOD_TF = "rules/JEP101-full-wildcard-action/good.tf"
NOTE_ONLY = "rules/JEP102-service-wildcard-action/bad.tf"


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point, as a user or pre-commit runs it."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jeplint", *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=120
    )


def test_exit_0_when_clean() -> None:
    proc = run_cli("scan", GOOD_TF)
    assert proc.returncode == 0
    assert proc.stdout == "No findings in 1 file.\n"
    assert proc.stderr == ""


def test_exit_1_with_text_lines_and_summary() -> None:
    proc = run_cli("scan", BAD_TF)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f'{BAD_TF}:24:18: JEP101 role ci-deployer can perform every AWS action ("*") on every resource through policy deploy, statement 1',
        "Found 1 finding (1 error) in 1 file.",
    ]
    assert "\033[" not in proc.stdout  # not a terminal: no colour


def test_text_is_sorted_by_path_then_line() -> None:
    proc = run_cli("scan", "testdata/examples")
    places = [line.split(": ", 1)[0].rsplit(":", 2) for line in proc.stdout.splitlines()[:-1]]
    keys = [(p, int(line), int(col)) for p, line, col in places]
    assert keys == sorted(keys) and len(keys) == 10
    assert proc.stdout.splitlines()[-1] == "Found 10 findings (6 errors, 4 warnings) in 6 files."


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--fail-on", "error"), 0),  # JEP102 findings here are a warning and a note
        (("--fail-on", "warning"), 1),
        (("--fail-on", "never"), 0),
        ((), 1),  # default: warning
    ],
)
def test_fail_on(args: tuple[str, ...], code: int) -> None:
    assert main(["scan", NOTE_ONLY, *args]) == code


def test_notes_fail_only_when_asked(tmp_path: Path) -> None:
    policy = tmp_path / "inventory.json"
    policy.write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}')
    assert main(["scan", str(policy)]) == 0  # a read-only pattern that reads data is a note
    assert main(["scan", str(policy), "--fail-on", "note"]) == 1


def test_select_and_ignore_prefixes(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "testdata/examples", "--select", "JEP10", "--ignore", "JEP101,jep106", "--format", "json"])
    rules = json.loads(capsys.readouterr().out)["summary"]["by_rule"]
    assert rules == {"JEP102": 2, "JEP103": 1, "JEP104": 1, "JEP105": 1}


@pytest.mark.parametrize("args", [("scan", "--select", "XYZ1"), ("scan", "--format", "xml"), ("bogus",), ()])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert "usage: jeplint" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_path_is_reported_and_exits_2() -> None:
    proc = run_cli("scan", "does/not/exist.tf", BAD_TF)
    assert proc.returncode == 2
    assert "does/not/exist.tf:1:1: error: no such file or directory" in proc.stderr
    assert "JEP101" in proc.stdout


def test_rules_lists_every_rule() -> None:
    proc = run_cli("rules")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    from jeplint.rules import RULES

    assert [line.split()[0] for line in lines] == [r.id for r in RULES] == sorted(r.id for r in RULES)
    assert len(lines) >= 7
    assert lines[0].split(None, 3)[1:3] == ["full-wildcard-action", "error"]


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("jeplint ")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.delenv("NO_COLOR", raising=False)
    main(["scan", BAD_TF])
    assert "\033[31mJEP101\033[0m" in tty.getvalue()
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.setenv("NO_COLOR", "1")
    main(["scan", BAD_TF])
    assert "\033[" not in tty.getvalue()


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    proc = run_cli("scan", BAD_TF, "--format", "sarif", "--output", str(target))
    assert proc.returncode == 1 and proc.stdout == ""
    log = json.loads(target.read_text())
    assert_valid_sarif(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["JEP101"]


def test_default_path_is_current_directory(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text((ROOT / BAD_TF).read_text())
    proc = run_cli("scan", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("main.tf:24:18: JEP101 ")


def test_skipped_directories(tmp_path: Path) -> None:
    for skipped in (".git", ".terraform/modules/x", "node_modules/pkg"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "main.tf").write_text((ROOT / BAD_TF).read_text())
    (tmp_path / "notes.json").write_text('{"name": "not iac"}')
    (tmp_path / "README.yaml").write_text("title: hello\n")
    proc = run_cli("scan", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == (
        "No IaC files found: nothing was analysed (2 files read, none of them Terraform, CloudFormation,"
        " Kubernetes or an IAM policy).\n"
    )


def test_file_content_cannot_forge_terminal_output(tmp_path: Path) -> None:
    """An action name carrying ANSI escapes and a newline is printed escaped, on one line."""
    policy = tmp_path / "evil.json"
    policy.write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "s4:Get\\u001b[32m*\\nok.tf:1:1: JEP000 forged", "Resource": "*"}]}'
    )
    proc = run_cli("scan", str(policy), cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert len(lines) == 2, lines
    assert "\033" not in proc.stdout
    assert "s4:Get\\x1b[32m*\\x0aok.tf:1:1: JEP000 forged" in lines[0]
