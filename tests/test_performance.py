"""Issue 16: what a scan imports (only the rules it selected), what it keeps and what its workers keep."""

from __future__ import annotations

import gc
import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from jeplint.cache_codec import dumps
from jeplint.parse import parse_file
from jeplint.parse_files import _parse_in_worker
from jeplint.parse_files import unpickle as _unpickle
from jeplint.run import Settings, scan

_PROBE = """
import json, sys
from jeplint import baseline, run
before = sorted(m for m in sys.modules if m.startswith("jeplint.rules.jep"))
rules = run.selected_rules(run.Settings(select=tuple(sys.argv[1:])))
after = sorted(m for m in sys.modules if m.startswith("jeplint.rules.jep"))
print(json.dumps([before, [r.id for r in rules], after]))
"""


def _probe(*select: str) -> list[list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE, *select], capture_output=True, text=True, env=env, check=True)
    result: list[list[str]] = json.loads(out.stdout)
    return result


def test_baseline_and_run_import_no_rule() -> None:
    before, _, _ = _probe("JEP101")
    assert before == []


def test_a_selected_rule_imports_only_its_module() -> None:
    _, ids, after = _probe("JEP101", "JEP2")
    assert ids == ["JEP101", "JEP201", "JEP202", "JEP203", "JEP204", "JEP205"]
    assert [m.rsplit(".", 1)[1][:6] for m in after] == ["jep101", "jep201", "jep202", "jep203", "jep204", "jep205"]


def test_every_module_holds_the_rule_of_its_id() -> None:
    from jeplint.rules import MODULES, rule

    assert [rule(rule_id).id for rule_id in MODULES] == list(MODULES) == sorted(MODULES)


_POLICY = """resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "*"{comment}
      Resource = "*"
    }]
  })
}
"""


def test_without_kept_lines_suppressions_still_apply(tmp_path: Path) -> None:
    reason = 'reason="break-glass role, approved in SEC-42"'
    (tmp_path / "a.tf").write_text(_POLICY.replace("{comment}", f"  # jeplint:ignore=JEP101 {reason}"), encoding="utf-8")
    (tmp_path / "b.tf").write_text(_POLICY.replace("{comment}", ""), encoding="utf-8")
    kept = scan([str(tmp_path)], Settings(jobs=1, select=("JEP101",)))
    dropped = scan([str(tmp_path)], Settings(jobs=1, select=("JEP101",), keep_lines=False))
    for result in (kept, dropped):
        assert [(Path(f.span.path).name, f.span.line) for f in result.findings] == [("b.tf", 5)]
        assert [Path(s.finding.span.path).name for s in result.suppressed] == ["a.tf"]
    files = {Path(f.path).name: f for f in dropped.files}
    assert files["a.tf"].lines and files["b.tf"].lines is None  # only a.tf may hold a suppression
    assert all(f.documents for f in dropped.files) and all(f.lines for f in kept.files)
    released = scan([str(tmp_path)], Settings(jobs=1, select=("JEP101",), keep_lines=False, keep_trees=False))
    assert [(Path(f.span.path).name, f.span.line) for f in released.findings] == [("b.tf", 5)]
    assert [Path(s.finding.span.path).name for s in released.suppressed] == ["a.tf"]
    files = {Path(f.path).name: f for f in released.files}
    assert files["a.tf"].documents and not files["a.tf"].released  # read again for its suppression
    assert files["b.tf"].documents == [] and files["b.tf"].released


def test_fixes_are_checked_the_same_when_the_scan_released_its_trees() -> None:
    """A fix's check parses the released files of its folder again: same fixes, same suggestions."""
    from jeplint.fix.attach import attach_scan

    outcome = []
    for keep in (True, False):
        settings = Settings(jobs=1, keep_lines=keep, keep_trees=keep)
        result = scan([str(ROOT / "testdata" / "examples")], settings)
        attach_scan(result, settings)
        outcome.append([(f.rule_id, f.span.line, f.fix.description if f.fix else None, f.suggestion) for f in result.findings])
        assert any(f.released for f in result.files) is not keep
    assert outcome[0] == outcome[1]
    assert sum(1 for *_, fix, _ in outcome[0] if fix) >= 1  # a fix was there to check


