"""SARIF 2.1.0 output, built as plain data and valid against the official OASIS schema
(shipped unmodified as `jeplint/data/sarif-schema-2.1.0.json`).

Follows what GitHub code scanning and SARIF viewers need: one run, the full rule list with markdown
help, every result with one physical location (repository-relative URI and a full region), related
locations for the graph path, a `jeplint/v1` partial fingerprint that ignores line numbers, and one
tool-execution notification per input that could not be analysed.

Suppressed findings are left out unless asked for (`show_suppressed`); then they are results with
`suppressions[]` (kind `inSource` for comments, Metadata and annotations, `external` for a baseline;
status `accepted`; the reason as justification). GitHub code scanning shows such results as open
alerts, so the upload profile leaves them out.

URIs are relative to `%SRCROOT%`, the directory jeplint ran in. By default `originalUriBaseIds`
only describes it, so the log is the same on every machine; `srcroot` records its absolute `file:`
URI too, for viewers opened outside the repository (VS Code's SARIF Viewer resolves relative URIs
against the open workspace folder without it).

GitHub's limits are enforced, each cut announced by a warning notification: at most
`MAX_RESULTS` results (the most severe are kept), `MAX_LOCATIONS` related locations per result,
`MAX_TAGS` tags per rule, and `MAX_GZIP_BYTES` for the gzip-compressed log (the least severe
results are dropped until it fits).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from jeplint import HOMEPAGE, __version__
from jeplint.report import region, uri
from jeplint.rules.base import Finding, RuleMeta, catalogue
from jeplint.run import ScanResult
from jeplint.span import Span
from jeplint.suppress import Suppression

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "jeplint/v1"
SRCROOT = "%SRCROOT%"
MAX_RESULTS = 25_000  # per run (GitHub rejects more)
MAX_LOCATIONS = 1_000  # per result and location array
MAX_TAGS = 20  # per rule
MAX_GZIP_BYTES = 10_000_000  # per upload, gzip-compressed (GitHub: 10 MB)
_SEVERITY = {"error": 0, "warning": 1, "note": 2}


def _artifact(path: str) -> dict[str, str]:
    if path.startswith("/"):
        return {"uri": uri(path)}
    return {"uri": uri(path), "uriBaseId": SRCROOT}


def rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary[:1024]},
        "fullDescription": {"text": meta.description.strip()[:1024]},
        "help": {"text": meta.help_text(), "markdown": meta.help_markdown()},
        "helpUri": f"{HOMEPAGE}/tree/main/rules/{meta.folder.name}",
        "defaultConfiguration": {"level": meta.level},
        "properties": {
            "tags": sorted({"security", *meta.tags})[:MAX_TAGS],
            "precision": meta.precision,
            "security-severity": meta.security_severity,
            "standards": list(meta.standards),
        },
    }


def _physical(span: Span) -> dict[str, Any]:
    """A physical location; the region starts at line 1 or later, whatever the span says."""
    full = region(span)
    full["startLine"] = max(1, full["startLine"])
    full["startColumn"] = max(1, full["startColumn"])
    full["endLine"] = max(full["startLine"], full["endLine"])
    if full["endLine"] == full["startLine"]:
        full["endColumn"] = max(full["startColumn"], full["endColumn"])
    return {"artifactLocation": _artifact(span.path), "region": full}


def _suppression(how: Suppression) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": how.kind, "status": "accepted", "justification": how.justification}
    if how.span is not None:
        entry["location"] = {"physicalLocation": _physical(how.span)}
    if how.until is not None:
        entry["properties"] = {"until": how.until.isoformat()}
    return entry


def _escape(text: str) -> str:
    """Plain text for a SARIF message: `[` and `]` escaped, so that only our links are links (SARIF 3.11.6)."""
    return text.replace("[", "\\[").replace("]", "\\]")


def linked_message(f: Finding) -> str:
    """The message, then each related location as an embedded link `[text](id)` to its
    `relatedLocations` entry (SARIF 3.11.6), which GitHub shows as a link to that place."""
    text = _escape(f.message)
    shown = f.related[:MAX_LOCATIONS]
    if not shown:
        return text
    links = "; ".join(f"[{_escape(r.message)}]({i})" for i, r in enumerate(shown, start=1))
    return f"{text} (see {links})"


def result_entry(f: Finding, rule_index: int, suppression: Suppression | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": f.level,
        "message": {"text": linked_message(f)},
        "locations": [{"physicalLocation": _physical(f.span)}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if f.related:
        entry["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r.span), "message": {"text": r.message}}
            for i, r in enumerate(f.related[:MAX_LOCATIONS], start=1)
        ]
    if f.flow:  # an ordered path, such as a chain of assumed roles: shown step by step by viewers
        entry["codeFlows"] = [
            {
                "threadFlows": [
                    {
                        "locations": [
                            {"location": {"physicalLocation": _physical(r.span), "message": {"text": r.message}}}
                            for r in f.flow[:MAX_LOCATIONS]
                        ]
                    }
                ]
            }
        ]
    if suppression is not None:
        entry["suppressions"] = [_suppression(suppression)]
    entry.update(fix_entries(f))
    return entry


def fix_entries(f: Finding) -> dict[str, Any]:
    """SARIF `fixes` (one fix: its replacements at exact regions, by file), or the suggestion in words."""
    if f.fix is None:
        return {"properties": {"suggestion": f.suggestion}} if f.suggestion else {}
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in f.fix.edits:
        deleted = {"startLine": edit.line, "startColumn": edit.col, "endLine": edit.end_line, "endColumn": edit.end_col}
        by_path.setdefault(edit.path, []).append({"deletedRegion": deleted, "insertedContent": {"text": edit.new_text}})
    changes = [{"artifactLocation": _artifact(path), "replacements": found} for path, found in by_path.items()]
    return {"fixes": [{"description": {"text": f.fix.description}, "artifactChanges": changes}]}


def _most_severe(levels: list[str], count: int) -> list[int]:
    """Indices of the `count` most severe results (errors first, then in report order), in report order."""
    ranked = sorted(range(len(levels)), key=lambda i: (_SEVERITY.get(levels[i], 3), i))
    return sorted(ranked[:count])


def log(
    result: ScanResult, show_suppressed: bool = False, srcroot: str | None = None, category: str = "jeplint"
) -> dict[str, Any]:
    metas = catalogue()
    rule_ids = sorted(metas)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    entries = [(f, result_entry(f, index[f.rule_id])) for f in result.findings]
    if show_suppressed:
        entries += [(s.finding, result_entry(s.finding, index[s.finding.rule_id], s.suppression)) for s in result.suppressed]
        entries.sort(key=lambda item: item[0].sort_key())
    limits = []
    if len(entries) > MAX_RESULTS:
        limits.append(
            _limit(
                f"kept the {MAX_RESULTS:,} most severe of {len(entries):,} results (GitHub accepts at most {MAX_RESULTS:,} per run)"
            )
        )
        entries = [entries[i] for i in _most_severe([f.level for f, _ in entries], MAX_RESULTS)]
    cut = sum(1 for f, _ in entries if len(f.related) > MAX_LOCATIONS)
    if cut:
        limits.append(
            _limit(f"{cut:,} results keep only their first {MAX_LOCATIONS:,} related locations (GitHub's limit per result)")
        )
    results = [entry for _, entry in entries]
    notifications = []
    for p in result.problems:
        physical: dict[str, Any] = {"artifactLocation": _artifact(p.path)}
        if p.line:
            physical["region"] = {"startLine": p.line, **({"startColumn": p.col} if p.col else {})}
        notifications.append(
            {
                "level": p.level,
                "message": {"text": f"{p.path}: {p.reason}"},
                "locations": [{"physicalLocation": physical}],
            }
        )
    notifications += limits
    base: dict[str, Any] = {"description": {"text": "The directory jeplint was run from (the repository root)."}}
    if srcroot is not None:
        base = {"uri": Path(srcroot).resolve().as_uri().rstrip("/") + "/", **base}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "jeplint",
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [rule_descriptor(metas[rule_id]) for rule_id in rule_ids],
            }
        },
        "automationDetails": {"id": f"{category}/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: base},
        "invocations": [
            {
                "executionSuccessful": not any(p.not_analysed for p in result.problems),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _limit(text: str) -> dict[str, Any]:
    return {"level": "warning", "message": {"text": f"jeplint {text}."}}


def dumps(result: ScanResult, show_suppressed: bool = False, srcroot: str | None = None, category: str = "jeplint") -> str:
    """The log as text, within GitHub's size limit: the least severe results go first when it is not.
    `category` is the code scanning category (`runAutomationDetails.id` "category/")."""
    data = log(result, show_suppressed, srcroot, category)
    text = _text(data)
    raw = text.encode()
    if len(raw) <= MAX_GZIP_BYTES:  # compression never makes a JSON log larger
        return text
    size = len(gzip.compress(raw, 6))
    run = data["runs"][0]
    every = run["results"]
    keep = len(every)
    while size > MAX_GZIP_BYTES and keep:
        keep = min(keep - 1, int(keep * MAX_GZIP_BYTES / size * 0.95))
        run["results"] = [every[i] for i in _most_severe([r["level"] for r in every], keep)]
        size = len(gzip.compress(_text(data).encode(), 6))
    if keep == len(every):
        return text
    run["invocations"][0]["toolExecutionNotifications"].append(
        _limit(
            f"kept {keep:,} of {len(every):,} results so that the log stays under {MAX_GZIP_BYTES:,} bytes gzip-compressed (GitHub's upload limit)"
        )
    )
    return _text(data)


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
