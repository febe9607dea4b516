"""Baselines: accept the findings a repository has today, report only the ones that are new.

`jeplint scan --write-baseline FILE` records every current finding (those suppressed inline are not
recorded: they are already accepted); `jeplint scan --baseline FILE` then reports only the findings
whose fingerprint is not in FILE. Fingerprints name the rule, the file, the policy or binding and the
identities a finding is about, never a line number, so edits that move lines do not bring baselined
findings back; a finding that changes what it is about (another identity, another action) is new.

The file is JSON, sorted, without line numbers (it does not change when lines move)::

    {"schema": "jeplint-baseline/1", "findings": [
        {"fingerprint": "…32 hex…", "rule_id": "JEP101", "path": "iam.tf", "message": "role ci …"}]}

Matching counts: a fingerprint listed once accepts one finding.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass

from jeplint.rules.base import Finding
from jeplint.suppress import Suppressed, Suppression

SCHEMA = "jeplint-baseline/1"
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


class BaselineError(Exception):
    """A baseline file that cannot be read: the reason says why."""


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str  # as given on the command line, named in the justification of what it hides
    fingerprints: tuple[str, ...]  # one entry per accepted finding (repeats allowed)
    entries: tuple[tuple[str, str, str], ...] = ()  # per fingerprint: (rule id, path, message), to name stale ones


def load(path: str) -> Baseline:
    """Read a baseline file; `BaselineError` when it is missing or not a jeplint baseline."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: not a JSON baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("findings"), list):
        raise BaselineError(f'{path}: not a jeplint baseline (expected {{"schema": "{SCHEMA}", "findings": [...]}})')
    prints: list[str] = []
    labels: list[tuple[str, str, str]] = []
    for number, entry in enumerate(data["findings"], start=1):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not _FINGERPRINT.fullmatch(value):
            raise BaselineError(f"{path}: finding {number} has no valid fingerprint")
        prints.append(value)
        labels.append((str(entry.get("rule_id", "")), str(entry.get("path", "")), str(entry.get("message", ""))))
    return Baseline(path, tuple(prints), tuple(labels))


def dumps(findings: list[Finding]) -> str:
    """The baseline text for `findings`: sorted, line-free, one entry per finding."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.span.path, "message": f.message} for f in findings),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"], e["message"]),
    )
    return json.dumps({"schema": SCHEMA, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def write(path: str, findings: list[Finding]) -> Baseline:
    """Write the baseline of `findings` to `path` (atomically) and return it."""
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="\n", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write(dumps(findings))
    os.replace(handle.name, path)
    return Baseline(path, tuple(f.fingerprint for f in findings))


def apply(findings: list[Finding], baseline: Baseline) -> tuple[list[Finding], list[Suppressed]]:
    """Split `findings` into (new, accepted by the baseline); each listed fingerprint accepts one."""
    budget = Counter(baseline.fingerprints)
    kept: list[Finding] = []
    accepted: list[Suppressed] = []
    for finding in findings:
        if budget[finding.fingerprint] > 0:
            budget[finding.fingerprint] -= 1
            accepted.append(
                Suppressed(
                    finding, Suppression("external", f"accepted in baseline {baseline.path}", None, None, (finding.rule_id,))
                )
            )
        else:
            kept.append(finding)
    return kept, accepted


def unmatched(baseline: Baseline, accepted: list[Suppressed]) -> list[tuple[str, str, str]]:
    """The entries (rule id, path, message) of `baseline` that accepted none of the findings
    (`accepted`: what `apply` returned): fixed or changed findings, which `--write-baseline` prunes."""
    budget = Counter(s.finding.fingerprint for s in accepted)
    left = []
    for index, value in enumerate(baseline.fingerprints):
        if budget[value] > 0:
            budget[value] -= 1
        else:
            left.append(baseline.entries[index] if index < len(baseline.entries) else ("", "", value))
    return left
