"""Baselines: accept the findings a repository has today, report only the ones that are new.

`jeplint scan --write-baseline FILE` records every current finding (those suppressed inline are not
recorded: they are already accepted); `jeplint scan --baseline FILE` then reports only the findings
whose fingerprint is not in FILE. Fingerprints name the rule, the file, the policy or binding and the
identities a finding is about, never a line number, so edits that move lines do not bring baselined
findings back; a finding that changes what it is about (another identity, another action) is new.

The file is JSON, sorted, without line numbers (it does not change when lines move)::

    {"schema": "jeplint-baseline/1", "findings": [
        {"fingerprint": "…32 hex…", "rule_id": "JEP101", "path": "iam.tf",
         "subject": ["iam.tf", "policy aws_iam_policy.deploy", …], "message": "role ci …"}]}

Bound to what it accepts (issue 20, item 4): an entry accepts a finding only when the fingerprint,
the rule id and the path all agree, and its fingerprint must be the hash of its own rule id and
`subject` (what the finding is about: identity, escalation paths, functions), or the entry is
rejected with a warning. An entry cannot be relabelled to accept another rule's finding in another
file, and a finding that gets worse (a new escalation path, more functions) has another
fingerprint: it is new. Matching counts: an entry listed once accepts one finding.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass

from jeplint.rules.base import Finding, fingerprint
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
    keys: tuple[tuple[str, str, str], ...] = ()  # per fingerprint: (fingerprint, rule id, path), what must all match
    rejected: tuple[str, ...] = ()  # why entries were not used (a warning each)


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
    keys: list[tuple[str, str, str]] = []
    rejected: list[str] = []
    for number, entry in enumerate(data["findings"], start=1):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not _FINGERPRINT.fullmatch(value):
            raise BaselineError(f"{path}: finding {number} has no valid fingerprint")
        why = _disagreement(entry)
        if why:
            rejected.append(f"{path}: finding {number} rejected: {why}")
            continue
        prints.append(value)
        labels.append((entry["rule_id"], entry["path"], str(entry.get("message", ""))))
        keys.append((value, entry["rule_id"], entry["path"]))
    return Baseline(path, tuple(prints), tuple(labels), tuple(keys), tuple(rejected))


def _disagreement(entry: dict[str, object]) -> str:
    """Why an entry cannot be used ("" when it can): its fields must make its own fingerprint."""
    rule_id, where, subject = entry.get("rule_id"), entry.get("path"), entry.get("subject")
    if not isinstance(rule_id, str) or not isinstance(where, str):
        return "no rule_id or path"
    if not isinstance(subject, list) or not all(isinstance(part, str) for part in subject):
        return "no subject (written by an older jeplint: write the baseline again)"
    if fingerprint(rule_id, *subject) != entry["fingerprint"]:
        return "its fingerprint is not that of its rule_id and subject"
    return ""


def dumps(findings: list[Finding]) -> str:
    """The baseline text for `findings`: sorted, line-free, one entry per finding."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "path": f.span.path,
                "subject": list(getattr(f.fingerprint, "parts", ())),
                "message": f.message,
            }
            for f in findings
        ),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"], e["message"]),
    )
    return json.dumps({"schema": SCHEMA, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def write(path: str, findings: list[Finding]) -> Baseline:
    """Write the baseline of `findings` to `path` (atomically) and return it."""
    import tempfile  # only when a baseline is written (issue 16: what a scan imports)

    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="\n", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write(dumps(findings))
    os.replace(handle.name, path)
    labels = tuple((f.rule_id, f.span.path, f.message) for f in findings)
    keys = tuple((f.fingerprint, f.rule_id, f.span.path) for f in findings)
    return Baseline(path, tuple(f.fingerprint for f in findings), labels, keys)


def apply(findings: list[Finding], baseline: Baseline) -> tuple[list[Finding], list[Suppressed]]:
    """Split `findings` into (new, accepted by the baseline); each entry accepts one finding with
    the same fingerprint, rule id and path (a baseline made in code without `keys`: fingerprint)."""
    budget: Counter[object] = Counter(baseline.keys or baseline.fingerprints)
    kept: list[Finding] = []
    accepted: list[Suppressed] = []
    for finding in findings:
        key = (finding.fingerprint, finding.rule_id, finding.span.path) if baseline.keys else finding.fingerprint
        if budget[key] > 0:
            budget[key] -= 1
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
