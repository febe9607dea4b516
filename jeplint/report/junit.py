"""JUnit XML, for the test tabs of Jenkins, GitLab and Azure DevOps.

The shape of Jenkins' `junit-4.xsd` (the schema the JUnit plugin and most consumers accept): one
`<testsuites>` holding one `<testsuite>` per file read. Each finding is a `<testcase>` whose
`<failure>` carries the level as `type`, the message as `message` and `path:line:col: message` as
text; a file without findings is one passing `<testcase name="jeplint">`; an input that could not be
analysed is a test case with an `<error>` (never a passing one). Counts (`tests`, `failures`,
`errors`, `skipped`) are those of the elements written.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from jeplint.rules.base import Finding, catalogue
from jeplint.run import Problem, ScanResult

_XML_INVALID = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}  # XML 1.0 forbids them


def _clean(text: str) -> str:
    return text.translate(_XML_INVALID)


def _suite(path: str, findings: list[Finding], problems: list[Problem]) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(path))
    metas = catalogue()
    for f in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            name=_clean(f"{f.rule_id} {metas[f.rule_id].name} at {f.span.line}:{f.span.col}"),
            classname=_clean(path),
        )
        failure = ET.SubElement(case, "failure", message=_clean(f.message), type=f.level)
        failure.text = _clean(f"{f.span}: {f.rule_id} {f.message}")
    for p in problems:
        name, kind = ("not analysed", "not-analysed") if p.not_analysed else ("input error", "input-error")
        case = ET.SubElement(suite, "testcase", name=name, classname=_clean(path))
        error = ET.SubElement(case, "error", message=_clean(p.reason), type=kind)
        error.text = _clean(f"{p.path}:{p.line or 1}:{p.col or 1}: {p.reason}")
    if not findings and not problems:
        ET.SubElement(suite, "testcase", name="jeplint", classname=_clean(path))
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(len(findings)))
    suite.set("errors", str(len(problems)))
    suite.set("skipped", "0")
    return suite


def dumps(result: ScanResult) -> str:
    findings: dict[str, list[Finding]] = defaultdict(list)
    problems: dict[str, list[Problem]] = defaultdict(list)
    for f in result.findings:
        findings[f.span.path].append(f)
    for p in result.problems:
        if p.level == "error":
            problems[p.path].append(p)
    paths = sorted({f.path for f in result.files if f.kind is not None and f.error is None} | set(findings) | set(problems))
    root = ET.Element("testsuites", name="jeplint")
    for path in paths:
        root.append(_suite(path, findings[path], problems[path]))
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