def test_a_parse_worker_leaves_no_garbage(tmp_path: Path) -> None:
    (tmp_path / "b.tf").write_text(_POLICY.replace("{comment}", ""), encoding="utf-8")
    paused = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        data = _parse_in_worker(str(tmp_path / "b.tf"), "b.tf", None, 1 << 20, None)
        assert data and gc.collect() == 0  # the result's pickler cycle was collected with its tree
    finally:
        if paused:
            gc.enable()


def test_a_parse_worker_sends_the_parse_back_with_interned_strings(tmp_path: Path) -> None:
    comment = '  # jeplint:ignore=JEP101 reason="break-glass role, approved in SEC-42"'
    (tmp_path / "a.tf").write_text(_POLICY.replace("{comment}", comment), encoding="utf-8")
    (tmp_path / "b.tf").write_text(_POLICY.replace("{comment}", ""), encoding="utf-8")
    for name in ("a.tf", "b.tf"):
        direct = parse_file(str(tmp_path / name), name)
        data = _parse_in_worker(str(tmp_path / name), name, None, 1 << 20, None)
        assert data is not None
        back = _unpickle(data)
        assert dumps(back) == dumps(direct) and back.lines == direct.lines  # the same tree, spans and lines
        block = back.documents[0]
        assert block.type is sys.intern("resource") and all(k is sys.intern(k) for k in block.attrs)
        lean = _unpickle(_parse_in_worker(str(tmp_path / name), name, None, 1 << 20, None, keep_lines=False) or b"")
        assert (lean.lines is None) == (name == "b.tf")  # only a.tf may hold a suppression
        assert lean.documents[0].span == direct.documents[0].span


def test_a_worker_result_whose_persistent_ids_are_not_strings_is_refused() -> None:
    class Planted(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            return ("os", "system") if obj == "x" else None

    out = io.BytesIO()
    Planted(out).dump(["x"])
    with pytest.raises(pickle.UnpicklingError):
        _unpickle(out.getvalue())


def test_this_process_parses_the_small_end_while_a_worker_takes_the_large_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jeplint import parse_files
    from jeplint.discover import SourceFile

    sources = []
    for number in range(40):
        statements = ",".join('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}' for _ in range(number + 1))
        path = tmp_path / f"p{number:02}.json"
        path.write_text(f'{{"Version": "2012-10-17", "Statement": [{statements}]}}')
        sources.append(SourceFile(str(path), path.name))
    here: list[str] = []
    parse_one = parse_files._parse_one

    def recording(source: SourceFile, *args: object) -> object:
        here.append(source.display)
        return parse_one(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parse_files, "_parse_one", recording)
    todo = [(index, None) for index in range(len(sources))]
    shared = dict(parse_files.parse_shared(sources, todo, 1 << 20, True, None, 2, None))
    assert sorted(shared) == list(range(40))  # every file once, whoever parsed it
    assert "p00.json" in here  # the smallest, parsed here
    assert "p39.json" not in here and "p38.json" not in here  # the largest, sent to the worker first
    alone = dict(parse_files.parse_here(sources, todo, 1 << 20, None, None))
    assert {i: dumps(p) for i, p in shared.items()} == {i: dumps(p) for i, p in alone.items()}


def test_a_deadline_passed_stops_the_shared_parse_without_waiting(tmp_path: Path) -> None:
    import time

    from jeplint import parse_files
    from jeplint.discover import SourceFile

    sources = [SourceFile(str(tmp_path / f"{n}.json"), f"{n}.json") for n in range(8)]
    for source in sources:
        Path(source.path).write_text("{}")
    start = time.monotonic()
    out = list(parse_files.parse_shared(sources, [(i, None) for i in range(8)], 1 << 20, False, None, 2, start - 1))
    assert out == []
    assert time.monotonic() - start < 5


def test_the_terraform_part_built_early_is_used_only_when_nothing_else_feeds_it(tmp_path: Path) -> None:
    """`terraform_stage` sees the Terraform and JSON files only: a YAML policy or plan, or a file
    whose kind changed since, makes `build_graph` build that part again, with the same result."""
    from jeplint.graph.build import TERRAFORM_INPUTS, build_graph, terraform_stage
    from jeplint.parse import IAM_POLICY, file_format

    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role_policy" "p" {\n  role   = "r"\n  policy = file("${path.module}/p.yaml")\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "p.yaml").write_text(
        "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Action: '*'\n    Resource: '*'\n", encoding="utf-8"
    )
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", encoding="utf-8")
    files = [parse_file(str(tmp_path / n), n) for n in ("cm.yaml", "main.tf", "p.yaml")]
    first = [f for f in files if file_format(f.path) in TERRAFORM_INPUTS]
    assert [f.path for f in first] == ["main.tf"]
    early = terraform_stage(first, [str(tmp_path)])
    assert files[2].kind == IAM_POLICY and not early.holds_for(files)  # a YAML policy: built again
    assert early.holds_for(files[:2])  # a ConfigMap feeds nothing
    files[1].kind = None
    assert not early.holds_for(files[:2])  # its input changed after the stage
    files[1].kind = first[0].kind = parse_file(str(tmp_path / "main.tf"), "main.tf").kind

    def summary(graph: object) -> list[tuple[str, str, int]]:
        return [(b.identity.key, b.policy.label, len(b.policy.grants)) for b in graph.bindings]  # type: ignore[attr-defined]

    assert summary(build_graph(files[:2], [str(tmp_path)], early)) == summary(build_graph(files[:2], [str(tmp_path)]))
    whole = summary(build_graph(files, [str(tmp_path)]))
    assert whole == [("external:aws:role:r", "policy aws_iam_role_policy.p", 1)]  # the YAML policy read
    blind = terraform_stage(first, [str(tmp_path)])
    assert summary(blind.graph) != whole  # what using the stage without `holds_for` would have given
    assert summary(build_graph(files, [str(tmp_path)], blind)) == whole


