"""One file analysed in the context of its folder, as the pre-commit hook's `--context-dirs` does:
every readable file of the folder is read, findings and problems of the edited file are kept.

Warm state: parses of files on disk are kept by (size, mtime) and of open buffers by their text,
so an edit re-parses one file; the graph and the rules run again over the folder (they are fast
next to parsing). An open buffer's unsaved text replaces the file on disk, for its own folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from jeplint import config
from jeplint.fix.attach import attach
from jeplint.fix.verify import rechecker
from jeplint.graph.build import build_graph
from jeplint.graph.model import Graph
from jeplint.kustomize import patches
from jeplint.parse import MAX_FILE_BYTES, ParsedFile, file_format, parse_file, parse_text
from jeplint.rules.base import Finding
from jeplint.run import Problem, Settings, check_graph, selected_rules
from jeplint.suppress import apply as apply_suppressions


@dataclass
class Analysis:
    path: str
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)


class Engine:
    def __init__(self) -> None:
        self.buffers: dict[str, str] = {}  # absolute path -> unsaved text of an open document
        self._disk: dict[str, tuple[tuple[int, int], ParsedFile]] = {}
        self._text: dict[str, tuple[str, ParsedFile]] = {}
        self._settings: dict[str, Settings] = {}

    def open(self, path: str, text: str) -> None:
        self.buffers[os.path.abspath(path)] = text

    def close(self, path: str) -> None:
        self.buffers.pop(os.path.abspath(path), None)
        self._text.pop(os.path.abspath(path), None)

    def settings(self, folder: str) -> Settings:
        """The configuration that applies to `folder`, as `jeplint scan` would find it (cached)."""
        if folder not in self._settings:
            try:
                conf = config.resolve([folder], None, cwd=folder)
                self._settings[folder] = Settings(
                    select=conf.select, ignore=conf.ignore, options=config.options(conf), levels=conf.levels
                )
            except config.ConfigError:
                self._settings[folder] = Settings()
        return self._settings[folder]

    def parsed(self, path: str) -> ParsedFile:
        if path in self.buffers:
            text = self.buffers[path]
            kept = self._text.get(path)
            if kept is None or kept[0] != text:
                kept = (text, parse_text(text, path, path))
                self._text[path] = kept
            return kept[1]
        try:
            stat = os.stat(path)
            key = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = (-1, -1)
        cached = self._disk.get(path)
        if cached is None or cached[0] != key:
            cached = (key, parse_file(path, path, MAX_FILE_BYTES))
            self._disk[path] = cached
        return cached[1]

    def analyse(self, path: str) -> Analysis:
        path = os.path.abspath(path)
        folder = os.path.dirname(path)
        settings = self.settings(folder)
        names = _folder_files(folder, path)
        fragments = patches([(p, p) for p in names], MAX_FILE_BYTES)  # kustomize patches: not objects
        files = [self.parsed(p) for p in names if p not in fragments]
        problems: list[Problem] = [Problem(path, fragments[path], level="note")] if path in fragments else []
        for parsed in files:
            if parsed.path == path and parsed.error is not None:
                problems.append(Problem(path, parsed.error.reason, parsed.error.line, parsed.error.col))
            elif parsed.path == path and parsed.notice:
                line, col = parsed.notice_at or (None, None)
                problems.append(Problem(path, parsed.notice, line, col, "note"))
        graph = build_graph(files, [folder])
        problems += [Problem(p, reason) for p, reason in graph.errors if p == path]
        problems += [Problem(s.path, note, s.line, s.col, "note") for s, note in graph.notes if s.path == path]
        findings = check_graph(graph, selected_rules(settings), settings, problems)
        mine = [f for f in findings if f.span.path == path]
        kept, _, remarks = apply_suppressions(mine, [f for f in files if f.path == path], settings.options)
        problems += [Problem(r.span.path, r.reason, r.span.line, r.span.col, "warning") for r in remarks]
        buffers = {p: t for p, t in self.buffers.items() if os.path.dirname(p) == folder}
        attach(kept, graph, settings.options, buffers, rechecker(files, settings))
        kept.sort(key=Finding.sort_key)
        return Analysis(path, kept, problems, graph)


def _folder_files(folder: str, path: str) -> list[str]:
    """The readable IaC files of `folder` (not links, not recursive), and `path` itself."""
    found = {path}
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    for name in names:
        candidate = os.path.join(folder, name)
        if file_format(name) and os.path.isfile(candidate) and not os.path.islink(candidate):
            found.add(candidate)
    return sorted(found)
