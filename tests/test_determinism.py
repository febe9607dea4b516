"""Determinism (issue 8): the same input gives byte-identical text, JSON and SARIF whatever the
order in which the file system lists it, the number of worker processes, the hash seed, and
whether the parse cache is cold, warm or off.

The estate is every fixture of the project (over `PARALLEL_THRESHOLD` files, so `--jobs 2` really
uses worker processes), written to two folders in opposite orders.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CATALOGUE, ROOT, TESTDATA, shared_corpus

from jeplint.parse import file_format
from jeplint.report import json_report, sarif
from jeplint.run import PARALLEL_THRESHOLD, Settings, scan

SOURCES = sorted(p for p in [*CATALOGUE.glob("*/*"), *TESTDATA.rglob("*")] if p.is_file() and file_format(p.name))


def _write_estate(root: Path, order: list[Path]) -> None:
    """The fixtures under `root`, at their paths in the repository, created (folders too) in `order`."""
    for source in order:
        target = root / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _run(cwd: Path, fmt: str, jobs: int, seed: int, cache: Path | None) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    args = [sys.executable, "-m", "jeplint", "scan", ".", "--format", fmt, "--jobs", str(jobs)]
    if cache is None:
        args.append("--no-cache")
    else:
        env["JEPLINT_CACHE_DIR"] = str(cache)
    proc = subprocess.run(args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def estates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("determinism")
    forward, backward = base / "forward" / "estate", base / "backward" / "estate"
    _write_estate(forward, SOURCES)
    _write_estate(backward, SOURCES[::-1])
    return forward, backward


def test_the_estate_is_large_enough_for_worker_processes() -> None:
    assert len(SOURCES) >= PARALLEL_THRESHOLD


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_same_bytes_whatever_the_order_jobs_and_hash_seed(estates: tuple[Path, Path], fmt: str, tmp_path: Path) -> None:
    forward, backward = estates
    serial = _run(forward, fmt, jobs=1, seed=1, cache=None)
    parallel_cold = _run(backward, fmt, jobs=2, seed=2, cache=tmp_path / "cache")
    assert serial[0] == 1 and serial[1].count("JEP1") > 10  # a real report, not an empty one
    assert parallel_cold == serial
    if fmt == "json":  # the cache filled by the cold run gives the same bytes again
        assert _run(backward, fmt, jobs=2, seed=3, cache=tmp_path / "cache") == serial


class _Listing:
    """What `os.scandir` returns, over a given list of entries."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> _Listing:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


def test_directory_listing_order_does_not_matter(estates: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever order the file system lists entries in (here: shuffled, differently each time)."""
    monkeypatch.chdir(estates[0])
    expected = scan(["."], Settings(jobs=1))
    real_scandir, shuffler = os.scandir, random.Random(8)

    def shuffled(path: str = ".") -> _Listing:
        with real_scandir(path) as listing:
            entries = list(listing)
        shuffler.shuffle(entries)
        return _Listing(entries)

    monkeypatch.setattr(os, "scandir", shuffled)
    for _ in range(2):
        got = scan(["."], Settings(jobs=1))
        assert json_report.dumps(got) == json_report.dumps(expected)
        assert sarif.dumps(got) == sarif.dumps(expected)


@pytest.mark.slow
@pytest.mark.skipif(shared_corpus() is None, reason="the shared corpus (../shared/corpus) is not present")
def test_real_corpus_same_json_with_one_or_two_workers() -> None:
    real = shared_corpus() / "real"  # type: ignore[operator]
    one = _run(real, "json", jobs=1, seed=1, cache=None)
    two = _run(real, "json", jobs=2, seed=2, cache=None)
    assert one[1].count('"rule_id"') > 100
    assert one == two