def test_the_hcl_parser_reduces_by_rules_compared_by_identity_with_the_same_trees() -> None:
    from hcl2.postlexer import PostLexer
    from lark import Lark

    from jeplint.parse import hcl

    data, memo = hcl.build_tables()
    fast = hcl.parser_from_tables(data, memo)
    options = {**data["options"], "postlex": None}
    plain = Lark._load_from_dict({**data, "options": options}, memo, propagate_positions=False, postlex=PostLexer())
    inner = fast.parser.parser.parser
    assert {type(k) for k in inner.callbacks if not isinstance(k, str)} == {hcl._Rule}
    assert {type(k) for k in plain.parser.parser.parser.callbacks if not isinstance(k, str)} != {hcl._Rule}
    text = 'resource "aws_iam_role_policy" "p" {\n  policy = jsonencode({ Statement = [{ Action = ["s3:*"], Resource = "*" }] })\n  n = var.x ? 1 : 0\n}\n'
    assert fast.parse(text) == plain.parse(text)
    with pytest.raises(Exception) as fast_error:
        fast.parse('resource "x" {\n  a = [1,\n}\n')
    with pytest.raises(Exception) as plain_error:
        plain.parse('resource "x" {\n  a = [1,\n}\n')
    assert str(fast_error.value) == str(plain_error.value)


