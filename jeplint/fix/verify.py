"""The last check of a fix: analyse its file's folder again with the fix applied, and keep the fix
only if no finding is added (by rule and identities: a rewritten finding is not a new one).

Narrowing one token can reveal what a wider one hid (a `*` hides every other rule's finding on its
statement, and near-full access is left out of JEP301): such a fix becomes a suggestion. The
folder is the context, as in the pre-commit hook and the language server; parses of the files the
fix does not touch are reused.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable

from jeplint.fix.text import parsed_text, read
from jeplint.graph.build import build_graph
from jeplint.parse import ParsedFile, parse_text
from jeplint.run import Settings, check_graph, selected_rules

Found = Counter[tuple[str, tuple[str, ...]]]
Recheck = Callable[[dict[str, str | None]], Found]


def rechecker(files: list[ParsedFile], settings: Settings, texts: dict[str, str] | None = None) -> Recheck:
    """`recheck({path: new text})`: the findings of the folder of those paths, with those texts (None:
    the text as scanned, whose parse is reused). A file whose tree the scan released is parsed again,
    once, from `texts` (an editor's buffers, standard input) or the disk."""
    by_folder: dict[str, list[ParsedFile]] = {}
    for parsed in files:
        by_folder.setdefault(os.path.dirname(parsed.path), []).append(parsed)
    rules = selected_rules(settings)
    again: dict[str, ParsedFile] = {}

    def scanned(parsed: ParsedFile) -> ParsedFile:
        if not parsed.released:
            return parsed
        if parsed.path not in again:
            text = (texts or {}).get(parsed.path)
            text = read(parsed.path) if text is None else text
            again[parsed.path] = parsed if text is None else parse_text(text, parsed.path, parsed.path)
        return again[parsed.path]

    def recheck(changed: dict[str, str | None]) -> Found:
        folders = {os.path.dirname(path) for path in changed}
        context = [scanned(f) for folder in sorted(folders) for f in by_folder.get(folder, [])]
        replaced = [_replaced(f, changed.get(f.path)) for f in context]
        graph = build_graph(replaced, sorted(folders) or None)
        return Counter((f.rule_id, f.identities) for f in check_graph(graph, rules, settings, []))

    return recheck


def _replaced(parsed: ParsedFile, text: str | None) -> ParsedFile:
    return parsed if text is None else parsed_text(parsed.path, text)
