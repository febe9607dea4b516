"""Every rule's catalogue folder: its metadata, and its fixtures scanned one by one.

Each fixture states its expected findings in comments (`# expect: JEP101`) or a `.expect` sidecar;
the scan must produce exactly that multiset of (line, rule). `expected.txt` pins columns and
messages (`pytest --update-golden` rewrites it for review).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CATALOGUE, expectations

from jeplint.rules import RULES
from jeplint.rules.base import catalogue
from jeplint.run import scan

FOLDERS = sorted(p for p in CATALOGUE.iterdir() if p.is_dir() and p.name.startswith("JEP"))
FIXTURES = [
    f
    for folder in FOLDERS
    for f in sorted(folder.iterdir())
    if f.name.startswith(("bad", "good")) and not f.name.endswith(".expect")
]


def test_catalogue_matches_rules() -> None:
    metas = catalogue()
    assert [r.id for r in RULES] == sorted(metas), "every rule module needs a catalogue entry and vice versa"
    for folder in FOLDERS:
        meta = metas[folder.name.split("-", 1)[0]]
        assert folder.name == f"{meta.id}-{meta.name}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name)
        assert meta.level in ("error", "warning", "note")
        assert 0.0 < float(meta.security_severity) <= 10.0
        assert re.fullmatch(r"JEP[1-4]\d\d", meta.id), "ids live in the families 1xx-4xx"
        names = {f.name for f in folder.iterdir()}
        assert any(n.startswith("bad") for n in names) and any(n.startswith("good") for n in names), folder
        for _, example in meta.examples:
            assert example in names, f"{folder.name}: example {example} missing"
        assert meta.help_markdown().count("```") == 2 * len(meta.examples)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f.parent.name}/{f.name}")
def test_fixture(fixture: Path, in_root: Path) -> None:
    result = scan([str(fixture.relative_to(in_root))])
    assert not result.problems, result.problems
    got = Counter((f.span.line, f.rule_id) for f in result.findings)
    expected, todo = expectations(fixture)
    if fixture.name.startswith("good"):
        assert not expected and not todo, "a good fixture expects nothing"
    else:
        assert expected, "a bad fixture must expect at least one finding"
        own = fixture.parent.name.split("-", 1)[0]
        assert any(rule == own for _, rule in expected), f"{fixture.name} must exercise {own}"
    assert got == expected, "\n".join(f"{f.span} {f.rule_id} {f.message}" for f in result.findings)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_expected_messages(folder: Path, in_root: Path, update_golden: bool) -> None:
    """Columns and full messages of every finding in the folder's fixtures, pinned in expected.txt."""
    lines = []
    for fixture in sorted(p for p in folder.iterdir() if p.name.startswith(("bad", "good")) and not p.name.endswith(".expect")):
        for f in scan([str(fixture.relative_to(in_root))]).findings:
            lines.append(f"{f.span}: {f.rule_id} [{f.level}] {f.message}")
    golden = folder / "expected.txt"
    text = "\n".join(lines) + "\n"
    if update_golden:
        golden.write_text(text)
    assert golden.read_text() == text
