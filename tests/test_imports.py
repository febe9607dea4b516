"""What a scan imports: only the rules it selected (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

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
