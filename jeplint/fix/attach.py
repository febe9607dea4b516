"""The post-pass: after the rules ran, give each finding a certain fix, or a suggestion in words.

Fix kinds are looked up by rule id; each reads graph facts (the grant, credential or identity at the
finding's span) and the file's text, and returns a `Fix`, a suggestion (str) or None. A fix is kept
only if the edited file still parses; otherwise its description becomes the finding's suggestion.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jeplint.edits import Fix
from jeplint.fix import text as textedit
from jeplint.fix.verify import Found, Recheck
from jeplint.graph.model import Grant, Graph, Identity, Value
from jeplint.options import Options
from jeplint.rules.base import Finding
from jeplint.span import Span

if TYPE_CHECKING:
    from jeplint.run import ScanResult, Settings

Outcome = Fix | str | None


@dataclass
class Context:
    """What a fix kind may read: the graph, the options, and the text of the files."""

    graph: Graph
    options: Options
    texts: dict[str, str] = field(default_factory=dict)  # path -> text (an editor's buffers), read on demand otherwise
    recheck: Recheck | None = None  # the findings with some files' texts replaced (`verify.rechecker`)
    _before: dict[frozenset[str], Found] = field(default_factory=dict)
    _identities: dict[str, Identity] | None = None
    _actions: dict[Span, tuple[Grant, Value]] | None = None

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            found = textedit.read(path)
            if found is None:
                return None
            self.texts[path] = found
        return self.texts[path]

    def action_at(self, span: Span) -> tuple[Grant, Value] | None:
        """The first statement whose action token written at `span` is known in full, and the token
        (an index made on first use)."""
        if self._actions is None:
            self._actions = {}
            for policy in self.graph.policies:
                for grant in policy.grants:
                    for value in grant.actions:
                        if value.text is not None and not value.partial:
                            self._actions.setdefault(value.span, (grant, value))
        return self._actions.get(span)

    def identity(self, key: str) -> Identity | None:
        if self._identities is None:
            self._identities = {i.key: i for i in self.graph.identities}
        return self._identities.get(key)


KINDS = {  # rule id -> the fix kinds that know its findings, tried in order (modules of jeplint.fix)
    "JEP101": ("wildcard",),
    "JEP102": ("wildcard",),
    "JEP104": ("rbac",),
    "JEP202": ("expiry", "lifetime", "automount"),
    "JEP203": ("lifetime",),
    "JEP404": ("trust",),
}


def _kinds(rule_id: str) -> list[Callable[[Finding, Context], Outcome]]:
    """The fix functions for a rule's findings; their modules are imported on first use."""
    return [importlib.import_module(f"jeplint.fix.{name}").fix for name in KINDS.get(rule_id, ())]


def attach(
    findings: list[Finding],
    graph: Graph,
    options: Options,
    texts: dict[str, str] | None = None,
    recheck: Recheck | None = None,
) -> None:
    """Set `fix` or `suggestion` on every finding a fix kind knows.

    Each fix must leave its file parseable. With `recheck`, the fixes of one file are then checked
    together (applying them all must add no finding); if they fail together, each is checked alone,
    and one that would add a finding (revealed by the narrower grant) becomes a suggestion."""
    context = Context(graph, options, dict(texts or {}), recheck)
    candidates: list[tuple[Finding, Fix]] = []
    for finding in findings:
        for kind in _kinds(finding.rule_id):
            outcome = kind(finding, context)
            if isinstance(outcome, Fix):
                problem = _unparsable(outcome, context)
                if problem:
                    finding.suggestion = _as_suggestion(outcome, problem)
                else:
                    candidates.append((finding, outcome))
            elif outcome:
                finding.suggestion = outcome
            if outcome:
                break
    by_files: dict[frozenset[str], list[tuple[Finding, Fix]]] = {}
    for finding, fix in candidates:
        by_files.setdefault(frozenset(e.path for e in fix.edits), []).append((finding, fix))
    for group in by_files.values():
        if len(group) > 1 and not _reveals([fix for _, fix in group], context):
            for finding, fix in group:
                finding.fix = fix
            continue
        for finding, fix in group:
            problem = _reveals([fix], context)
            if problem:
                finding.suggestion = _as_suggestion(fix, problem)
            else:
                finding.fix = fix


def _as_suggestion(fix: Fix, problem: str) -> str:
    return f"{fix.description[:1].lower()}{fix.description[1:]} ({problem})"


def _edited(fixes: list[Fix], context: Context) -> dict[str, str] | None:
    """The new text of every file the fixes change (None if one cannot be read or they overlap)."""
    changed = {}
    edits = [e for fix in fixes for e in fix.edits]
    for path in sorted({e.path for e in edits}):
        original = context.text(path)
        if original is None:
            return None
        kept, dropped = textedit.disjoint(e for e in edits if e.path == path)
        if dropped:
            return None
        changed[path] = textedit.apply(original, kept)
    return changed


def _unparsable(fix: Fix, context: Context) -> str:
    changed = _edited([fix], context)
    if changed is None:
        return "the file cannot be read"
    if not all(textedit.parses(path, text) for path, text in changed.items()):
        return "the edited file would not parse"
    return ""


def _reveals(fixes: list[Fix], context: Context) -> str:
    """'' when applying `fixes` adds no finding; otherwise which rules would report more."""
    changed = _edited(fixes, context)
    if changed is None:
        return "overlaps another fix"
    if context.recheck is None:
        return ""
    key = frozenset(changed)
    if key not in context._before:
        context._before[key] = context.recheck(dict.fromkeys(changed))  # as scanned: their parses are reused
    added = context.recheck(dict(changed)) - context._before[key]
    if added:
        rules = ", ".join(sorted({rule for rule, _ in added}))
        return f"not applied automatically: the narrower grant would be reported by {rules}"
    return ""


def attach_scan(
    result: ScanResult, settings: Settings, texts: dict[str, str] | None = None, findings: list[Finding] | None = None
) -> None:
    """Fixes for a scan's findings (or only `findings` of it), each checked by analysing its folder
    again (`verify`). `texts`: the text of files not to be read from disk (standard input, by its
    reported name)."""
    from jeplint.fix.verify import rechecker

    chosen = result.findings if findings is None else findings
    attach(chosen, result.graph, settings.options, texts, rechecker(result.files, settings, texts))
