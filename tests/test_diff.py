"""`jeplint diff`: small git repositories built in a temporary folder with the real git CLI, one kind
of change each, checked through the command line (exit code and JSON report)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import assert_valid_sarif, shared_corpus

from jeplint.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ROLE = """\
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = "{}"
}
"""
INLINE = """\
resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = [ACTIONS], Resource = "RESOURCE" }] })
}
"""
MODULE = """\
variable "name" {}
variable "actions" { type = list(string) }
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })
}
"""
CALLER = """\
module "app" {
  source  = "../modules/role"
  name    = "app"
  actions = [ACTIONS]
}
"""
FOR_EACH = """\
locals {
  grants = { read = "s3:GetObject", list = "s3:ListBucket"EXTRA }
}
data "aws_iam_policy_document" "worker" {
  dynamic "statement" {
    for_each = local.grants
    content {
      sid       = statement.key
      actions   = [statement.value]
      resources = ["arn:aws:s3:::data/*"]
    }
  }
}
resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "worker" {
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}
"""
ATTACHMENT = """\
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
IRSA_ROLE = """\
resource "aws_iam_role" "api" {
  name               = "api"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "api" {
  role   = aws_iam_role.api.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["sqs:SendMessage"], Resource = "*" }] })
}
"""
IRSA_SA = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: prod
ANNOTATIONS---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: example/api:1
"""
CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: queue-worker
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
      Policies:
        - PolicyName: work
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ["sqs:*"], Resource: "*"}
"""


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_OPTIONAL_LOCKS": "0"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def repository(root: Path, files: dict[str, str]) -> Path:
    """A git repository holding `files`, committed once."""
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def inline(actions: str, resource: str = "*") -> str:
    return INLINE.replace("ACTIONS", actions).replace("RESOURCE", resource)


