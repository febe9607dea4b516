"""The rule catalogue (every rule.yaml) kept as JSON in the cache folder: a scan reads it without
importing PyYAML; a file that is not what jeplint wrote, or in a folder others may write, is not
used (issue 16)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from jeplint.rules import base


@pytest.fixture
def rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the rule catalogue (so that a test may edit a rule.yaml), its compiled file in `catalog`."""
    copy = tmp_path / "rules"
    for folder in sorted((ROOT / "rules").glob("JEP10[12]-*")):
        shutil.copytree(folder, copy / folder.name)
    monkeypatch.setattr(base, "catalogue_dir", lambda: copy)
    base.use_folder(str(tmp_path / "catalog"))
    base.catalogue.cache_clear()
    yield copy
    base.use_folder(None)
    base.catalogue.cache_clear()


def _stored(rules: Path) -> Path:
    (found,) = (rules.parent / "catalog").glob("rules-*.json")
    return found


def _next_process() -> None:
    base.catalogue.cache_clear()


def test_compiled_once_then_read(rules: Path) -> None:
    first = base.catalogue()
    assert list(first) == ["JEP101", "JEP102"] and first["JEP102"].defers_to == ("JEP101", "JEP105")
    stored = _stored(rules)
    entries = json.loads(stored.read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] == ["JEP101", "JEP102"] and entries[0]["level"] == "error"
    assert entries[0]["examples"][0] == ["bad", "bad.tf"]
    entries[0]["level"] = "note"  # read back, not parsed again: the edit shows
    stored.write_text(json.dumps(entries), encoding="utf-8")
    _next_process()
    again = base.catalogue()
    assert again["JEP101"].level == "note"
    assert again["JEP101"].folder == rules / "JEP101-full-wildcard-action"
    assert again["JEP102"] == first["JEP102"]


def test_an_edited_rule_yaml_is_parsed_again(rules: Path) -> None:
    base.catalogue()
    old = _stored(rules)
    rule_file = rules / "JEP101-full-wildcard-action" / "rule.yaml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8").replace("level: error", "level: warning"), encoding="utf-8")
    _next_process()
    assert base.catalogue()["JEP101"].level == "warning"
    (new,) = set(old.parent.glob("rules-*.json")) - {old}  # another digest: the old file is not read
    assert json.loads(new.read_text(encoding="utf-8"))[0]["level"] == "warning"


@pytest.mark.parametrize(
    "damage",
    [
        lambda entries: entries[0].update(level=3),  # a field of another type
        lambda entries: entries[0].pop("defers_to"),  # a field missing
        lambda entries: entries[0].update(extra="x"),  # a field jeplint does not write
        lambda entries: entries[1]["examples"].append(["bad"]),  # an example without its file
        lambda entries: entries.pop(),  # a rule missing
    ],
)
def test_a_malformed_file_is_parsed_again_and_rewritten(rules: Path, damage: object) -> None:
    base.catalogue()
    stored = _stored(rules)
    entries = json.loads(stored.read_text(encoding="utf-8"))
    entries[0]["summary"] = "Edited."
    damage(entries)  # type: ignore[operator]
    stored.write_text(json.dumps(entries), encoding="utf-8")
    _next_process()
    assert base.catalogue()["JEP101"].summary.startswith("An Allow statement grants every AWS action")
    assert json.loads(stored.read_text(encoding="utf-8"))[0]["summary"] != "Edited."
    for text in ("not json", "[[[[", '{"id": "JEP101"}'):
        stored.write_text(text, encoding="utf-8")
        _next_process()
        assert base.catalogue()["JEP101"].level == "error"


def test_a_folder_others_may_write_is_not_read(rules: Path) -> None:
    base.catalogue()
    stored = _stored(rules)
    entries = json.loads(stored.read_text(encoding="utf-8"))
    entries[0]["level"] = "note"
    stored.write_text(json.dumps(entries), encoding="utf-8")
    os.chmod(stored.parent, 0o777)
    _next_process()
    assert base.catalogue()["JEP101"].level == "error"
    assert json.loads(stored.read_text(encoding="utf-8"))[0]["level"] == "note"  # and nothing written there


def test_without_a_folder_the_yaml_is_parsed(rules: Path) -> None:
    base.use_folder(None)
    _next_process()
    assert base.catalogue()["JEP101"].level == "error"
    assert not (rules.parent / "catalog").exists()
