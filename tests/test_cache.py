"""The parse cache: same reports with and without it, content-hash invalidation, relabelled paths,
graceful failure, and the cached HCL parser."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
import zlib
from pathlib import Path

import pytest
from conftest import ROOT

from jeplint import cache
from jeplint.cache import NAMESPACE_PREFIX, ParseCache, cache_root, dumps, loads, namespace
from jeplint.cache_codec import CodecError
from jeplint.cli import main
from jeplint.parse import ParsedFile, hcl, parse_file
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span, Tagged
from jeplint.run import PARALLEL_THRESHOLD

POLICIES_TF = ROOT / "testdata" / "examples" / "terraform" / "policies.tf"


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's fixtures (every format jeplint reads), as the working directory."""
    root = tmp_path / "estate"
    shutil.copytree(ROOT / "testdata", root / "testdata")
    shutil.copytree(ROOT / "rules", root / "rules")
    monkeypatch.chdir(root)
    return root


def _report(fmt: str, *args: str, paths: tuple[str, ...] = ("testdata",)) -> bytes:
    out = Path(f"report-{fmt}-{time.monotonic_ns()}.out").absolute()
    main(["scan", *paths, "--format", fmt, "--output", str(out), "--fail-on", "never", *args])
    data = out.read_bytes()
    out.unlink()
    return data


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.glob(f"{NAMESPACE_PREFIX}*/??/*") if p.is_file()]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cached_scans_give_byte_identical_json_and_sarif(
    jobs: str, estate: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sum(1 for p in (estate / "testdata").rglob("*") if p.is_file()) + sum(
        1 for p in (estate / "rules").rglob("*") if p.is_file()
    )
    assert files >= PARALLEL_THRESHOLD  # with --jobs 2 the workers parse and fill the cache
    everything = ("testdata", "rules")
    expected = {fmt: _report(fmt, "--no-cache", "--jobs", "1", paths=everything) for fmt in ("json", "sarif")}
    assert _entries(cache_dir) == []  # --no-cache neither reads nor writes parse results
    cold = {fmt: _report(fmt, "--jobs", jobs, paths=everything) for fmt in ("json", "sarif")}
    assert len(_entries(cache_dir)) > 20
    # Warm: only files that failed to parse (never cached) are parsed again.
    parsed_again: list[ParsedFile] = []

    def recording_parse(*args: str | int) -> ParsedFile:
        parsed_again.append(parse_file(*args))  # type: ignore[arg-type]
        return parsed_again[-1]

    monkeypatch.setattr(cache, "parse_file", recording_parse)
    monkeypatch.setattr("jeplint.parse_files.parse_file", recording_parse)
    warm = {fmt: _report(fmt, "--jobs", jobs, paths=everything) for fmt in ("json", "sarif")}
    assert cold == expected
    assert warm == expected
    assert all(p.error is not None for p in parsed_again)


def test_a_moved_file_is_found_and_relabelled(tmp_path: Path, cache_dir: Path) -> None:
    first, second = tmp_path / "a" / "policies.tf", tmp_path / "b" / "c" / "renamed.tf"
    for target in (first, second):
        target.parent.mkdir(parents=True)
        shutil.copyfile(POLICIES_TF, target)
    store = ParseCache.open()
    assert store is not None
    parsed, entry = store.lookup(str(first), "a/policies.tf")
    assert parsed is None and entry is not None
    store.store(entry, str(first), dumps(parse_file(str(first), "a/policies.tf")))
    loaded, _ = store.lookup(str(second), "b/c/renamed.tf")
    assert loaded is not None
    assert loaded.path == "b/c/renamed.tf"
    paths = {span.path for span in _spans(loaded)}
    assert paths == {"b/c/renamed.tf"}
    assert _structure(loaded) == _structure(parse_file(str(second), "b/c/renamed.tf"))


def _structure(value: object) -> object:
    """Everything a parse result holds, as nested tuples (for comparing two results)."""
    if isinstance(value, dict):
        return tuple((key, _structure(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_structure(item) for item in value)
    slots = [slot for cls in type(value).__mro__ for slot in getattr(cls, "__slots__", ())]
    if slots:
        return (type(value).__name__, tuple((slot, _structure(getattr(value, slot))) for slot in slots if slot != "__weakref__"))
    return value


def _spans(parsed: ParsedFile) -> list[Span]:
    spans: list[Span] = []
    stack: list[object] = list(parsed.documents)
    while stack:
        node = stack.pop()
        if isinstance(node, Node):
            spans.append(node.span)
        if isinstance(node, (Mapping, Block)):
            spans += (node.key_spans if isinstance(node, Mapping) else node.attr_spans).values()
        if isinstance(node, Block):
            stack += [*node.labels, *node.attrs.values(), *node.blocks]
        elif isinstance(node, Mapping):
            stack += node.items.values()
        elif isinstance(node, Sequence):
            stack += node.items
        elif isinstance(node, Expr):
            stack += node.args
        elif isinstance(node, Tagged):
            stack.append(node.node)
        else:
            assert isinstance(node, Scalar)
    assert len(spans) > 40
    return spans


def test_an_edited_file_misses(tmp_path: Path, cache_dir: Path) -> None:
    target = tmp_path / "main.tf"
    shutil.copyfile(POLICIES_TF, target)
    store = ParseCache.open()
    assert store is not None
    _, entry = store.lookup(str(target), "main.tf")
    assert entry is not None
    store.store(entry, str(target), dumps(parse_file(str(target), "main.tf")))
    assert store.lookup(str(target), "main.tf")[0] is not None
    target.write_text(target.read_text() + "\n# edited\n")
    parsed, new_entry = store.lookup(str(target), "main.tf")
    assert parsed is None and new_entry is not None and new_entry.key != entry.key


def test_a_file_changed_after_hashing_is_not_stored(tmp_path: Path, cache_dir: Path) -> None:
    target = tmp_path / "main.tf"
    shutil.copyfile(POLICIES_TF, target)
    store = ParseCache.open()
    assert store is not None
    _, entry = store.lookup(str(target), "main.tf")
    assert entry is not None
    target.write_text(target.read_text() + "# changed while parsing\n")
    store.store(entry, str(target), dumps(parse_file(str(target), "main.tf")))
    assert _entries(cache_dir) == []


def test_a_corrupt_entry_is_a_miss_and_the_scan_goes_on(estate: Path, cache_dir: Path) -> None:
    expected = _report("json", "--no-cache")
    _report("json")
    entries = _entries(cache_dir)
    assert entries
    for number, entry in enumerate(entries):
        entry.write_bytes([b"", b"garbage", pickle.dumps(print), pickle.dumps({"not": "parsed"})][number % 4])
    assert _report("json") == expected
    assert _report("json") == expected  # the corrupt entries were replaced by good ones


def test_a_cached_scan_reads_entries_and_no_cache_does_not(estate: Path, cache_dir: Path) -> None:
    expected = _report("json", "--no-cache")
    assert _report("json") == expected  # fills the cache
    store = ParseCache.open()
    assert store is not None
    target = "testdata/examples/terraform/policies.tf"
    _, entry = store.lookup(target, target)
    assert entry is not None
    empty = estate / "empty.tf"
    empty.write_text("")
    Path(store.folder, entry.key[:2], entry.key[2:]).write_bytes(dumps(parse_file(str(empty), target)))
    planted = json.loads(_report("json"))  # the planted (empty) parse stands for the file's bytes
    assert not any(f["location"]["path"] == target for f in planted["findings"])
    assert any(f["location"]["path"] == target for f in json.loads(expected)["findings"])
    assert _report("json", "--no-cache") == expected


def test_loading_refuses_anything_but_parse_results() -> None:
    good = dumps(parse_file(str(POLICIES_TF), "p.tf"))
    assert loads(good, "p.tf").documents
    for bad in (
        pickle.dumps(print),  # a pickle is never read at all
        b'[2, "terraform", [[0, {"x": 1}, [1, 1, 1, 2]]], null, "", null, null]',  # a scalar that is an object
        b'[2, "terraform", [[9, "x", [1, 1, 1, 2]]], null, "", null, null]',  # no such node
        b'[2, "terraform", [[0, "x", [1, true, 1, 2]]], null, "", null, null]',  # a span field of another type
        b'[1, null, [], null, "", null, null]',  # another cache format
        good[: len(good) // 2],  # truncated
    ):
        with pytest.raises(CodecError):
            loads(bad, "x.tf")


@pytest.mark.parametrize("blocker", ["file", "shared"])
def test_an_unusable_cache_folder_is_not_used(
    blocker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if blocker == "file":
        (tmp_path / "plain-file").write_text("")
        folder = tmp_path / "plain-file" / "cache"  # cannot be created
    else:
        folder = tmp_path / "shared"
        folder.mkdir()
        folder.chmod(0o777)  # others could plant pickles: never read
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(folder))
    assert ParseCache.open() is None
    assert main(["scan", str(POLICIES_TF), "--format", "json"]) == 1
    assert '"rule_id": "JEP102"' in capsys.readouterr().out
    if blocker == "shared":
        assert list(folder.iterdir()) == []


def test_cache_root_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JEPLINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == str(tmp_path / "xdg" / "jeplint")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == str(tmp_path / "home" / ".cache" / "jeplint")
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache_root() == str(tmp_path / "explicit")


def test_the_namespace_changes_with_version_and_format(monkeypatch: pytest.MonkeyPatch) -> None:
    current = namespace()
    assert current == namespace() and len(current) == 24
    monkeypatch.setattr(cache, "__version__", "999.0")
    assert namespace() != current
    monkeypatch.undo()
    monkeypatch.setattr(cache, "CACHE_FORMAT", cache.CACHE_FORMAT + 1)
    assert namespace() != current


def test_stale_namespaces_are_removed_and_nothing_else(cache_dir: Path) -> None:
    old_ns, recent_ns, foreign = (
        cache_dir / (NAMESPACE_PREFIX + "0" * 24),
        cache_dir / (NAMESPACE_PREFIX + "1" * 24),
        cache_dir / "keep-me",
    )
    for folder in (old_ns, recent_ns, foreign):
        folder.mkdir(parents=True)
        (folder / "x").write_text("")
    long_ago = time.time() - (cache.STALE_DAYS + 1) * 86400
    for folder in (old_ns, foreign):
        os.utime(folder, (long_ago, long_ago))
    cache_dir.chmod(0o700)
    store = ParseCache.open()
    assert store is not None
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted([Path(store.folder).name, recent_ns.name, foreign.name])


def test_the_hcl_parser_is_cached_and_parses_the_same(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ParseCache.open()
    assert store is not None
    built: list[int] = []
    build = hcl.build_tables

    def counting_build() -> object:
        built.append(1)
        return build()

    monkeypatch.setattr(hcl, "build_tables", counting_build)
    monkeypatch.setattr(cache, "shipped_tables", lambda: None)  # as with another python-hcl2: compile
    fresh = store.hcl_parser()
    loaded = store.hcl_parser()
    assert built == [1] and loaded is not fresh
    sources = sorted(ROOT.glob("rules/*/*.tf")) + sorted(ROOT.glob("testdata/**/*.tf"))
    assert len(sources) > 10
    monkeypatch.setattr(hcl, "_PARSER", [fresh])
    expected = [_structure(parse_file(str(p), p.name)) for p in sources]
    monkeypatch.setattr(hcl, "_PARSER", [loaded])
    assert [_structure(parse_file(str(p), p.name)) for p in sources] == expected


def test_a_tree_too_deep_to_encode_is_parsed_in_the_main_process(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "tree"  # the cache folder (tmp_path/cache) is outside the scanned tree
    tree.mkdir()
    monkeypatch.chdir(tree)
    for number in range(PARALLEL_THRESHOLD):
        (tree / f"f{number}.json").write_text('{"Statement": []}')
    depth = 1000
    (tree / "deep.json").write_text('{"Statement": ' + "[" * depth + "]" * depth + "}")
    with pytest.raises(RecursionError):
        dumps(parse_file("deep.json", "deep.json"))
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path.parent / f"{tmp_path.name}-out{jobs}.json"  # outside the scan: not a file it reads
        main(["scan", ".", "--jobs", jobs, "--format", "json", "--output", str(out), "--fail-on", "never"])
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"files_analysed": 65' in outputs[0]


def test_shipped_parser_tables_are_what_the_grammar_compiles_to() -> None:
    """The tables in jeplint/data are used instead of compiling the grammar (1-3 s on a fresh CI
    runner) only when they were compiled from the grammar and Lark installed here; then they must be
    exactly what compiling gives (`python scripts/build_hcl_tables.py` rewrites them)."""
    from jeplint.cache import shipped_tables
    from jeplint.parse.hcl import build_parser, parser_from_tables

    shipped = shipped_tables()
    if shipped is None:
        pytest.skip("the shipped HCL tables are for another python-hcl2/lark: scans compile the grammar instead")
    # Lark's table order may vary between compilations; what matters is that they parse alike.
    from_shipped, compiled = parser_from_tables(*shipped), build_parser()
    sources = sorted((ROOT / "rules").rglob("*.tf")) + sorted((ROOT / "testdata").rglob("*.tf"))
    assert len(sources) > 40
    for source in sources:
        text = source.read_text(encoding="utf-8") + "\n"
        assert from_shipped.parse(text) == compiled.parse(text), source


def test_shipped_tables_are_refused_when_damaged_or_for_another_grammar() -> None:
    from jeplint.cache import dump_shipped_tables, read_shipped_tables

    tables = ({"parser": {"states": {0: {1: (0, 2)}}}, "rules": [("a", 1)]}, {3: {"name": "T"}})
    good = dump_shipped_tables(tables)
    assert read_shipped_tables(good) == tables
    raw = zlib.decompress(good)
    assert read_shipped_tables(zlib.compress(raw[:-1] + b"\x00")) is None  # the digest no longer matches
    assert read_shipped_tables(zlib.compress(b"0" * 64 + raw[64:])) is None  # compiled for another grammar
    assert read_shipped_tables(good[:-5]) is None  # truncated
    assert read_shipped_tables(b"not zlib") is None
