"""GitLab Code Quality report (`artifacts: reports: codequality:`), shown in the merge-request widget.

A JSON array of issues with the fields GitLab documents as required
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): `description`,
`check_name`, `fingerprint`, `severity` (`info`, `minor`, `major`, `critical`, `blocker`),
`location.path` and `location.lines.begin`; plus the optional Code Climate `type`, `categories` and
`location.lines.end`. Levels map error -> critical, warning -> major, note -> minor. An input that
could not be analysed is a `blocker` issue of check `jeplint/not-analysed`: never a clean widget.

GitLab compares base and head reports by fingerprint and shows one issue per fingerprint, so each is
unique in the report: the finding's line-free fingerprint, hashed with its occurrence number when a
report holds the same one twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from jeplint.rules.base import catalogue
from jeplint.run import ScanResult

SEVERITY = {"error": "critical", "warning": "major", "note": "minor"}


def _unique(fingerprint: str, seen: Counter[str]) -> str:
    seen[fingerprint] += 1
    if seen[fingerprint] == 1:
        return fingerprint
    return hashlib.sha256(f"{fingerprint}#{seen[fingerprint]}".encode()).hexdigest()[:32]


def issues(result: ScanResult) -> list[dict[str, Any]]:
    metas = catalogue()
    seen: Counter[str] = Counter()
    out: list[dict[str, Any]] = []
    for f in result.findings:
        out.append(
            {
                "type": "issue",
                "check_name": f"{f.rule_id} {metas[f.rule_id].name}",
                "description": f"{f.rule_id}: {f.message}",
                "categories": ["Security"],
                "severity": SEVERITY[f.level],
                "fingerprint": _unique(f.fingerprint, seen),
                "location": {"path": f.span.path, "lines": {"begin": f.span.line, "end": f.span.end_line}},
            }
        )
    for p in result.problems:
        if not p.not_analysed:
            continue
        key = hashlib.sha256(f"jeplint/not-analysed\x1f{p.path}\x1f{p.reason}".encode()).hexdigest()[:32]
        out.append(
            {
                "type": "issue",
                "check_name": "jeplint/not-analysed",
                "description": f"not analysed: {p.reason}",
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": _unique(key, seen),
                "location": {"path": p.path, "lines": {"begin": p.line or 1}},
            }
        )
    return out


def dumps(result: ScanResult) -> str:
    return json.dumps(issues(result), indent=2, ensure_ascii=False) + "\n"