def test_a_killed_worker_costs_only_its_files_which_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-parse (out of memory, a signal) breaks the pool: the files it held are
    reported as not analysed, with the reason; everything else is parsed here, and nothing raises."""
    from jeplint import parse_files
    from jeplint.discover import SourceFile

    sources = []
    for number in range(40):
        path = tmp_path / f"p{number:02}.json"
        path.write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}' + " " * number)
        sources.append(SourceFile(str(path), path.name))
    parse_in_worker = parse_files._parse_in_worker

    def dying(path: str, *args: object) -> object:
        if path.endswith("p39.json"):  # the largest: in the first chunk a worker takes
            os._exit(9)
        return parse_in_worker(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parse_files, "_parse_in_worker", dying)  # inherited by the forked worker
    todo = [(index, None) for index in range(40)]
    out = dict(parse_files.parse_shared(sources, todo, 1 << 20, True, None, 2, None))
    assert sorted(out) == list(range(40))
    lost = {sources[i].display for i, parsed in out.items() if parsed.error is not None}
    assert "p39.json" in lost and len(lost) <= 2 * parse_files.CHUNK  # at most what was sent to it
    assert all(
        out[i].error.reason.startswith("not analysed: the worker process parsing it")
        for i in range(40)
        if sources[i].display in lost
    )  # type: ignore[union-attr]
    assert all(out[i].kind == "iam-policy" for i in range(40) if sources[i].display not in lost)


_ONE_FILE_PROBE = """
import contextlib, io, json, sys
from jeplint import cli
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = cli.main(["scan", sys.argv[1], "--no-cache"])
print(json.dumps([code, out.getvalue().split(" policy ")[0], sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:])]))
"""


def test_a_one_file_terraform_scan_imports_only_what_it_needs(tmp_path: Path) -> None:
    """Issue 16: no PyYAML (no kustomization; the rule catalogue is read from the cache folder's
    JSON after the first scan), no TOML reader without a configuration file."""
    (tmp_path / "main.tf").write_text(_POLICY.replace("{comment}", ""), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JEPLINT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", _ONE_FILE_PROBE, "main.tf", "yaml", "tomllib", "hcl2", "regex"]
    runs = [subprocess.run(command, capture_output=True, text=True, env=env, check=True, cwd=tmp_path) for _ in "12"]
    first, second = (json.loads(run.stdout) for run in runs)
    assert first[:2] == second[:2] == [1, "main.tf:5:18: JEP101"]
    assert "yaml" in first[2]  # the rule catalogue parsed once, then kept as JSON
    # the shipped parser: python-hcl2 is not imported, nor `regex` (Lark uses it only with regex=True)
    assert not any(m.startswith(("hcl2", "regex")) for m in first[2])
    assert second[2] == []


def test_the_post_lexer_is_jeplints_copy_only_while_python_hcl2s_is_that_same_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from jeplint.parse import hcl, hcl_postlex

    installed = hashlib.sha256(hcl.hcl2_file("postlexer.py").read_bytes()).hexdigest()
    monkeypatch.setattr(hcl_postlex, "SOURCE_SHA256", installed)
    assert type(hcl.post_lexer()) is hcl_postlex.PostLexer
    monkeypatch.setattr(hcl_postlex, "SOURCE_SHA256", "0" * 64)  # another python-hcl2: its own post-lexer
    other = hcl.post_lexer()
    assert type(other).__module__ == "hcl2.postlexer"
    from lark import Token

    stream = [
        Token("NAME", "a"),
        Token("NL_OR_COMMENT", "\n"),
        Token("PLUS", "+"),
        Token("NL_OR_COMMENT", "\n"),
        Token("NAME", "b"),
    ]
    assert (
        [(t.type, str(t)) for t in other.process(iter(stream))]
        == [(t.type, str(t)) for t in hcl_postlex.PostLexer().process(iter(stream))]
        == [("NAME", "a"), ("PLUS", "\n+"), ("NL_OR_COMMENT", "\n"), ("NAME", "b")]
    )


def test_a_scan_leaves_no_tree_in_a_reference_cycle() -> None:
    """Collection is paused during a scan, so a cycle that reaches parse trees keeps them to the end
    of the process: the module builder's recursive closure did (every Terraform tree, ~30 MB on the
    shared corpus), and so did a nested stack's pending reference (every template's tree)."""
    from jeplint.graph.cfn_template import Template
    from jeplint.graph.terraform import Module
    from jeplint.parse.nodes import Block, Mapping

    paused = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        result = scan(
            [str(ROOT / "testdata" / "idioms"), str(ROOT / "testdata" / "terraform-instances")],
            Settings(jobs=1, keep_lines=False, keep_trees=False),
        )
        assert result.findings  # something was read
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kept = [type(o).__name__ for o in gc.garbage if isinstance(o, (Block, Mapping, Template, Module))]
        assert kept == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if paused:
            gc.enable()
