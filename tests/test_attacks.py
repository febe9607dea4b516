"""Issue 20: a hostile repository gains nothing by being scanned. One attack per numbered item of the
issue, each as the attacker would mount it (these failed on the code before the fix), then the
defences that already held, kept as regression tests (`test_held_*`)."""

from __future__ import annotations

import json
import os
import pickle
import pickletools
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from jeplint.cache import ParseCache
from jeplint.cache_codec import CodecError, load_tables
from jeplint.cli import main
from jeplint.parse import hcl_shipped

POLICIES_TF = ROOT / "testdata" / "examples" / "terraform" / "policies.tf"


def _scan_json(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = Path(f"report-{os.getpid()}-{len(args)}.json").absolute()
    code = main(["scan", *args, "--format", "json", "--output", str(out), "--fail-on", "never"])
    data = json.loads(out.read_text())
    out.unlink()
    return code, data


# -- 1. the parse cache cannot run code ----------------------------------------------------------


def _lark_gadget(evil: Path) -> bytes:
    """A pickle made only of Lark classes and functools.partial (what the old restricted unpickler
    admitted): `partial(Lark, grammar, parser="lalr", cache=evil)()` makes Lark call the unrestricted
    `pickle.load` on `evil`, a file in the scanned repository."""
    import functools

    import lark

    gadget = functools.partial(lark.Lark, 'start: "a"', parser="lalr", cache=str(evil))

    class Call:
        def __reduce__(self) -> tuple[object, tuple[()]]:
            return gadget, ()

    return pickletools.optimize(pickle.dumps(Call(), protocol=4))


class _Plant:
    """`pickle.load` of this makes the folder `marker`: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def test_attack_planted_lark_gadget_in_the_cache_runs_nothing(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jeplint.parse import hcl

    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copyfile(POLICIES_TF, repo / "main.tf")
    marker = tmp_path / "pwned"
    (repo / "evil.bin").write_bytes(b"x\n" + pickle.dumps(_Plant(marker)))
    monkeypatch.chdir(repo)
    monkeypatch.setattr(hcl, "_PARSER", [])
    expected = _scan_json("--no-cache", "main.tf")
    store = ParseCache.open()
    assert store is not None
    gadget = _lark_gadget(repo / "evil.bin")
    Path(store.folder, "hcl-parser").write_bytes(gadget)  # where the old cache kept its parser
    Path(store.folder, "hcl-tables").write_bytes(gadget)
    _, entry = store.lookup("main.tf", "main.tf")
    assert entry is not None
    Path(store.folder, entry.key[:2]).mkdir(mode=0o700)
    Path(store.folder, entry.key[:2], entry.key[2:]).write_bytes(gadget)
    for flags in ((), ("--no-cache",)):
        monkeypatch.setattr(hcl, "_PARSER", [])
        assert _scan_json(*flags, "main.tf") == expected
    assert not marker.exists()
    # The package's own tables match this install: the cache folder's are not even read.
    assert Path(store.folder, "hcl-tables").read_bytes() == gadget
    monkeypatch.setattr(hcl_shipped, "shipped_parser", lambda: None)  # as with another python-hcl2 or lark
    for flags in ((), ("--no-cache",)):
        monkeypatch.setattr(hcl, "_PARSER", [])
        assert _scan_json(*flags, "main.tf") == expected
    assert not marker.exists()
    assert not Path(store.folder, "hcl-tables").read_bytes().startswith(b"\x80")  # rebuilt as plain data


def test_attack_partial_and_planted_entries_are_ignored_and_rebuilt(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(POLICIES_TF, tmp_path / "main.tf")
    monkeypatch.chdir(tmp_path)
    expected = _scan_json("--no-cache", "main.tf")
    assert _scan_json("main.tf") == expected
    store = ParseCache.open()
    assert store is not None
    _, entry = store.lookup("main.tf", "main.tf")
    assert entry is not None
    target = Path(store.folder, entry.key[:2], entry.key[2:])
    good = target.read_bytes()
    target.write_bytes(good[: len(good) // 2])  # a partial write
    assert store.lookup("main.tf", "main.tf")[0] is None
    assert _scan_json("main.tf") == expected
    assert target.read_bytes() == good  # rebuilt
    tables = Path(store.folder, "hcl-tables")
    monkeypatch.setattr(hcl_shipped, "shipped_parser", lambda: None)  # the folder's tables serve another grammar or lark
    store.hcl_parser()  # the tables are written when a parser is first made in this cache
    tables.write_bytes(tables.read_bytes()[:-10] + b"]]]]]]]]]]")  # digest no longer matches
    with pytest.raises(CodecError):
        load_tables(tables.read_bytes())
    store.hcl_parser()
    assert load_tables(tables.read_bytes())  # rebuilt, and its digest matches again


def _stored(tmp_path: Path) -> tuple[ParseCache, str, Path]:
    """A cache holding the parse of a copy of POLICIES_TF: (the cache, the copy, its entry's file)."""
    from jeplint.cache import parse_and_store

    shutil.copyfile(POLICIES_TF, tmp_path / "main.tf")
    store = ParseCache.open()
    assert store is not None
    path = str(tmp_path / "main.tf")
    _, entry = store.lookup(path, "main.tf")
    assert entry is not None
    parse_and_store(path, "main.tf", entry, 1 << 20, store)
    return store, path, Path(store.folder, entry.key[:2], entry.key[2:])


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_attack_entries_owned_by_another_user_or_writable_by_others_are_not_read(tmp_path: Path, cache_dir: Path) -> None:
    store, path, target = _stored(tmp_path)
    assert store.lookup(path, "main.tf")[0] is not None
    target.chmod(0o666)
    assert store.lookup(path, "main.tf")[0] is None
    target.chmod(0o600)
    os.chown(target, 4242, 4242)
    assert store.lookup(path, "main.tf")[0] is None
    os.chown(target, 0, 0)
    os.chown(target.parent, 4242, 4242)  # the parent folder is checked too
    assert store.lookup(path, "main.tf")[0] is None


def test_attack_a_folder_swapped_for_a_link_mid_scan_is_not_followed(tmp_path: Path, cache_dir: Path) -> None:
    store, path, target = _stored(tmp_path)
    assert store.lookup(path, "main.tf")[0] is not None
    elsewhere = tmp_path / "elsewhere"
    os.rename(store.folder, elsewhere)  # the attacker's copy, planted entries and all
    os.symlink(elsewhere, store.folder)
    assert store.lookup(path, "main.tf")[0] is None
    os.unlink(store.folder)
    os.rename(elsewhere, store.folder)
    os.rename(target.parent, tmp_path / "sub")
    os.symlink(tmp_path / "sub", target.parent)
    assert store.lookup(path, "main.tf")[0] is None
    assert (tmp_path / "sub" / target.name).is_file()  # there, but reached only through a link: not read


# -- 2. outputs are written safely -----------------------------------------------------------------

BAD_TF = (ROOT / "rules" / "JEP101-full-wildcard-action" / "bad.tf").read_text()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scanned repository as the working directory, with one JEP101 finding, and a folder beside it."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(BAD_TF)
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(tmp_path / "cache"))
    return root


def test_attack_symlinked_output_is_not_written_through(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bashrc = repo.parent / "home" / ".bashrc"
    bashrc.write_text("echo hello\n")
    os.symlink("../home/.bashrc", repo / "jeplint.sarif")  # committed in the repository
    assert main(["scan", ".", "--format", "sarif", "--output", "jeplint.sarif"]) == 2
    assert bashrc.read_text() == "echo hello\n"
    assert os.readlink(repo / "jeplint.sarif") == "../home/.bashrc"
    err = capsys.readouterr().err
    assert (
        err
        == "jeplint: error: not written: jeplint.sarif is a symbolic link: not written through (remove it, or name another file)\n"
    )
    os.symlink("../home/.bashrc", repo / "graph.json")
    assert main(["graph", ".", "--output", "graph.json"]) == 2
    assert main(["scan", ".", "--write-baseline", "graph.json"]) == 2
    assert bashrc.read_text() == "echo hello\n"


def test_attack_output_outside_the_working_directory_needs_an_absolute_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(repo.parent / "home", repo / "reports")  # a folder link out of the repository
    for name in ("../home/out.json", "reports/out.json"):
        assert main(["scan", ".", "--format", "json", "--output", name]) == 2
        assert f"jeplint: error: not written: {name} is outside the working directory" in capsys.readouterr().err
    assert not (repo.parent / "home" / "out.json").exists()
    absolute = repo.parent / "home" / "out.json"
    assert main(["scan", ".", "--format", "json", "--output", str(absolute)]) == 1  # the user's own choice
    assert json.loads(absolute.read_text())["findings"][0]["rule_id"] == "JEP101"


def test_output_makes_missing_folders_and_replaces_the_file_whole(repo: Path) -> None:
    assert main(["scan", ".", "--format", "sarif", "--output", "out/reports/jeplint.sarif"]) == 1
    target = repo / "out" / "reports" / "jeplint.sarif"
    assert json.loads(target.read_text())["runs"][0]["results"][0]["ruleId"] == "JEP101"
    assert [p.name for p in target.parent.iterdir()] == ["jeplint.sarif"]  # no temporary file left
    inode = target.stat().st_ino
    assert main(["scan", ".", "--format", "text", "--output", "out/reports/jeplint.sarif"]) == 1
    assert target.read_text().startswith("main.tf:24:18: JEP101 ")
    assert target.stat().st_ino != inode  # a new file renamed into place, not rewritten in place


# -- 6. paths named on the command line stay inside the working directory ---------------------------


def test_attack_path_argument_linking_outside_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret-name.tf").write_text(BAD_TF)
    os.symlink(elsewhere, repo / "infra")
    assert main(["scan", "infra", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "secret-name" not in captured.err
    assert captured.err == "jeplint: error: infra leads outside the working directory (--follow-outside to scan it)\n"
    assert main(["scan", str(repo / "infra"), "--format", "json"]) == 2  # absolute, but through the link
    assert main(["scan", "../elsewhere"]) == 2
    capsys.readouterr()
    assert main(["scan", "infra", "--format", "json", "--follow-outside"]) == 1
    assert "infra/secret-name.tf" in capsys.readouterr().out


# -- 7. human-facing outputs are neutralised ---------------------------------------------------------

HOSTILE_NAME = "ci\\u001b]0;pwned\\u0007\\u001b[2J\\u202egnp.exe\\u0085\\n```\\n# injected"


def test_attack_stop_commands_file_name_cannot_issue_a_workflow_command(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "::stop-commands::tok.yaml").write_text("Statement: [\n")  # cannot be parsed: a problem line
    (repo / "::error::x.tf").write_text(BAD_TF)
    for fmt in ("text", "json", "sarif", "github"):
        assert main(["scan", ".", "--format", fmt]) == 2
        captured = capsys.readouterr()
        for line in (captured.err + (captured.out if fmt == "text" else "")).splitlines():
            assert not line.startswith("::"), (fmt, line)
        if fmt == "github":
            assert all(
                line.startswith(("::error file=", "::warning file=", "::notice file=", "Found"))
                for line in captured.out.splitlines()
            )
            assert "file=%3A%3Astop-commands%3A%3Atok.yaml" in captured.out
    assert main(["scan", ".", "--format", "text"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("\\x3a:stop-commands::tok.yaml:2:1: error: ")


def test_attack_terminal_escapes_and_bidi_from_file_contents_are_neutralised(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "main.tf").write_text(BAD_TF.replace('"ci-deployer"', f'"{HOSTILE_NAME}"'))
    for fmt in ("text", "github"):
        assert main(["scan", ".", "--format", fmt]) == 1
        out = capsys.readouterr().out
        assert not any(ch in out for ch in "\x1b\x07\u202e\x85"), fmt
        assert "ci\\x1b]0;pwned\\x07\\x1b[2J\\u202egnp.exe\\u0085" in out
        assert len(out.splitlines()) == 2  # one finding, one summary: no forged lines


def test_attack_role_name_with_newline_cannot_leave_the_mermaid_fence(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "main.tf").write_text(BAD_TF.replace('"ci-deployer"', f'"{HOSTILE_NAME}"'))
    assert main(["graph", ".", "--format", "mermaid"]) == 0
    chart = capsys.readouterr().out
    assert not any(line.startswith(("```", "#")) for line in chart.splitlines())
    assert all(line == "flowchart LR" or line.startswith("  ") for line in chart.splitlines())
    assert "\\x0a#96;#96;#96;\\x0a# injected" in chart
    assert main(["graph", ".", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert "\x1b" not in dot and "\\\\x0a```\\\\x0a# injected" in dot
    assert not any(line.startswith(("```", "#")) for line in dot.splitlines())


# -- 3. one deadline for the whole run; every stage linear --------------------------------------------

sys.path.insert(0, str(ROOT / "bench"))
from hostile_growth import admin_role_tf, nested_sub_yaml, rbac_alias_yaml, roles_tf  # noqa: E402


def _timed(*args: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    out = Path("report.json").absolute()
    code = main(["scan", *args, "--format", "json", "--output", str(out)])
    seconds = time.perf_counter() - started
    return seconds, code, out.read_text()


def test_attack_25_role_chain_finishes_under_a_5_second_deadline(repo: Path) -> None:
    (repo / "main.tf").unlink()
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(roles_tf(25) + admin_role_tf())
    main(["scan", "infra", "--format", "json", "--output", "warm.json"])  # parser tables cached
    seconds, code, report = _timed("infra", "--timeout", "5", "--select", "JEP405")
    assert (code, seconds < 5) == (1, True), seconds
    findings = json.loads(report)["findings"]
    assert len(findings) == 25 and all(f["rule_id"] == "JEP405" and f["level"] == "error" for f in findings)
    first = findings[0]["message"]
    assert first.startswith("role r0 can escalate to administrator by assuming roles (role r0 → role admin): "), first


def test_assume_role_edges_are_built_once_by_the_graph(repo: Path) -> None:
    """20 roles that all trust the account root and hold sts:AssumeRole on "*" (issue 16): < 0.1 s."""
    from jeplint.graph.assume import assume_edges
    from jeplint.options import Options
    from jeplint.rules import jep405_transitive_escalation
    from jeplint.run import Settings, scan

    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(roles_tf(20))
    graph = scan(["infra"], Settings(select=("JEP405",))).graph
    started = time.perf_counter()
    assert list(jep405_transitive_escalation.check(graph, Options())) == []  # nobody reaches anything
    assert time.perf_counter() - started < 0.1
    edges = assume_edges(graph)
    assert assume_edges(graph) is edges  # once per graph
    assert sum(len(steps) for steps in edges.values()) == 20 * 19


def test_attack_nested_placeholders_finish_under_a_5_second_deadline(repo: Path) -> None:
    (repo / "main.tf").unlink()
    (repo / "t.yaml").write_text(nested_sub_yaml(120))
    seconds, code, report = _timed(".", "--timeout", "5")
    assert (code, seconds < 5) == (0, True), seconds
    assert json.loads(report)["summary"]["files_analysed"] == 1


def test_placeholders_are_found_as_the_regular_expressions_did() -> None:
    import random
    import re

    from jeplint.placeholders import substitute

    strict, loose = re.compile(r"\$\{([^}!][^}]*)\}"), re.compile(r"\$\{[^}]*\}")
    rnd = random.Random(20)
    for _ in range(20_000):
        text = "".join(rnd.choice("${}!a:") for _ in range(rnd.randrange(14)))
        assert substitute(text, lambda name, whole: f"<{name}>", bang=False) == strict.sub(lambda m: f"<{m.group(1)}>", text)
        assert substitute(text, lambda name, whole: f"<{name}>") == loose.sub(lambda m: f"<{m.group(0)[2:-1]}>", text)


def test_attack_rbac_lists_repeated_through_aliases_are_expanded_once(repo: Path) -> None:
    from jeplint.catalog.k8s import expand

    verbs, names = ["get", "list", "watch"] * 3000, [f"res{i % 40}" for i in range(3000)]
    started = time.perf_counter()
    expanded = expand(verbs, [""] * 3000, names)
    assert time.perf_counter() - started < 0.5 and len(expanded) == 3 * 40
    (repo / "r.yaml").write_text(rbac_alias_yaml(200))
    seconds, code, _ = _timed("r.yaml", "--timeout", "5")
    assert (code, seconds < 5) == (1, True), seconds


def test_attack_backtracking_exclude_glob_is_matched_in_linear_time(repo: Path) -> None:
    from jeplint.globmatch import Glob

    path = "/".join(["d"] * 100) + "/x.tf"
    glob = Glob("**/**/**/**/**/**/zz")
    started = time.perf_counter()
    assert not any(glob.match(path) for _ in range(100))
    assert time.perf_counter() - started < 1
    assert Glob("**/**/**/d/x.tf").match(path) and Glob("d/**/x.tf").match(path) and not Glob("/x.tf").match(path)


def test_the_deadline_covers_the_rules_too(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from jeplint import rules
    from jeplint.rules.base import Rule

    def endless(graph: object, options: object) -> Iterator[object]:
        while True:
            time.sleep(0.01)
            yield from ()

    slow = Rule("JEP405", endless)  # type: ignore[arg-type]
    real = rules.rule
    monkeypatch.setattr("jeplint.rules.rule", lambda rule_id: slow if rule_id == "JEP405" else real(rule_id))
    started = time.perf_counter()
    assert main(["scan", ".", "--timeout", "1.5", "--format", "json"]) == 2
    assert time.perf_counter() - started < 5
    captured = capsys.readouterr()
    assert (
        "<jeplint>:1:1: error: not analysed: time limit of 1.5 s reached (--timeout) rules not run to the end: JEP405"
        in captured.err
    )
    assert '"rule_id": "JEP101"' in captured.out  # what finished is still reported


# -- 4. baselines are bound to what they accept ------------------------------------------------------

ESCALATION_TF = """resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}
resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], Resource = "*" }EXTRA]
  })
}
"""


def test_attack_forged_baseline_entries_accept_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "old.tf").write_text(BAD_TF.replace('"deployer"', '"old"').replace("deployer.id", "old.id"))
    assert main(["scan", "old.tf", "--write-baseline", "base.json"]) == 0
    good = json.loads((repo / "base.json").read_text())["findings"]
    _, report = _scan_json(".")
    new = next(f for f in report["findings"] if f["rule_id"] == "JEP101" and f["location"]["path"] == "main.tf")
    forged = [
        {**good[0], "fingerprint": new["fingerprint"]},  # relabelled: another rule's, another file's fingerprint
        {**good[0], "fingerprint": new["fingerprint"], "rule_id": "JEP101", "path": "old.tf"},
        {"fingerprint": new["fingerprint"], "rule_id": "JEP101", "path": "main.tf", "message": "old style"},
    ]
    (repo / "forged.json").write_text(json.dumps({"schema": "jeplint-baseline/1", "findings": forged}))
    capsys.readouterr()
    assert main(["scan", ".", "--baseline", "forged.json", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert f'"fingerprint": "{new["fingerprint"]}"' in captured.out
    assert captured.err.splitlines() == [
        "jeplint: warning: baseline forged.json: finding 1 rejected: its fingerprint is not that of its rule_id and subject",
        "jeplint: warning: baseline forged.json: finding 2 rejected: its fingerprint is not that of its rule_id and subject",
        "jeplint: warning: baseline forged.json: finding 3 rejected: no subject (written by an older jeplint: write the baseline again)",
    ]
    # A genuine entry moved to another path (its own fields still agree) accepts only its own file's finding.
    moved = [{**entry, "path": "main.tf"} for entry in good if entry["rule_id"] == "JEP101"]
    (repo / "moved.json").write_text(json.dumps({"schema": "jeplint-baseline/1", "findings": moved}))
    code, report = _scan_json(".", "--baseline", "moved.json")
    assert {(f["rule_id"], f["location"]["path"]) for f in report["findings"]} >= {("JEP101", "main.tf"), ("JEP101", "old.tf")}


def test_attack_a_worse_finding_is_not_accepted_by_the_baseline_of_a_milder_one(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "main.tf").write_text(ESCALATION_TF.replace("EXTRA", ""))
    assert main(["scan", ".", "--select", "JEP401", "--write-baseline", "base.json"]) == 0
    assert main(["scan", ".", "--select", "JEP401", "--baseline", "base.json"]) == 0
    worse = ', { Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = "*" }'
    (repo / "main.tf").write_text(ESCALATION_TF.replace("EXTRA", worse))
    capsys.readouterr()
    assert main(["scan", ".", "--select", "JEP401", "--baseline", "base.json"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("main.tf:1:25: JEP401 role app can escalate to administrator: iam:AttachRolePolicy on * ")


# -- 5. the scanned repository's configuration cannot silence a CI job -------------------------------


@pytest.mark.parametrize(
    ("setting", "effect"),
    [
        ('ignore = ["JEP1"]', "ignores JEP1"),  # all of "JEP" is refused: no rule would be left to run
        ('[levels]\nJEP = "note"', "sets level JEP to note"),
        ('exclude = ["*.tf"]', "excludes *.tf"),
    ],
)
def test_attack_silencing_configuration_is_ignored_under_isolated(
    setting: str, effect: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".jeplint.toml").write_text(setting + "\n")
    assert main(["scan", ".", "--fail-on", "warning"]) == 0  # silenced, but it says so
    assert f"jeplint: configuration: .jeplint.toml ({effect})\n" in capsys.readouterr().err
    assert main(["scan", ".", "--fail-on", "warning", "--isolated"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("main.tf:24:18: JEP101 ")
    assert captured.err == "jeplint: configuration: none (--isolated: repository configuration ignored)\n"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("event", "config", "code"), [("pull_request_target", "auto", "1"), ("pull_request", "auto", "0"), ("push", "isolated", "1")]
)
def test_attack_action_reads_no_repository_configuration_on_pull_request_target(
    event: str, config: str, code: str, repo: Path
) -> None:
    import subprocess

    import yaml

    (repo / ".jeplint.toml").write_text('ignore = ["JEP1"]\n')
    step = next(s for s in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"] if s.get("id") == "scan")
    outputs = repo.parent / "github-output"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GITHUB_OUTPUT": str(outputs),
        "JEPLINT_PATHS": ".",
        "JEPLINT_FAIL_ON": "warning",
        "JEPLINT_ARGS": "",
        "JEPLINT_SARIF": "jeplint.sarif",
        "JEPLINT_CONFIG": config,
        "JEPLINT_EVENT": event,
    }
    launcher = repo.parent / "bin" / "jeplint"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m jeplint "$@"\n')
    launcher.chmod(0o755)
    env.update(JEPLINT=str(launcher), JEPLINT_CATEGORY="jeplint")
    script = step["run"]
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs.read_text().splitlines()[0] == f"exit-code={code}"


# -- 9. the action is pinned ---------------------------------------------------------------------------


def test_attack_surface_action_uses_commit_shas_and_pinned_dependencies() -> None:
    import re

    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    install = next(s["run"] for s in action["runs"]["steps"] if "pip install" in s.get("run", ""))
    (pip,) = [line for line in install.splitlines() if "pip install" in line]
    assert pip.strip().startswith('PIP_CONSTRAINT="$GITHUB_ACTION_PATH/action-constraints.txt" ')
    pins = dict(
        line.split("==")
        for line in (ROOT / "action-constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert all(re.fullmatch(r"\d[\w.]*", version) for version in pins.values())
    pyproject = (ROOT / "pyproject.toml").read_text()
    deps = re.findall(r'^\s+"([A-Za-z][\w.-]*)[<>=;\s]', pyproject.split("dependencies = [", 1)[1].split("]", 1)[0], re.M)
    assert deps and {d.lower() for d in deps} <= {p.lower() for p in pins}
    assert {"lark", "regex", "hatchling"} <= set(pins)  # what python-hcl2 and the build need


# -- 8. suppressions reach no further than they look ---------------------------------------------------

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  # jeplint:ignore=JEP101 reason="break-glass"
  Quiet:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: '*', Resource: '*'}
  Loud:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: '*', Resource: '*'}
"""


def _reported(*args: str) -> list[tuple[str, int]]:
    _, report = _scan_json(*args)
    return [(f["location"]["path"], f["location"]["line"]) for f in report["findings"] if f["rule_id"] == "JEP101"]


def test_attack_a_comment_on_line_1_does_not_hide_a_whole_template(repo: Path) -> None:
    (repo / "main.tf").unlink()
    (repo / "t.yaml").write_text(TEMPLATE)
    assert _reported("t.yaml") == [("t.yaml", 15)]  # the comment above Quiet covers Quiet only
    (repo / "t.yaml").write_text('# jeplint:ignore=JEP reason="everything"\n' + TEMPLATE)
    assert _reported("t.yaml") == [("t.yaml", 16)]
    (repo / "t.yaml").write_text('# jeplint:ignore-file=JEP101 reason="sandbox template, SEC-12"\n' + TEMPLATE)
    assert _reported("t.yaml") == []
    (repo / "t.yaml").write_text("# jeplint:ignore-file=JEP101\n" + TEMPLATE)  # no reason: hides nothing, and says so
    _, report = _scan_json("t.yaml")
    assert [(f["location"]["path"], f["location"]["line"]) for f in report["findings"]] == [("t.yaml", 16)]
    assert any("has no reason" in p["reason"] for p in report["problems"])


def test_attack_two_names_that_display_alike_stay_apart(repo: Path) -> None:
    (repo / "main.tf").unlink()
    suppressed = BAD_TF.replace('Action   = "*" # expect: JEP101', 'Action   = "*" # jeplint:ignore=JEP101 reason="ok"')
    (repo / "a\x01.tf").write_text(suppressed)
    (repo / "a\\x01.tf").write_text(BAD_TF)  # a name spelt like the other one's escaped form
    assert _reported(".") == [("a\\\\x01.tf", 24)]
    assert not (repo / "a\\x01.tf").read_text().count("jeplint:ignore")


# -- what held: kept that way ----------------------------------------------------------------------------

SECRET_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "OutsideSid"}]}'
)


def test_held_file_templatefile_and_module_sources_never_leave_the_tree(repo: Path) -> None:
    (repo / "main.tf").unlink()
    (repo.parent / "outside").mkdir()
    (repo.parent / "outside" / "secret.json").write_text(SECRET_POLICY)
    (repo.parent / "outmod").mkdir()
    (repo.parent / "outmod" / "main.tf").write_text(BAD_TF)
    (repo / "infra").mkdir()
    (repo / "infra" / "inside.json").write_text(SECRET_POLICY.replace("OutsideSid", "InsideSid"))
    (repo / "infra" / "main.tf").write_text(
        'resource "aws_iam_policy" "a" {\n  policy = file("../../outside/secret.json")\n}\n'
        'resource "aws_iam_policy" "b" {\n  policy = templatefile("${path.module}/../../outside/secret.json", {})\n}\n'
        'module "m" {\n  source = "../../outmod"\n}\n'
        'resource "aws_iam_policy" "c" {\n  policy = file("${path.module}/inside.json")\n}\n'
    )
    _, report = _scan_json("infra")
    text = json.dumps(report)
    assert [(f["rule_id"], f["location"]["path"]) for f in report["findings"]] == [("JEP101", "infra/inside.json")]
    assert "OutsideSid" not in text and "outmod" not in text and "ci-deployer" not in text


def test_held_cache_keys_are_sha256_and_files_private(tmp_path: Path, cache_dir: Path) -> None:
    import hashlib
    import stat

    store, _, target = _stored(tmp_path)
    key = hashlib.sha256(b"tf\0" + POLICIES_TF.read_bytes()).hexdigest()
    assert (target.parent.name, target.name) == (key[:2], key[2:])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert {stat.S_IMODE(p.stat().st_mode) for p in (cache_dir, Path(store.folder), target.parent)} == {0o700}


def test_held_write_baseline_is_atomic(repo: Path) -> None:
    (repo / "base.json").write_text("old")
    inode = (repo / "base.json").stat().st_ino
    assert main(["scan", ".", "--write-baseline", "base.json"]) == 0
    assert json.loads((repo / "base.json").read_text())["findings"][0]["rule_id"] == "JEP101"
    assert (repo / "base.json").stat().st_ino != inode
    assert sorted(p.name for p in repo.iterdir()) == ["base.json", "main.tf"]  # no temporary file left


def test_held_repository_configuration_cannot_override_fail_on(repo: Path) -> None:
    (repo / ".jeplint.toml").write_text('fail-on = "never"\n')
    assert main(["scan", "."]) == 0
    assert main(["scan", ".", "--fail-on", "warning"]) == 1


def test_held_action_inputs_reach_scripts_through_env_only() -> None:
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    scripts = [s["run"] for s in action["runs"]["steps"] if "run" in s]
    assert scripts and not any("${{" in script for script in scripts)


def test_held_sarif_and_dot_carry_hostile_names_as_data(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import assert_valid_sarif

    name = 'x\\"];\\n  evil [label=\\"\\u001b\\u202e'
    (repo / "main.tf").write_text(BAD_TF.replace('"ci-deployer"', f'"{name}"'))
    assert main(["scan", ".", "--format", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    text = log["runs"][0]["results"][0]["message"]["text"]
    assert "\n  evil" in text and "\x1b\u202e" in text  # data inside JSON strings, escaped by JSON itself
    assert main(["graph", ".", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert "\n  evil" not in dot and 'x\\"];\\\\x0a  evil [label=\\"\\\\x1b\\\\u202e' in dot


def test_rbac_expansion_of_thousands_of_distinct_strings_is_bounded_by_the_catalogue() -> None:
    """Distinct verbs x groups x resources (not aliases) cannot multiply the work either: beyond
    MAX_LITERAL_PRODUCT combinations the rule is expanded against the catalogue, each custom string
    kept once."""
    import time

    from jeplint.catalog.k8s import MAX_LITERAL_PRODUCT, expand

    n = 2000
    verbs, groups, names = (
        [f"v{i}" for i in range(n)] + ["get"],
        [f"g{i}" for i in range(n)] + [""],
        [f"r{i}" for i in range(n)] + ["pods"],
    )
    assert len(verbs) * len(groups) * len(names) > MAX_LITERAL_PRODUCT
    started = time.perf_counter()
    out = expand(verbs, groups, names)
    assert time.perf_counter() - started < 2.0
    assert "get /pods" in out  # what the API serves is still there
    assert {"v7 ?/?", "? g7/?", "? ?/r7"} <= out  # and every custom string is said once
    assert len(out) < 4 * n
    assert expand(["get", "list"], [""], ["pods", "secrets"]) == {"get /pods", "get /secrets", "list /pods", "list /secrets"}
