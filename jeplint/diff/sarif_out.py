"""`jeplint diff --format sarif`: the working tree's findings with `baselineState` (`new`,
`unchanged`, `updated`) and the base's fixed ones (`absent`, at the base's lines), in the log
`jeplint.report.sarif` writes for a scan (valid against the shipped OASIS schema).

GitHub code scanning ignores `baselineState` and would open an alert for every uploaded result, so
`omit_absent` leaves the fixed findings out (the GitHub action's diff mode uploads that way; code
scanning compares with the base branch's analysis itself).
"""

from __future__ import annotations

import json
from typing import Any

from jeplint.diff.engine import DiffResult
from jeplint.report import sarif
from jeplint.rules.base import catalogue


def log(result: DiffResult, omit_absent: bool = False) -> dict[str, Any]:
    data = sarif.log(result.head)  # rules, notifications, invocation: as a scan of the working tree
    index = {rule_id: i for i, rule_id in enumerate(sorted(catalogue()))}
    entries = []
    for item in result.delta.findings:
        if item.state == "absent" and omit_absent:
            continue
        entry = sarif.result_entry(item.finding, index[item.finding.rule_id])
        entry["baselineState"] = item.state
        entries.append((item.finding.sort_key(), item.state == "absent", entry))
    entries.sort(key=lambda e: (e[1], e[0]))
    run = data["runs"][0]
    run["results"] = [e for *_, e in entries][: sarif.MAX_RESULTS]
    run["automationDetails"] = {"id": "jeplint-diff/"}
    run["properties"] = {"base": result.ref, "baseCommit": result.commit}
    return data


def dumps(result: DiffResult, omit_absent: bool = False) -> str:
    return json.dumps(log(result, omit_absent), indent=2, ensure_ascii=False) + "\n"