def diff(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    monkeypatch.chdir(repo)
    code = main(["diff", "--no-cache", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def only(report: dict) -> dict:
    assert len(report["identities"]) == 1, [i["identity"] for i in report["identities"]]
    return report["identities"][0]


def test_action_added_through_a_module_input(tmp_path, monkeypatch, capsys):
    before = CALLER.replace("ACTIONS", '"s3:GetObject", "s3:PutObject"')
    repo = repository(tmp_path, {"modules/role/main.tf": MODULE, "infra/main.tf": before})
    write(repo, {"infra/main.tf": CALLER.replace("ACTIONS", '"s3:GetObject", "s3:PutObject", "iam:PassRole"')})
    code, report = diff(repo, monkeypatch, capsys)
    identity = only(report)
    assert identity["identity"] == "modules/role/aws_iam_role.this@module.app"
    assert (identity["name"], identity["kind"], identity["status"]) == ("app", "role", "changed")
    assert identity["added_actions"] == ["iam:PassRole"] and identity["removed_actions"] == []
    assert identity["added_by_service"] == {"iam": {"actions": 1, "Write": 1}}
    assert identity["gains"] == "write"
    # The token that causes it: the module input written in the caller, in the working tree.
    assert [(loc["path"], loc["line"], loc["column"]) for loc in identity["action_locations"]] == [("infra/main.tf", 4, 46)]
    # PassRole is delegation, not identity administration (JEP301 stays silent); the JEP105 of that
    # policy changed its action list: updated, not new + fixed.
    assert [f["rule_id"] for f in report["findings"]["new"]] == []
    assert [f["rule_id"] for f in report["findings"]["updated"]] == ["JEP105"]
    assert report["findings"]["fixed"] == []
    assert code == 0  # no new finding: the JEP105 it widens is updated, not new (the default --fail-on)


def test_action_added_to_a_for_each_statement(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"infra/worker.tf": FOR_EACH.replace("EXTRA", "")})
    write(repo, {"infra/worker.tf": FOR_EACH.replace("EXTRA", ', put = "s3:PutObject"')})
    code, report = diff(repo, monkeypatch, capsys, "--fail-on", "never")
    identity = only(report)
    assert (identity["identity"], identity["status"]) == ("infra/aws_iam_role.worker", "changed")
    assert identity["added_actions"] == ["s3:PutObject"]
    assert identity["added_by_service"] == {"s3": {"actions": 1, "Write": 1}}
    assert [(loc["line"], loc["column"]) for loc in identity["action_locations"]] == [(2, 67)]  # the local
    assert identity["resources"] == {"added": [], "removed": []}
    assert code == 0  # write is below the default --fail-on-new-privilege (permissions-management)
    assert main(["diff", "--no-cache", "--fail-on", "never", "--fail-on-new-privilege", "write"]) == 1
    assert main(["diff", "--no-cache", "--fail-on", "never", "--fail-on-new-privilege", "never"]) == 0


def test_managed_policy_attachment_added(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject"', "arn:aws:s3:::b/*")})
    write(repo, {"admin.tf": ATTACHMENT})
    code, report = diff(repo, monkeypatch, capsys, "--fail-on", "never")
    identity = only(report)
    assert (identity["identity"], identity["gains"]) == ("aws_iam_role.ci", "permissions management")
    assert len(identity["added_actions"]) > 10_000 and identity["added_by_service"]["iam"]["Permissions management"] > 20
    assert [b["value"] for b in identity["bindings"]["added"]] == [
        "AWS managed policy AdministratorAccess via aws_iam_role_policy_attachment.admin"
    ]
    assert identity["bindings"]["added"][0]["location"]["path"] == "admin.tf"
    assert [r["value"] for r in identity["resources"]["added"]] == ["*"]
    assert [f["rule_id"] for f in report["findings"]["new"]] == ["JEP106"]  # administrator: no JEP401 on top
    assert code == 1  # gains permissions management


def test_irsa_annotation_gives_the_workloads_the_role(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": IRSA_ROLE, "k8s/api.yaml": IRSA_SA.replace("ANNOTATIONS", "")})
    annotation = "  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/api\n"
    write(repo, {"k8s/api.yaml": IRSA_SA.replace("ANNOTATIONS", annotation)})
    code, report = diff(repo, monkeypatch, capsys, "--fail-on", "never", "--fail-on-new-privilege", "write")
    by_key = {i["identity"]: i for i in report["identities"]}
    assert set(by_key) == {"sa:prod/api", "aws_iam_role.api"}
    account, role = by_key["sa:prod/api"], by_key["aws_iam_role.api"]
    assert account["added_actions"] == ["sqs:SendMessage"] and account["gains"] == "write"
    assert [a["value"] for a in account["acts_as"]["added"]] == ["role api (annotation eks.amazonaws.com/role-arn)"]
    assert account["acts_as"]["added"][0]["location"]["line"] == 7
    assert role["added_actions"] == [] and role["gains"] == "none"
    assert [w["value"] for w in role["workloads"]["added"]] == ["Deployment prod/api (as serviceaccount prod/api)"]
    assert [t["value"] for t in role["trust"]["added"]] == ["serviceaccount prod/api (annotation eks.amazonaws.com/role-arn)"]
    assert report["identities"][0]["identity"] == "sa:prod/api"  # biggest risk first
    assert code == 1


def test_narrowing_removes_actions_and_fixes_findings(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject", "iam:PutRolePolicy"')})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject"', "arn:aws:s3:::b/*")})
    code, report = diff(repo, monkeypatch, capsys)
    identity = only(report)
    assert identity["status"] == "changed" and identity["gains"] == "none"
    assert identity["added_actions"] == [] and identity["removed_actions"] == ["iam:PutRolePolicy"]
    assert [r["value"] for r in identity["resources"]["added"]] == ["arn:aws:s3:::b/*"]
    assert [r["value"] for r in identity["resources"]["removed"]] == ["*"]
    assert [e["value"][:6] for e in identity["escalations"]["removed"]] == ["JEP401"]
    assert report["findings"]["new"] == []
    assert sorted(f["rule_id"] for f in report["findings"]["fixed"]) == ["JEP105", "JEP401"]
    assert code == 0


def test_named_arn_becoming_a_wildcard_is_a_change(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:PutObject"', "arn:aws:s3:::b/*")})
    write(repo, {"iam.tf": ROLE + inline('"s3:PutObject"')})
    code, report = diff(repo, monkeypatch, capsys, "--fail-on", "never", "--fail-on-new-privilege", "write")
    identity = only(report)
    assert identity["added_actions"] == [] and identity["removed_actions"] == []
    assert [(r["value"], r["location"]["line"]) for r in identity["resources"]["added"]] == [("*", 7)]
    assert identity["gains"] == "write"
    assert code == 1


def test_rename_and_reformat_report_no_change(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"infra/iam.tf": ROLE + inline('"*"'), "cfn/worker.yaml": CFN})
    git(repo, "mv", "infra/iam.tf", "infra/roles.tf")
    git(repo, "mv", "cfn/worker.yaml", "cfn/queue-worker.yaml")
    reformatted = "\n\n" + (ROLE + inline('"*"')).replace("  role   =", "  role =").replace(" = ", "   =   ")
    write(repo, {"infra/roles.tf": reformatted})
    code, report = diff(repo, monkeypatch, capsys)
    assert report["identities"] == []
    assert report["findings"]["new"] == [] and report["findings"]["fixed"] == []
    assert report["findings"]["unchanged"] > 0
    assert code == 0


def test_identity_added_and_removed(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"cfn/worker.yaml": CFN})
    os.remove(repo / "cfn/worker.yaml")
    write(repo, {"iam.tf": ROLE})
    code, report = diff(repo, monkeypatch, capsys)
    statuses = {(i["identity"], i["status"]) for i in report["identities"]}
    assert statuses == {("aws_iam_role.ci", "added"), ("cfn/worker.yaml#WorkerRole", "removed")}
    removed = next(i for i in report["identities"] if i["status"] == "removed")
    assert len(removed["removed_actions"]) > 10 and removed["location"]["path"] == "cfn/worker.yaml"
    assert code == 0


def test_unchanged_tree_and_working_tree_untouched(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"*"')})
    write(repo, {"iam.tf": ROLE + inline('"s3:*"')})
    git(repo, "add", "iam.tf")
    write(repo, {"notes.txt": "untracked\n"})
    before = (git(repo, "status", "--porcelain"), git(repo, "stash", "list"), git(repo, "diff", "--cached"))
    index_stamp = os.stat(repo / ".git" / "index").st_mtime_ns
    code, report = diff(repo, monkeypatch, capsys, "--base", "HEAD")
    assert os.stat(repo / ".git" / "index").st_mtime_ns == index_stamp
    assert only(report)["removed_by_service"]["iam"]["actions"] > 100
    assert (git(repo, "status", "--porcelain"), git(repo, "stash", "list"), git(repo, "diff", "--cached")) == before
    git(repo, "commit", "-q", "-m", "narrow")
    code, report = diff(repo, monkeypatch, capsys)
    assert (code, report["identities"], report["findings"]["new"], report["findings"]["fixed"]) == (0, [], [], [])


def test_a_subfolder_and_a_base_branch(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"infra/iam.tf": ROLE + inline('"s3:GetObject"'), "other/iam.tf": ROLE})
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"infra/iam.tf": ROLE + inline('"s3:GetObject", "s3:DeleteObject"'), "other/iam.tf": ""})
    git(repo, "commit", "-q", "-am", "widen")
    monkeypatch.chdir(repo / "infra")
    assert main(["diff", "--no-cache", "-f", "json", "--base", "main", "--fail-on", "error", "."]) == 0
    report = json.loads(capsys.readouterr().out)
    identity = only(report)
    assert (identity["identity"], identity["added_actions"]) == ("aws_iam_role.ci", ["s3:DeleteObject"])
    assert identity["action_locations"][0]["path"] == "iam.tf"
    assert report["base"] == "main"


def test_base_that_cannot_be_read_is_exit_2_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iam.tf").write_text(ROLE)
    assert main(["diff"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not inside a git repository" in err
    repo = repository(tmp_path, {"iam.tf": ROLE})
    monkeypatch.chdir(repo)
    assert main(["diff", "--base", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert err == "jeplint: error: unknown git revision 'no-such-branch' (fetch it first, e.g. git fetch origin no-such-branch)\n"
    assert main(["diff", "--base=--output=x"]) == 2
    assert "not a git revision" in capsys.readouterr().err
    assert not (repo / "x").exists()


def test_base_parses_are_reused_without_changing_the_result(tmp_path, monkeypatch):
    from jeplint.diff import engine
    from jeplint.run import Settings, scan

    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:*"'), "cfn/worker.yaml": CFN})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject"')})
    monkeypatch.chdir(repo)
    asked: list[str] = []
    original = engine._reuser

    def counting(files, cwd):
        reuse = original(files, cwd)

        def wrapped(source):
            found = reuse(source)
            asked.append(f"{source.display}:{found is not None}")
            return found

        return wrapped

    monkeypatch.setattr(engine, "_reuser", counting)
    result = engine.run(["."], "HEAD", Settings())
    assert sorted(asked) == ["cfn/worker.yaml:True", "iam.tf:False"]
    # A fresh base scan without reuse sees the same identities and facts.
    git(repo, "stash", "-q")
    fresh = engine.take(scan(["."], Settings()))
    git(repo, "stash", "pop", "-q")
    assert located(fresh) == located(result.base)
    assert len(located(fresh)["aws_iam_role.ci"]["actions"]) > 100


def located(snapshot) -> dict:
    from jeplint.diff.snapshot import locate

    return {
        key: {category: {fact: locate(fact, where) for fact, where in facts.items()} for category, facts in state.facts.items()}
        for key, state in snapshot.states.items()
    }


def test_sarif_baseline_states_are_valid(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject", "iam:PutRolePolicy"'), "cfn/worker.yaml": CFN})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject"', "arn:aws:s3:::b/*"), "admin.tf": ATTACHMENT})
    monkeypatch.chdir(repo)
    assert main(["diff", "--no-cache", "-f", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    states = {(r["ruleId"], r["baselineState"]) for r in log["runs"][0]["results"]}
    # the worker's sqs:* on "*" is JEP105's statement finding (JEP102 defers to it)
    assert {("JEP106", "new"), ("JEP105", "absent"), ("JEP105", "unchanged")} <= states
    assert log["runs"][0]["properties"]["base"] == "HEAD"
    assert main(["diff", "--no-cache", "-f", "sarif", "--omit-absent"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    assert {r["baselineState"] for r in log["runs"][0]["results"]} == {"new", "unchanged"}


HOSTILE = "ci|deploy`rm -rf`\n## <b>boss</b> [x](http://e) *a* _b_ ~c~ $d$ @team &amp;"


def test_markdown_renders_as_intended(tmp_path, monkeypatch, capsys):
    """Tables keep their shape and every value comes back as the literal text, whatever it holds."""
    markdown_it = pytest.importorskip("markdown_it")
    hostile_cfn = CFN.replace("RoleName: queue-worker", f"RoleName: {json.dumps(HOSTILE)}")
    repo = repository(tmp_path, {"cfn/worker.yaml": hostile_cfn.replace('"sqs:*"', '"sqs:SendMessage"')})
    write(repo, {"cfn/worker.yaml": hostile_cfn, "iam.tf": ROLE + inline('"s3:GetObject"') + ATTACHMENT})
    monkeypatch.chdir(repo)
    summary = tmp_path / "summary.md"
    assert main(["diff", "--no-cache", "-f", "markdown", "--summary", str(summary)]) == 1
    text = capsys.readouterr().out
    assert summary.read_text() == text
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(text)
    assert not [t for t in tokens if t.type in ("html_block", "code_block", "fence", "hr")]
    spans = [c.type for t in tokens if t.type == "inline" for c in t.children or []]
    assert not {"html_inline", "code_inline", "link_open", "em_open", "s_open", "image"} & set(spans)
    headings = [
        "".join(c.content for c in tokens[i + 1].children or [] if c.type == "text")
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h3"
    ]
    literal = HOSTILE.replace("\n", " ")
    assert headings == [
        "🔴 role ci: new identity, gains permissions management",  # administrator: the biggest risk first
        f"🔴 role {literal}: changed, gains permissions management",
        "New findings (1)",
    ]
    # Every table row has as many cells as its header.
    widths, rows = [], []
    for i, t in enumerate(tokens):
        if t.type == "thead_open":
            widths.append(0)
        if t.type == "tr_open":
            j, cells = i + 1, 0
            while tokens[j].type != "tr_close":
                cells += tokens[j].type in ("th_open", "td_open")
                j += 1
            rows.append((len(widths), cells))
        if t.type == "th_open":
            widths[-1] += 1
    assert len(widths) == 3 and all(cells == widths[table - 1] for table, cells in rows), (widths, rows)
    assert len(rows) > 6


def test_parallel_base_scan_gives_the_same_report(tmp_path, monkeypatch, capsys):
    """With a warm parse cache the base is scanned in a forked process: same report as one after the other."""
    from jeplint.diff import engine

    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject", "iam:PutRolePolicy"'), "cfn/worker.yaml": CFN})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject"', "arn:aws:s3:::b/*"), "admin.tf": ATTACHMENT})
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(repo)
    forks: list[bool] = []
    original = engine._fork_base
    monkeypatch.setattr(engine, "_fork_base", lambda *a: forks.append(True) or original(*a))
    reports = []
    for _ in range(2):
        assert main(["diff", "-f", "json"]) == 1
        reports.append(json.loads(capsys.readouterr().out))
    assert forks == [True]  # the first run filled the cache; the second forked
    assert reports[0] == reports[1]
    assert {i["identity"] for i in reports[1]["identities"]} == {"aws_iam_role.ci"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_diff_step_writes_summary_sarif_and_outputs(tmp_path):
    """The action's diff step, run as the runner would, on a shallow-free clone with the base present."""
    import sys

    import yaml
    from conftest import ROOT

    step = next(s for s in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"] if s.get("id") == "diff")
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject"')})
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject", "iam:PutRolePolicy"')})
    git(repo, "commit", "-q", "-am", "widen")
    summary, outputs = tmp_path / "summary.md", tmp_path / "github-output"
    summary.write_text("earlier step\n")
    launcher = tmp_path / "bin" / "jeplint"  # the install step's output: here, this checkout's jeplint
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m jeplint "$@"\n')
    launcher.chmod(0o755)
    env = {
        **os.environ,
        "JEPLINT": str(launcher),
        "JEPLINT_CACHE_DIR": str(tmp_path / "cache"),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "JEPLINT_BASE": base,
        "JEPLINT_PATHS": ".",
        "JEPLINT_FAIL_ON": "error",
        "JEPLINT_NEW_PRIVILEGE": "permissions-management",
        "JEPLINT_ARGS": "",
        "JEPLINT_SARIF": "jeplint-diff.sarif",
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs.read_text() == "exit-code=1\nsarif-file=jeplint-diff.sarif\n"  # role ci gains permissions management
    text = summary.read_text()
    assert text.startswith("earlier step\n## jeplint: privilege changes against ")  # appended
    assert "### 🔴 role ci: changed, gains **permissions management**" in text
    log = json.loads((repo / "jeplint-diff.sarif").read_text())
    assert_valid_sarif(log)
    assert {r["baselineState"] for r in log["runs"][0]["results"]} == {"new"}
    env["JEPLINT_BASE"] = ""
    outputs.unlink()
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and outputs.read_text() == "exit-code=2\n"
    assert "::error::jeplint diff needs a base revision" in proc.stdout


@pytest.mark.slow
@pytest.mark.skipif(shared_corpus() is None, reason="the shared corpus (../shared/corpus) is not present")
def test_real_repository_one_policy_widened(tmp_path, monkeypatch, capsys):
    """cloudgoat from the shared real corpus, copied into a temporary repository: two commits, the
    second widens one policy; the diff names exactly that identity, and nothing on an unchanged tree."""
    repo = tmp_path / "cloudgoat"
    shutil.copytree(shared_corpus() / "real" / "cloudgoat", repo, symlinks=True)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    policy = repo / "cloudgoat/scenarios/aws/iam_enum_basics/terraform/iam.tf"
    policy.write_text(policy.read_text().replace('Action   = "iam:ListUsers"', 'Action   = "iam:List*"', 1))
    git(repo, "commit", "-q", "-am", "widen")
    code, report = diff(repo, monkeypatch, capsys, "--base", "HEAD~1", "--fail-on", "never")
    identity = only(report)
    assert identity["identity"] == "cloudgoat/scenarios/aws/iam_enum_basics/terraform/aws_iam_role.flag4_role"
    assert identity["status"] == "changed" and identity["removed_actions"] == []
    assert "iam:ListRoles" in identity["added_actions"] and set(identity["added_by_service"]) == {"iam"}
    assert code == 0  # List actions: below the default --fail-on-new-privilege
    code, report = diff(repo, monkeypatch, capsys, "--base", "HEAD")
    assert (code, report["identities"], report["findings"]["new"], report["findings"]["fixed"]) == (0, [], [], [])
    assert report["findings"]["unchanged"] > 50


def test_text_report(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject"', "arn:aws:s3:::b/*")})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject", "s3:PutObject"', "arn:aws:s3:::b/*")})
    monkeypatch.chdir(repo)
    commit = git(repo, "rev-parse", "HEAD").strip()
    assert main(["diff", "--no-cache", "--fail-on-new-privilege", "write"]) == 1
    assert capsys.readouterr().out == (
        "role ci: changed, gains write [aws_iam_role.ci]\n"
        "  + actions: s3: 1 (Write 1): s3:PutObject  (iam.tf:7:84)\n"
        "\n"
        f"jeplint diff against HEAD ({commit[:12]}): identities 1 changed (1 gaining privilege); "
        "findings: 0 new, 0 fixed, 0 updated, 0 unchanged\n"
    )
    assert main(["diff", "--no-cache"]) == 0  # write is below the default permissions-management


def test_a_failing_base_process_falls_back_to_scanning_here(tmp_path, monkeypatch, capsys):
    from jeplint.diff import engine

    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject", "iam:PutRolePolicy"')})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject"'), "admin.tf": ATTACHMENT})
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(repo)
    assert main(["diff", "-f", "json"]) == 1  # fills the cache
    expected = json.loads(capsys.readouterr().out)

    def broken(snapshot):
        raise RuntimeError("the base's process fails")

    monkeypatch.setattr(engine, "portable", broken)  # inherited by the forked process
    forks: list[bool] = []
    original = engine._fork_base
    monkeypatch.setattr(engine, "_fork_base", lambda *a: forks.append(True) or original(*a))
    assert main(["diff", "-f", "json"]) == 1
    assert forks == [True] and json.loads(capsys.readouterr().out) == expected


USER = """\
resource "aws_iam_user" "uploader" {
  name = "uploader"
}
"""
KEY = """\
resource "aws_iam_access_key" "uploader" {
  user = aws_iam_user.uploader.name
}
"""
TRUSTING = """\
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "PRINCIPAL" } }] })
}
"""


def test_credential_and_trust_added(tmp_path, monkeypatch, capsys):
    trusted = TRUSTING.replace("PRINCIPAL", "arn:aws:iam::123456789012:role/deployer")
    repo = repository(tmp_path, {"users.tf": USER, "roles.tf": trusted})
    write(repo, {"users.tf": USER + KEY, "roles.tf": TRUSTING.replace("PRINCIPAL", "*")})
    code, report = diff(repo, monkeypatch, capsys)
    by_key = {i["identity"]: i for i in report["identities"]}
    assert set(by_key) == {"aws_iam_user.uploader", "aws_iam_role.ci"}
    user, role = by_key["aws_iam_user.uploader"], by_key["aws_iam_role.ci"]
    assert [(c["value"], c["location"]["line"]) for c in user["credentials"]["added"]] == [
        ("aws-access-key aws_iam_access_key.uploader", 4)
    ]
    assert user["gains"] == "none" and user["added_actions"] == []
    assert [t["value"] for t in role["trust"]["added"]] == ["AWS:*"]
    assert [t["value"] for t in role["trust"]["removed"]] == ["AWS:arn:aws:iam::123456789012:role/deployer"]
    assert role["trust"]["added"][0]["location"]["line"] == 3
    assert {f["rule_id"] for f in report["findings"]["new"]} == {"JEP201", "JEP404"}
    assert code == 1  # JEP404 (open trust) is a new error


CHAIN = """\
resource "aws_iam_role" "admin" {
  name               = "admin"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_role.ci.arn } }] })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def test_transitive_reach_gained(tmp_path, monkeypatch, capsys):
    repo = repository(tmp_path, {"iam.tf": ROLE + inline('"s3:GetObject"'), "chain.tf": CHAIN})
    write(repo, {"iam.tf": ROLE + inline('"s3:GetObject", "sts:AssumeRole"', "*")})
    code, report = diff(repo, monkeypatch, capsys, "--fail-on", "never")
    identity = only(report)
    assert identity["identity"] == "aws_iam_role.ci" and identity["added_actions"] == ["sts:AssumeRole"]
    assert [e["value"][:7] for e in identity["escalations"]["added"]] == ["JEP405:"]
    assert "admin" in identity["escalations"]["added"][0]["value"]
    assert identity["gains"] == "permissions management"  # an escalation path gained
    assert sorted(f["rule_id"] for f in report["findings"]["new"]) == ["JEP105", "JEP405"]
    assert code == 1


def test_fixes_of_the_findings_the_change_brings(tmp_path, monkeypatch, capsys):
    """`--diff` prints the fixes of the new findings only (as `scan --diff`); `--fix` writes them and
    compares again; SARIF carries them; a finding the base had already keeps a suggestion at most."""
    held = (Path(__file__).parent.parent / "testdata" / "fix" / "wildcard-held" / "main.tf").read_text()
    fixed = (Path(__file__).parent.parent / "testdata" / "fix-expected" / "wildcard-held" / "main.tf").read_text()
    before = held.replace('"sqs:*", # too wide', '"sqs:SendMessage", # too wide')
    repo = repository(tmp_path, {"queue/main.tf": before, "cfn/worker.yaml": CFN})
    write(repo, {"queue/main.tf": held})
    monkeypatch.chdir(repo)
    assert main(["diff", "--no-cache", "-f", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    with_fixes = [
        (r["ruleId"], r["baselineState"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in log["runs"][0]["results"]
        if "fixes" in r
    ]
    assert with_fixes == [("JEP102", "new", 30)]
    assert main(["diff", "--no-cache", "--diff"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("--- a/queue/main.tf\n+++ b/queue/main.tf\n@@ -27,7 +27,14 @@\n")
    assert '-          "sqs:*", # too wide\n+          "sqs:DeleteMessage",\n' in out
    assert "cfn/worker.yaml" not in out and err == ""
    assert (repo / "queue" / "main.tf").read_text() == held
    assert main(["diff", "--no-cache", "--fix", "-f", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == "jeplint: fixed 1 finding in 1 file\n"
    report = json.loads(out)
    assert report["findings"]["new"] == [] and report["findings"]["updated"] == []
    assert (repo / "queue" / "main.tf").read_text() == fixed
    assert main(["diff", "--no-cache", "--diff"]) == 0
    assert capsys.readouterr().out == ""
