"""What a rule is, what it finds, and the catalogue that documents it.

A rule is a plain function over the graph plus its metadata. The metadata (name, level, texts,
tags, standards, examples) lives in the top-level `rules/<ID>-<name>/rule.yaml` catalogue next to
the rule's runnable fixtures; the wheel ships that folder as `jeplint/_catalogue`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.span import Span

if TYPE_CHECKING:
    from jeplint.edits import Fix

LEVELS = ("error", "warning", "note")


@dataclass(slots=True)
class Related:
    span: Span
    message: str


@dataclass(slots=True)
class Finding:
    rule_id: str
    message: str
    span: Span
    related: list[Related] = field(default_factory=list)
    fingerprint: str = ""
    level: str = ""  # filled from the rule's (configured) level when empty
    identities: tuple[str, ...] = ()  # keys of the identities the finding is about
    downgrade: bool = False  # a condition or a permissions boundary limits the grant: one level lower
    flow: list[Related] = field(default_factory=list)  # an ordered path (a role chain): SARIF codeFlows
    fix: Fix | None = None  # set after the rules ran, by `jeplint.fix.attach` (never by a rule)
    suggestion: str = ""  # what to change, in words, when no fix is certain
    # The statements the finding is about: "<policy key>#<index>" for one statement, "<policy key>"
    # for a whole policy or role (a binding). A rule that `defers_to` a stronger one is dropped when
    # the stronger rule reports the same statements for the same identities (jeplint.rules.deference).
    grants: tuple[str, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.col, self.rule_id, self.message)


class Fingerprint(str):
    """A finding's fingerprint (32 hex digits) that remembers what it was made of, so that a
    baseline entry can carry them and be checked against its own fingerprint (`jeplint.baseline`)."""

    parts: tuple[str, ...]


def fingerprint(rule_id: str, *parts: str) -> str:
    """A stable id for a finding: rule + what and whom it is about, never a line number."""
    digest = hashlib.sha256("\x1f".join((rule_id, *parts)).encode()).hexdigest()
    made = Fingerprint(digest[:32])
    made.parts = parts
    return made


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    check: Callable[[Graph, Options], Iterable[Finding]]

    @property
    def meta(self) -> RuleMeta:
        return catalogue()[self.id]


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    name: str
    level: str
    summary: str
    description: str
    tags: tuple[str, ...]
    standards: tuple[str, ...]
    precision: str
    security_severity: str
    folder: Path
    examples: tuple[tuple[str, str], ...]  # (label, file name) pairs: ("bad", "bad.tf"), ...
    defers_to: tuple[str, ...] = ()  # stronger rules that report the same root cause (see jeplint.rules.deference)

    def example_text(self, file_name: str) -> str:
        """A fixture without its `expect` annotations, for documentation."""
        lines = (self.folder / file_name).read_text(encoding="utf-8").splitlines()
        return "\n".join(_strip_expectation(line) for line in lines if not _only_expectation(line)).strip() + "\n"

    def help_markdown(self) -> str:
        parts = [f"**{self.id} {self.name}**: {self.summary}", "", self.description.strip()]
        for label, file_name in self.examples:
            heading = "Example" if label == "bad" else "Use instead"
            parts += [
                "",
                f"## {heading} (`{file_name}`)",
                "",
                f"```{_fence(file_name)}",
                self.example_text(file_name).rstrip(),
                "```",
            ]
        if self.standards:
            parts += ["", "## References", ""] + [f"- {s}" for s in self.standards]
        return "\n".join(parts) + "\n"

    def help_text(self) -> str:
        text = [f"{self.id} {self.name}: {self.summary}", "", self.description.strip()]
        for label, file_name in self.examples:
            text += [
                "",
                f"{'Example' if label == 'bad' else 'Use instead'} ({file_name}):",
                self.example_text(file_name).rstrip(),
            ]
        return "\n".join(text) + "\n"


def _fence(file_name: str) -> str:
    if file_name.endswith(".tf"):
        return "hcl"
    return "json" if file_name.endswith(".json") else "yaml"


def _only_expectation(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("# expect", "// expect", "# todo-expect"))


def _strip_expectation(line: str) -> str:
    for marker in ("  # expect", " # expect", "  // expect", " // expect"):
        at = line.find(marker)
        if at >= 0:
            return line[:at].rstrip()
    return line


def catalogue_dir() -> Path:
    """`jeplint/_catalogue` in an installed wheel, the repository's `rules/` in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_catalogue"
    return installed if installed.is_dir() else package.parent / "rules"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, RuleMeta]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    metas: dict[str, RuleMeta] = {}
    for rule_file in sorted(catalogue_dir().glob("JEP*/rule.yaml")):
        data = yaml.load(rule_file.read_text(encoding="utf-8"), Loader=loader)
        metas[data["id"]] = RuleMeta(
            id=data["id"],
            name=data["name"],
            level=data["level"],
            summary=data["summary"].strip(),
            description=data["description"],
            tags=tuple(data.get("tags", ())),
            standards=tuple(data.get("standards", ())),
            precision=data.get("precision", "high"),
            security_severity=str(data["security_severity"]),
            folder=rule_file.parent,
            examples=tuple((label, name) for label, name in data.get("examples", {}).items()),
            defers_to=tuple(data.get("defers_to", ())),
        )
    return metas
