"""Issue 20: a hostile repository gains nothing by being scanned. One attack per numbered item of the
issue, each as the attacker would mount it (these failed on the code before the fix), then the
defences that already held, kept as regression tests (`test_held_*`)."""

from __future__ import annotations

import json
import os
import pickle
import pickletools
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from jeplint.cache import ParseCache
from jeplint.cache_codec import CodecError, load_tables
from jeplint.cli import main

POLICIES_TF = ROOT / "testdata" / "examples" / "terraform" / "policies.tf"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(folder))
    return folder


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
    tables.write_bytes(tables.read_bytes()[:-10] + b"]]]]]]]]]]")  # digest no longer matches
    with pytest.raises(CodecError):
        load_tables(tables.read_bytes())
    store.hcl_parser()
    assert load_tables(tables.read_bytes())  # rebuilt, and its digest matches again


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_attack_entries_owned_by_another_user_or_writable_by_others_are_not_read(tmp_path: Path, cache_dir: Path) -> None:
    shutil.copyfile(POLICIES_TF, tmp_path / "main.tf")
    store = ParseCache.open()
    assert store is not None
    path = str(tmp_path / "main.tf")
    _, entry = store.lookup(path, "main.tf")
    assert entry is not None
    from jeplint.cache import parse_and_store

    parse_and_store(path, "main.tf", entry, 1 << 20, store)
    target = Path(store.folder, entry.key[:2], entry.key[2:])
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
    shutil.copyfile(POLICIES_TF, tmp_path / "main.tf")
    path = str(tmp_path / "main.tf")
    store = ParseCache.open()
    assert store is not None
    _, entry = store.lookup(path, "main.tf")
    assert entry is not None
    from jeplint.cache import parse_and_store

    parse_and_store(path, "main.tf", entry, 1 << 20, store)
    assert store.lookup(path, "main.tf")[0] is not None
    elsewhere = tmp_path / "elsewhere"
    os.rename(store.folder, elsewhere)  # the attacker's copy, planted entries and all
    os.symlink(elsewhere, store.folder)
    assert store.lookup(path, "main.tf")[0] is None
    sub = Path(elsewhere, entry.key[:2])
    os.unlink(store.folder)
    os.rename(elsewhere, store.folder)
    os.rename(Path(store.folder, entry.key[:2]), tmp_path / "sub")
    os.symlink(tmp_path / "sub", Path(store.folder, entry.key[:2]))
    assert store.lookup(path, "main.tf")[0] is None
    assert not sub.exists()
