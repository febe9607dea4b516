"""The pipeline: discover -> parse -> graph -> rules -> report data.

`scan()` is the whole job as a function: the CLI only reads options, calls it and prints.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from jeplint.discover import SourceFile, discover
from jeplint.graph.build import build_graph
from jeplint.graph.model import Graph
from jeplint.options import Options
from jeplint.parse import MAX_FILE_BYTES, ParsedFile, parse_file
from jeplint.rules import RULES, Finding, Rule

PARALLEL_THRESHOLD = 64  # below this many files a process pool costs more than it saves


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = ()  # rule ids or prefixes; empty = all
    ignore: tuple[str, ...] = ()
    max_file_bytes: int = MAX_FILE_BYTES
    jobs: int = 0  # 0 = one worker per core
    options: Options = field(default_factory=Options)  # rule thresholds and the clock


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be analysed (or a remark about one)."""

    path: str
    reason: str
    line: int | None = None
    col: int | None = None
    level: str = "error"  # "error" = could not be analysed; "note" = a remark (skipped template, ...)


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding]
    problems: list[Problem]
    graph: Graph
    files: list[ParsedFile] = field(default_factory=list)
    rules: tuple[Rule, ...] = RULES

    @property
    def analysed(self) -> int:
        return sum(1 for f in self.files if f.kind is not None and f.error is None)


def selected_rules(settings: Settings) -> tuple[Rule, ...]:
    def matches(rule_id: str, prefixes: tuple[str, ...]) -> bool:
        return any(rule_id.startswith(p.upper()) for p in prefixes)

    return tuple(
        r for r in RULES if (not settings.select or matches(r.id, settings.select)) and not matches(r.id, settings.ignore)
    )


def parse_all(sources: list[SourceFile], settings: Settings) -> list[ParsedFile]:
    """Parse every file; in a process pool for large scans. Output order = input order."""
    jobs = settings.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(sources) < PARALLEL_THRESHOLD:
        return [parse_file(s.path, s.display, settings.max_file_bytes) for s in sources]
    chunk = max(1, len(sources) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(
            pool.map(
                parse_file,
                [s.path for s in sources],
                [s.display for s in sources],
                [settings.max_file_bytes] * len(sources),
                chunksize=chunk,
            )
        )


def scan(paths: list[str], settings: Settings | None = None) -> ScanResult:
    # The node trees have no reference cycles worth collecting, and a collector pass over every live
    # node costs more than the parse itself on large scans: pause it for the duration.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _scan(paths, settings or Settings())
    finally:
        if paused:
            gc.enable()


def _scan(paths: list[str], settings: Settings) -> ScanResult:
    found = discover(paths)
    problems = [Problem(path, reason) for path, reason in found.problems]
    files = parse_all(found.files, settings)
    for parsed in files:
        if parsed.error is not None:
            problems.append(Problem(parsed.path, parsed.error.reason, parsed.error.line, parsed.error.col))
        elif parsed.notice:
            problems.append(Problem(parsed.path, parsed.notice, level="note"))
    graph = build_graph(files, paths)
    problems += [Problem(path, reason) for path, reason in graph.errors]
    problems += [Problem(span.path, note, span.line, span.col, level="note") for span, note in graph.notes]
    rules = selected_rules(settings)
    findings: list[Finding] = []
    for rule in rules:
        level = rule.meta.level
        try:
            for finding in rule.check(graph, settings.options):
                finding.level = finding.level or level
                findings.append(finding)
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            if os.environ.get("JEPLINT_DEBUG"):
                raise
            problems.append(Problem("<jeplint>", f"internal error in rule {rule.id}: {type(exc).__name__}: {exc}"))
    findings.sort(key=Finding.sort_key)
    problems.sort(key=lambda p: (p.path, p.line or 0, p.reason))
    return ScanResult(findings, problems, graph, files, rules)
