"""jeplint results as LSP types: diagnostics, quick-fix code actions, hover text.

Spans are 1-based with an exclusive end column; LSP positions are 0-based. Columns count
characters, which equal UTF-16 units except after a character outside the Basic Multilingual Plane.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from jeplint.graph.effective import effective
from jeplint.lsp.engine import Analysis
from jeplint.parse.nodes import Span
from jeplint.rules.base import Finding

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "note": types.DiagnosticSeverity.Information,
}
TOP_SERVICES = 8  # services listed in a hover


def span_range(span: Span) -> types.Range:
    start = types.Position(line=max(span.line - 1, 0), character=max(span.col - 1, 0))
    end = types.Position(line=max(span.end_line - 1, 0), character=max(span.end_col - 1, 0))
    return types.Range(start=start, end=end if (end.line, end.character) >= (start.line, start.character) else start)


def _point(line: int | None, col: int | None) -> types.Range:
    start = types.Position(line=max((line or 1) - 1, 0), character=max((col or 1) - 1, 0))
    return types.Range(start=start, end=types.Position(line=start.line, character=start.character + 1))


def diagnostic(finding: Finding) -> types.Diagnostic:
    message = finding.message
    if finding.suggestion:
        message += f"\nSuggestion: {finding.suggestion}"
    return types.Diagnostic(
        range=span_range(finding.span),
        message=message,
        severity=SEVERITY.get(finding.level, types.DiagnosticSeverity.Warning),
        code=finding.rule_id,
        source="jeplint",
        data={"fingerprint": finding.fingerprint, "fixable": finding.fix is not None},
    )


def failure(message: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=_point(1, 1), message=message, severity=types.DiagnosticSeverity.Error, code="internal", source="jeplint"
    )


def diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    out = [diagnostic(f) for f in analysis.findings]
    for problem in analysis.problems:
        severity = SEVERITY.get(problem.level, types.DiagnosticSeverity.Error)
        out.append(
            types.Diagnostic(
                range=_point(problem.line, problem.col), message=problem.reason, severity=severity, code="parse", source="jeplint"
            )
        )
    return out


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def code_actions(analysis: Analysis, wanted: types.Range, uri_of: Callable[[str], str | None]) -> list[types.CodeAction]:
    actions = []
    for finding in analysis.findings:
        if finding.fix is None or not _overlaps(span_range(finding.span), wanted):
            continue
        changes: dict[str, list[types.TextEdit]] = {}
        for edit in finding.fix.edits:
            uri = uri_of(edit.path)
            if uri is None:
                break
            where = types.Range(
                start=types.Position(line=edit.line - 1, character=edit.col - 1),
                end=types.Position(line=edit.end_line - 1, character=edit.end_col - 1),
            )
            changes.setdefault(uri, []).append(types.TextEdit(range=where, new_text=edit.new_text))
        else:
            actions.append(
                types.CodeAction(
                    title=f"{finding.rule_id}: {finding.fix.description}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic(finding)],
                    is_preferred=True,
                    edit=types.WorkspaceEdit(changes=changes),
                )
            )
    return actions


def _contains(span: Span, position: types.Position) -> bool:
    where = span_range(span)
    at = (position.line, position.character)
    return (where.start.line, where.start.character) <= at <= (where.end.line, where.end.character)


def permissions_summary(analysis: Analysis, key: str) -> str | None:
    """Markdown: the identity's effective permissions, per service (most actions first)."""
    identity = next((i for i in analysis.graph.identities if i.key == key), None)
    if identity is None:
        return None
    found = effective(analysis.graph, identity)
    services = sorted(found.by_service().items(), key=lambda item: (-item[1].get("actions", 0), item[0]))
    lines = [f"**{identity.label}**: {len(found.actions):,} effective actions in {len(services)} services"]
    for service, counts in services[:TOP_SERVICES]:
        levels = ", ".join(f"{n} {level}" for level, n in counts.items() if level != "actions")
        lines.append(f"- `{service}`: {counts.get('actions', 0)}" + (f" ({levels})" if levels else ""))
    if len(services) > TOP_SERVICES:
        lines.append(f"- and {len(services) - TOP_SERVICES} more services")
    if found.unresolved:
        lines.append(f"- not counted: {'; '.join(found.unresolved[:3])}")
    return "\n".join(lines)


def hover(analysis: Analysis, position: types.Position) -> types.Hover | None:
    here = [f for f in analysis.findings if _contains(f.span, position)]
    if not here:
        return None
    parts = []
    for finding in here:
        parts.append(f"**{finding.rule_id}** {finding.message}")
        if finding.fix is not None:
            parts.append(f"Fix available: {finding.fix.description}")
        for key in finding.identities:
            summary = permissions_summary(analysis, key)
            if summary:
                parts.append(summary)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)), range=span_range(here[0].span)
    )
