"""Shared test helpers: fixture expectations written in the fixtures, golden files, schema checks."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "rules"
TESTDATA = ROOT / "testdata"
SHARED = ROOT.parent / "shared"

_EXPECT = re.compile(r"(?:#|//)\s*(todo-)?expect(?:\+(\d+))?:\s*(JEP\d+(?:\s*,\s*JEP\d+)*)")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite expected.txt and golden files")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh parse cache folder for the test (`JEPLINT_CACHE_DIR`)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("JEPLINT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def expectations(path: Path) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str]]]:
    """(expected, todo) multisets of (line, rule id) written in a fixture or its `.expect` sidecar.

    `# expect: JEP101` after code applies to its own line; alone on a line, to the next code line;
    `# expect+N: JEP101` to the line N below the comment. JSON files use `<file>.expect` with lines
    `LINE JEP101`.
    """
    expected: Counter[tuple[int, str]] = Counter()
    todo: Counter[tuple[int, str]] = Counter()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for raw in sidecar.read_text().splitlines():
            if raw.strip():
                line, *rules = raw.replace(",", " ").split()
                for rule in rules:
                    expected[(int(line), rule)] += 1
        return expected, todo
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(lines, start=1):
        match = _EXPECT.search(text)
        if not match:
            continue
        target = number
        if match.group(2):
            target = number + int(match.group(2))
        elif not text[: match.start()].strip():
            target = next(
                (
                    n
                    for n in range(number + 1, len(lines) + 1)
                    if lines[n - 1].strip() and not lines[n - 1].strip().startswith(("#", "//"))
                ),
                number,
            )
        bucket = todo if match.group(1) else expected
        for rule in re.split(r"\s*,\s*", match.group(3)):
            bucket[(target, rule)] += 1
    return expected, todo


def sarif_validator():
    """Draft-4 validator for the SARIF schema shipped in the package."""
    import jsonschema

    schema = json.loads((ROOT / "jeplint" / "data" / "sarif-schema-2.1.0.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(log: dict) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as working directory, so reported paths are repo-relative."""
    monkeypatch.chdir(ROOT)
    return ROOT


def shared_corpus() -> Path | None:
    corpus = SHARED / "corpus"
    return corpus if corpus.is_dir() else None


os.environ.setdefault("NO_COLOR", "1")
# Scans under test cache their parses in a throw-away folder, never in the user's cache (issue 7).
_CACHE = tempfile.TemporaryDirectory(prefix="jeplint-test-cache-")
os.environ["JEPLINT_CACHE_DIR"] = _CACHE.name


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the same defaults on a laptop and in CI: `CI` turns on --report-unused-suppressions."""
    monkeypatch.delenv("CI", raising=False)
