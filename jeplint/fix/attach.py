"""The post-pass: after the rules ran, give each finding a certain fix, or a suggestion in words.

Fix kinds are looked up by rule id; each reads graph facts (the grant, credential or identity at the
finding's span) and the file's text, and returns a `Fix`, a suggestion (str) or None. A fix is kept
only if the edited file still parses; otherwise its description becomes the finding's suggestion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jeplint.fix import text as textedit
from jeplint.fix.model import Fix
from jeplint.graph.model import Graph, Identity
from jeplint.options import Options
from jeplint.rules.base import Finding

Outcome = Fix | str | None


@dataclass
class Context:
    """What a fix kind may read: the graph, the options, and the text of the files."""

    graph: Graph
    options: Options
    texts: dict[str, str] = field(default_factory=dict)  # path -> text (an editor's buffers), read on demand otherwise
    _identities: dict[str, Identity] | None = None

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            found = textedit.read(path)
            if found is None:
                return None
            self.texts[path] = found
        return self.texts[path]

    def identity(self, key: str) -> Identity | None:
        if self._identities is None:
            self._identities = {i.key: i for i in self.graph.identities}
        return self._identities.get(key)


def _kinds() -> dict[str, list[Callable[[Finding, Context], Outcome]]]:
    from jeplint.fix import lifetime, rbac, wildcard

    return {
        "JEP101": [wildcard.fix],
        "JEP102": [wildcard.fix],
        "JEP104": [rbac.fix],
        "JEP202": [lifetime.fix],
        "JEP203": [lifetime.fix],
    }


def attach(findings: list[Finding], graph: Graph, options: Options, texts: dict[str, str] | None = None) -> None:
    """Set `fix` or `suggestion` on every finding a fix kind knows."""
    context = Context(graph, options, dict(texts or {}))
    kinds = _kinds()
    for finding in findings:
        for kind in kinds.get(finding.rule_id, ()):
            outcome = kind(finding, context)
            if isinstance(outcome, Fix):
                if _keeps_syntax(outcome, context):
                    finding.fix = outcome
                else:
                    finding.suggestion = outcome.description
            elif outcome:
                finding.suggestion = outcome
            if outcome:
                break


def _keeps_syntax(fix: Fix, context: Context) -> bool:
    for path in sorted({e.path for e in fix.edits}):
        original = context.text(path)
        if original is None:
            return False
        edits = [e for e in fix.edits if e.path == path]
        kept, dropped = textedit.disjoint(edits)
        if dropped or not textedit.parses(path, textedit.apply(original, kept)):
            return False
    return True
