"""`jeplint diff --format markdown`: a pull-request comment or `$GITHUB_STEP_SUMMARY`.

One short section per changed identity, biggest risk first, at most `MAX_IDENTITIES` (then "and N
more"), each a three-column table of at most `MAX_ROWS` rows; then the new and fixed findings.
Every value from the scanned files (names, actions, messages, paths) goes through `escape`: each
character that can open or close something inline is backslash-escaped (CommonMark allows it for
any ASCII punctuation): `|` cannot end a table cell, a backtick cannot open code, `<` cannot open
HTML, `*` `_` `~` cannot emphasise, `[` cannot link, `&` cannot name an entity, `$` cannot open
GitHub's math, `@` cannot mention, `#` cannot close a heading, `://` and `www.` cannot autolink;
line breaks and control characters become spaces. Nothing in a value can start a line, so the
characters that only matter there (`-`, `+`, `1.`, `=`) are left as they are.
"""

from __future__ import annotations

import re

from jeplint.diff import levels
from jeplint.diff.delta import IdentityDelta
from jeplint.diff.engine import DiffResult
from jeplint.diff.text import summary
from jeplint.diff.view import rows, span_text
from jeplint.rules.base import Finding

MAX_IDENTITIES = 10
MAX_ROWS = 8
MAX_FINDINGS = 20
MAX_CELL = 300  # characters of one cell's text before it is cut
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~!$&@#{}])|:(?=//)|(?<=www)\.", re.IGNORECASE)
_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\u2028\u2029]+")
MARK = {levels.PERMISSIONS: "🔴", levels.WRITE: "🟠", levels.READ: "🟡", levels.NOTHING: "⚪"}


def escape(text: str) -> str:
    """`text` as literal Markdown inline text, on one line."""
    text = _BREAKS.sub(" ", text)
    text = "".join(c if c >= " " and c != "\x7f" else " " for c in text)
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def render(result: DiffResult) -> str:
    delta = result.delta
    lines = [f"## jeplint: privilege changes against {escape(result.ref)} ({escape(result.commit[:12])})", ""]
    lines += [escape(summary(result)), ""]
    for item in delta.identities[:MAX_IDENTITIES]:
        lines += _section(item)
    more = len(delta.identities) - MAX_IDENTITIES
    if more > 0:
        lines += [f"… and {more} more {'identity' if more == 1 else 'identities'} changed (see the full report).", ""]
    lines += _findings("New findings", delta.of("new"))
    lines += _findings("Fixed findings", delta.of("absent"))
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(item: IdentityDelta) -> list[str]:
    state = item.state
    status = {"added": "new identity", "changed": "changed", "removed": "removed"}[item.status]
    gains = f", gains **{levels.NAMES[item.gained]}**" if item.gained else ""
    renamed = f" (was {escape(item.renamed_from)})" if item.renamed_from else ""
    out = [f"### {MARK[item.gained]} {escape(state.label)}: {status}{gains}{renamed}", ""]
    found = rows(item)
    if not found:
        return out
    out += ["| change | what | where |", "| --- | --- | --- |"]
    for row in found[:MAX_ROWS]:
        where = ", ".join(escape(span_text(s)) for s in row.spans[:3])
        where = ("was " + where) if where and row.sign == "-" else where
        change = f"{'➕' if row.sign == '+' else '➖'} {escape(row.category.replace('_', ' '))}"
        out.append(f"| {change} | {escape(_cut(row.text))} | {where} |")
    if len(found) > MAX_ROWS:
        out.append(f"| … | and {len(found) - MAX_ROWS} more changes |  |")
    return out + [""]


def _findings(title: str, findings: list[Finding]) -> list[str]:
    if not findings:
        return []
    out = [f"### {title} ({len(findings)})", "", "| rule | level | finding | where |", "| --- | --- | --- | --- |"]
    for f in sorted(findings, key=lambda f: ({"error": 0, "warning": 1}.get(f.level, 2), f.sort_key()))[:MAX_FINDINGS]:
        out.append(f"| {escape(f.rule_id)} | {escape(f.level)} | {escape(_cut(f.message))} | {escape(span_text(f.span))} |")
    if len(findings) > MAX_FINDINGS:
        out.append(f"| … | | and {len(findings) - MAX_FINDINGS} more | |")
    return out + [""]
