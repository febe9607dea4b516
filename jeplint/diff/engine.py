"""`jeplint diff`: scan the working tree, scan a git revision of the same paths, compare.

Both sides go through `jeplint.run.scan` with the same settings (the working tree's configuration
applies to both). The base tree is written to a temporary folder mirroring the repository
(`jeplint.diff.gitbase`), and scanned with that folder's image of the working directory as the
current directory, so that its display paths are the working tree's: `infra/iam.tf` on both sides.
A base file whose bytes equal the working tree's is not parsed again: the working tree's parse is
reused (`reuse`); the others go through the parse cache like any scan.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from jeplint.diff import gitbase
from jeplint.diff.delta import Delta, compare
from jeplint.diff.gitbase import BaseError, BaseTree
from jeplint.diff.snapshot import Snapshot, take
from jeplint.discover import SourceFile
from jeplint.parse import ParsedFile
from jeplint.run import Progress, Reuse, ScanResult, Settings, scan


@dataclass(slots=True)
class DiffResult:
    ref: str
    commit: str
    head: ScanResult
    base: Snapshot
    delta: Delta


def run(paths: list[str], ref: str, settings: Settings, progress: Progress | None = None) -> DiffResult:
    """Raises `BaseError` (one line) when the base cannot be read."""
    cwd = os.getcwd()
    prefixes = _prefixes(paths, cwd, gitbase.repository_root(cwd))
    tree = gitbase.extract(ref, prefixes, cwd)
    try:
        head = scan(paths, settings, progress)
        base = _scan_base(tree, paths, settings, head, cwd)
    finally:
        tree.cleanup()
    head_snapshot = take(head)
    return DiffResult(ref, tree.commit, head, base, compare(base, head_snapshot))


def _prefixes(paths: list[str], cwd: str, root: str) -> list[str]:
    """The repository-relative folders or files to read from the base ("" = the whole tree)."""
    out = []
    for path in paths:
        absolute = os.path.abspath(path)
        if not _inside(absolute, cwd):
            raise BaseError(f"{path} is outside the working directory (run jeplint diff from a folder above the paths)")
        rel = os.path.relpath(os.path.realpath(absolute), root)
        if rel == ".." or rel.startswith(".." + os.sep):
            raise BaseError(f"{path} is outside the git repository {root}")
        out.append("" if rel == "." else rel.replace(os.sep, "/"))
    return out


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _scan_base(tree: BaseTree, paths: list[str], settings: Settings, head: ScanResult, cwd: str) -> Snapshot:
    exclude_root = os.path.abspath(settings.exclude_root)
    if _inside(os.path.realpath(exclude_root), tree.repo_root):
        exclude_root = tree.mirror(exclude_root)
    base_settings = dataclasses.replace(settings, baseline=None, context_dirs=False, exclude_root=exclude_root)
    base_paths = [os.path.relpath(os.path.abspath(p), cwd) for p in paths]
    with _working_directory(tree.mirror(cwd)):
        result = scan(base_paths, base_settings, reuse=_reuser(head.files, cwd))
    return take(result)


def _reuser(files: list[ParsedFile], cwd: str) -> Reuse:
    """A `reuse` callback: the working tree's parse of a base file whose bytes are the same."""
    by_display = {f.path: f for f in files if f.error is None}

    def reuse(source: SourceFile) -> ParsedFile | None:
        parsed = by_display.get(source.display)
        if parsed is None:
            return None
        head_path = os.path.join(cwd, source.display)
        try:
            if os.path.getsize(head_path) != os.path.getsize(source.path):
                return None
            with open(head_path, "rb") as mine, open(source.path, "rb") as theirs:
                return parsed if mine.read() == theirs.read() else None
        except OSError:
            return None

    return reuse


@contextmanager
def _working_directory(folder: str) -> Iterator[None]:
    os.makedirs(folder, exist_ok=True)  # the working directory may hold nothing the base tracks
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
