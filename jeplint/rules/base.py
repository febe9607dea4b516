"""What a rule is, what it finds, and the catalogue that documents it.

A rule is a plain function over the graph plus its metadata. The metadata (name, level, texts,
tags, standards, examples) lives in the top-level `rules/<ID>-<name>/rule.yaml` catalogue next to
the rule's runnable fixtures; the wheel ships that folder as `jeplint/_catalogue`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


_STORED_FORMAT = 1  # bump when the fields `_entry` stores change
_STRINGS = ("id", "name", "level", "summary", "description", "precision", "security_severity")
_LISTS = ("tags", "standards", "defers_to")
_folder: list[str] = []  # where the compiled catalogue is kept (`use_folder`)


def use_folder(folder: str | None) -> None:
    """Keep the compiled rule catalogue in `folder` (the scan's cache folder, a private folder of
    the user's: see `jeplint.catalog.private_files`); None: parse the rule.yaml files every time."""
    _folder[:] = [folder] if folder else []


@lru_cache(maxsize=1)
def catalogue() -> dict[str, RuleMeta]:
    """Every rule's metadata, from its `rule.yaml`. Parsing YAML means importing PyYAML (~10 ms, a
    good part of a one-file scan), so the fields are also kept as JSON in the folder of `use_folder`,
    under a name made from the digest of every rule.yaml; the file is used only when its entries have
    the expected fields and types (else the YAML is parsed again and the file rewritten)."""
    files = sorted(catalogue_dir().glob("JEP*/rule.yaml"))
    texts = [path.read_bytes() for path in files]
    entries = _stored(files, texts)
    return {entry["id"]: _meta(entry, path.parent) for path, entry in zip(files, entries)}


def _stored(files: list[Path], texts: list[bytes]) -> list[dict[str, Any]]:
    """The entries of the rule.yaml `texts`: from the compiled file when it is there and well formed,
    else parsed (and the file written)."""
    from jeplint.catalog import private_files

    digest = hashlib.sha256(str(_STORED_FORMAT).encode())
    for path, text in zip(files, texts):
        digest.update(f"\0{path.parent.name}\0{len(text)}\0".encode() + text)
    stored = os.path.join(_folder[0], f"rules-{_STORED_FORMAT}-{digest.hexdigest()[:24]}.json") if _folder else None
    data = private_files.read(stored) if stored is not None else None
    try:
        entries = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        entries = None
    if isinstance(entries, list) and len(entries) == len(texts) and all(map(_well_formed, entries)):
        return entries
    entries = [_entry(text) for text in texts]
    if stored is not None:
        try:
            private_files.write(stored, json.dumps(entries, separators=(",", ":")).encode("ascii"))
        except (TypeError, ValueError):
            pass  # a value YAML gave that JSON cannot hold: parsed each time
    return entries


def _entry(text: bytes) -> dict[str, Any]:
    import yaml

    data = yaml.load(text.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {
        "id": data["id"],
        "name": data["name"],
        "level": data["level"],
        "summary": data["summary"].strip(),
        "description": data["description"],
        "tags": list(data.get("tags", ())),
        "standards": list(data.get("standards", ())),
        "precision": data.get("precision", "high"),
        "security_severity": str(data["security_severity"]),
        "examples": [[label, name] for label, name in data.get("examples", {}).items()],
        "defers_to": list(data.get("defers_to", ())),
    }


def _well_formed(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and len(entry) == len(_STRINGS) + len(_LISTS) + 1
        and all(isinstance(entry.get(key), str) for key in _STRINGS)
        and all(isinstance(entry.get(key), list) and all(isinstance(v, str) for v in entry[key]) for key in _LISTS)
        and isinstance(entry.get("examples"), list)
        and all(isinstance(e, list) and len(e) == 2 and all(isinstance(v, str) for v in e) for e in entry["examples"])
    )


def _meta(entry: dict[str, Any], folder: Path) -> RuleMeta:
    return RuleMeta(
        id=entry["id"],
        name=entry["name"],
        level=entry["level"],
        summary=entry["summary"],
        description=entry["description"],
        tags=tuple(entry["tags"]),
        standards=tuple(entry["standards"]),
        precision=entry["precision"],
        security_severity=entry["security_severity"],
        folder=folder,
        examples=tuple((label, name) for label, name in entry["examples"]),
        defers_to=tuple(entry["defers_to"]),
    )
