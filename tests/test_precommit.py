"""The pre-commit hook: `--context-dirs` (what the hook runs), then the hook run for real with
`pre-commit try-repo` against temporary git repositories.

The hook repository is a committed snapshot of this working tree (so uncommitted changes are what
is tested and the hook environment is built once, from one revision). pre-commit installs jeplint
into a fresh environment from PyPI the first time (PRE_COMMIT_HOME is per test module).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from jeplint.cli import main

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_pre_commit = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed (pip install '.[test]')"
)

SNAPSHOT = ("pyproject.toml", "README.md", "LICENSE", "NOTICE", ".pre-commit-hooks.yaml", "jeplint", "rules")
ROLE = 'resource "aws_iam_role" "deployer" {\n  name               = "ci-deployer"\n  assume_role_policy = "{}"\n}\n'
POLICY = """\
resource "aws_iam_role_policy" "deploy" {{
  name   = "deploy"
  role   = aws_iam_role.deployer.id
  {comment}
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}] }})
}}
"""
OTHER = """\
resource "aws_iam_role_policy" "other" {
  name   = "other"
  role   = aws_iam_role.deployer.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""
# The projects keep to the wildcard family (their files are written for it); the hook finds this
# configuration as any user's.
CONFIG = 'select = ["JEP10"]\n'
FINDING = 'infra/policies.tf:5:67: JEP101 role ci-deployer can perform every AWS action ("*") on every resource through policy deploy, statement 1'


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(repository, revision): this working tree's package files, committed."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in SNAPSHOT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_catalogue"))
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def project(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "init", "-q")
    git(path, "add", "-A")
    return path


def try_repo(cwd: Path, hook: tuple[Path, str], home: Path, *selection: str) -> tuple[int, str, list[str]]:
    """(exit code, full output, the `path:line:col:` lines the hook printed)."""
    repo, rev = hook
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "jeplint", "--ref", rev, "--color", "never", *selection]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    output = proc.stdout + proc.stderr
    return proc.returncode, output, [line for line in output.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Terraform module: the role, the policy attached to it, another policy; cwd = its parent."""
    files = {
        ".jeplint.toml": CONFIG,
        "infra/roles.tf": ROLE,
        "infra/policies.tf": POLICY.format(comment=""),
        "infra/other.tf": OTHER,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_context_dirs_reads_the_folder_and_reports_the_named_files(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--context-dirs", "infra/policies.tf"]) == 1
    assert capsys.readouterr().out.splitlines() == [FINDING, "Found 1 finding (1 error) in 3 files."]
    # Without the folder, the role the policy is attached to is unknown.
    assert main(["scan", "infra/policies.tf"]) == 1
    assert "it is attached to no identity in the scan" in capsys.readouterr().out


def test_context_dirs_with_a_directory_reports_everything_under_it(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--context-dirs", "infra", "--format", "json"]) == 1
    paths = [f["location"]["path"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert paths == ["infra/other.tf", "infra/policies.tf"]


def test_a_broken_context_file_is_a_note_not_a_failure(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "infra" / "broken.tf").write_text('resource "x" "y" {\n')
    assert main(["scan", "--context-dirs", "infra/policies.tf"]) == 1  # the finding; not 2
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == FINDING
    assert captured.err.splitlines() == [
        "jeplint: configuration: .jeplint.toml (only rules JEP10)",  # every run says what its configuration does
        "infra/broken.tf:2:1: note: unexpected end of file, expected '}' (read as context only)",
    ]
    assert main(["scan", "--context-dirs", "infra/broken.tf"]) == 2  # named: an error as always
    capsys.readouterr()


@needs_pre_commit
def test_manifest_is_valid() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


@pytest.mark.slow
@needs_git
@needs_pre_commit
def test_hook_fails_on_a_violation_and_passes_once_suppressed(tmp_path: Path, hook: tuple[Path, str], home: Path) -> None:
    repo = project(
        tmp_path / "project",
        {
            ".jeplint.toml": CONFIG,
            "infra/roles.tf": ROLE,
            "infra/policies.tf": POLICY.format(comment=""),
            "infra/other.tf": OTHER,
        },
    )

    # Only policies.tf changed: its finding is reported with the role from roles.tf (context); the
    # finding in other.tf, a file pre-commit did not pass, is not.
    code, output, lines = try_repo(repo, hook, home, "--files", "infra/policies.tf")
    assert code == 1, output
    assert "jeplint (just-enough-privilege linter)" in output and "Failed" in output
    assert lines == [FINDING]

    # An expired suppression no longer hides the finding, and says so.
    (repo / "infra/policies.tf").write_text(POLICY.format(comment='# jeplint:ignore=JEP101 reason="migration" until=2020-01-31'))
    code, output, lines = try_repo(repo, hook, home, "--files", "infra/policies.tf")
    assert code == 1, output
    assert lines == [
        FINDING,
        "infra/policies.tf:4:5: warning: suppression of JEP101 expired on 2020-01-31; its findings are reported again",
    ]

    # A suppression with a reason: the hook passes.
    (repo / "infra/policies.tf").write_text(POLICY.format(comment='# jeplint:ignore=JEP101 reason="break-glass role, SEC-42"'))
    code, output, lines = try_repo(repo, hook, home, "--files", "infra/policies.tf")
    assert code == 0, output
    assert re.search(r"jeplint \(just-enough-privilege linter\)\.+Passed", output) and lines == []


@pytest.mark.slow
@needs_git
@needs_pre_commit
def test_clean_repository_passes(tmp_path: Path, hook: tuple[Path, str], home: Path) -> None:
    scoped = POLICY.format(comment="").replace(
        'Action = "*", Resource = "*"', 'Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*"'
    )
    repo = project(
        tmp_path / "clean",
        {".jeplint.toml": CONFIG, "infra/roles.tf": ROLE, "infra/policies.tf": scoped, "README.md": "# a project\n"},
    )
    code, output, lines = try_repo(repo, hook, home, "--all-files")
    assert code == 0, output
    assert re.search(r"jeplint \(just-enough-privilege linter\)\.+Passed", output) and lines == []


@pytest.mark.slow
@needs_git
@needs_pre_commit
def test_diff_hook_compares_the_staged_content_with_head(tmp_path: Path, hook: tuple[Path, str], home: Path) -> None:
    """`jeplint-diff`: pre-commit stashes the unstaged change, so only the staged one is judged."""
    scoped = POLICY.format(comment="").replace('Action = "*", Resource = "*"', 'Action = "s3:GetObject", Resource = "*"')
    files = {".jeplint.toml": 'fail-on = "error"\n', "infra/roles.tf": ROLE, "infra/policies.tf": scoped}
    repo = project(tmp_path / "diff", files)
    git(repo, "commit", "-q", "-m", "base")
    repo_path, rev = hook
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    command = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(repo_path),
        "jeplint-diff",
        "--ref",
        rev,
        "--color",
        "never",
        "--verbose",
    ]

    # Staged: s3:PutObject (write, below the default --fail-on-new-privilege, and JEP105 is a new
    # warning). Unstaged: iam:PutRolePolicy, which the hook must not see.
    (repo / "infra/policies.tf").write_text(scoped.replace('"s3:GetObject"', '["s3:GetObject", "s3:PutObject"]'))
    git(repo, "add", "infra/policies.tf")
    (repo / "infra/policies.tf").write_text(
        scoped.replace('"s3:GetObject"', '["s3:GetObject", "s3:PutObject", "iam:PutRolePolicy"]')
    )
    proc = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "role ci-deployer: changed, gains write" in output
    assert "+ actions: s3: 1 (Write 1): s3:PutObject  (infra/policies.tf:5:" in output
    assert "iam:PutRolePolicy" not in output
    assert "iam:PutRolePolicy" in (repo / "infra/policies.tf").read_text()  # the unstaged change is back

    # Staged as well: the role gains permissions management, and the hook fails.
    git(repo, "add", "infra/policies.tf")
    proc = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "role ci-deployer: changed, gains permissions management" in output
