"""SARIF 2.1.0 output, built as plain data and valid against the official OASIS schema
(shipped unmodified as `jeplint/data/sarif-schema-2.1.0.json`).

Follows what GitHub code scanning and SARIF viewers need: one run, the full rule list with markdown
help, every result with one physical location (repository-relative URI and a full region), related
locations for the graph path, a `jeplint/v1` partial fingerprint that ignores line numbers, and one
tool-execution notification per input that could not be analysed.
"""

from __future__ import annotations

import json
from typing import Any

from jeplint import HOMEPAGE, __version__
from jeplint.report import region, uri
from jeplint.rules.base import RuleMeta, catalogue
from jeplint.run import ScanResult

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "jeplint/v1"
SRCROOT = "%SRCROOT%"


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
            "tags": sorted({"security", *meta.tags})[:20],
            "precision": meta.precision,
            "security-severity": meta.security_severity,
            "standards": list(meta.standards),
        },
    }


def log(result: ScanResult) -> dict[str, Any]:
    metas = catalogue()
    rule_ids = sorted(metas)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for f in result.findings:
        entry: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": f.level,
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.span.path), "region": region(f.span)}}],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        }
        if f.related:
            entry["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {"artifactLocation": _artifact(r.span.path), "region": region(r.span)},
                    "message": {"text": r.message},
                }
                for i, r in enumerate(f.related, start=1)
            ]
        results.append(entry)
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
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "jeplint",
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [rule_descriptor(metas[rule_id]) for rule_id in rule_ids],
            }
        },
        "automationDetails": {"id": "jeplint/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The directory jeplint was run from (the repository root)."}}},
        "invocations": [
            {
                "executionSuccessful": not any(p.level == "error" for p in result.problems),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def dumps(result: ScanResult) -> str:
    return json.dumps(log(result), indent=2, ensure_ascii=False) + "\n"
