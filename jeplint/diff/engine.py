"""`jeplint diff`: scan the working tree, scan a git revision of the same paths, compare.

Both sides go through `jeplint.run.scan` with the same settings (the working tree's configuration
applies to both). The base tree is written to a temporary folder mirroring the repository
(`jeplint.diff.gitbase`), and scanned with that folder's image of the working directory as the
current directory, so that its display paths are the working tree's: `infra/iam.tf` on both sides.
A base file whose bytes equal the working tree's is not parsed again: the working tree's parse is
reused (`reuse`); the others go through the parse cache like any scan.

When the parse cache already holds the base's files (`_warm`: the usual case once jeplint has run
on the repository) and there are two cores or more, the base is scanned in a forked process while
this one scans the working tree; the child sends back a `portable` snapshot. Otherwise, or if the
child fails, the two scans run one after the other, the base reusing the working tree's parses.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

from jeplint.diff import gitbase
from jeplint.diff.delta import Delta, compare
from jeplint.diff.gitbase import BaseError, BaseTree
from jeplint.diff.snapshot import Snapshot, portable, take
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
    tree = gitbase.prepare(ref, prefixes, cwd)
    collecting = gc.isenabled()
    gc.disable()  # as `scan` does: millions of live graph objects make every collector pass slow
    child = None
    try:
        child = _fork_base(tree, paths, settings, cwd) if _parallel(tree, settings, cwd) else None
        if child is None:
            gitbase.write(tree)
        head = scan(paths, settings, progress)
        base = _collect(child) if child is not None else None
        child = None
        if base is None:
            if not tree.blobs and tree.entries:  # the child failed before or while writing
                gitbase.write(tree)
            base = _scan_base(tree, paths, settings, cwd, head.files)
        return DiffResult(ref, tree.commit, head, base, compare(base, take(head)))
    finally:
        if child is not None:  # interrupted while the base was being scanned
            child[0].terminate()
            child[0].join()
        tree.cleanup()
        if collecting:
            gc.enable()


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


def _scan_base(tree: BaseTree, paths: list[str], settings: Settings, cwd: str, head_files: list[ParsedFile]) -> Snapshot:
    exclude_root = os.path.abspath(settings.exclude_root)
    if _inside(os.path.realpath(exclude_root), tree.repo_root):
        exclude_root = tree.mirror(exclude_root)
    base_settings = dataclasses.replace(settings, baseline=None, context_dirs=False, exclude_root=exclude_root)
    base_paths = [os.path.relpath(os.path.abspath(p), cwd) for p in paths]
    with _working_directory(tree.mirror(cwd)):
        result = scan(base_paths, base_settings, reuse=_reuser(head_files, cwd) if head_files else None)
    return take(result)


def _parallel(tree: BaseTree, settings: Settings, cwd: str) -> bool:
    if not settings.cache or settings.jobs == 1 or (os.cpu_count() or 1) < 2:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return _warm(tree, settings, cwd)


def _warm(tree: BaseTree, settings: Settings, cwd: str, sample: int = 16) -> bool:
    """Whether the parse cache holds the files, judged on a sample of the working tree's copies of
    the base's files (the base is written later, by the process that scans it)."""
    from jeplint.cache import ParseCache
    from jeplint.parse import file_format

    store = ParseCache.open()
    names = [p for _, _, p in tree.entries if file_format(p) and os.path.isfile(os.path.join(tree.repo_root, p))]
    if store is None or not names:
        return False
    picked = names[:: max(1, len(names) // sample)][:sample]
    paths = [os.path.join(tree.repo_root, p) for p in picked]
    return all(store.lookup(p, os.path.relpath(p, cwd), settings.max_file_bytes)[0] is not None for p in paths)


Child = tuple[multiprocessing.process.BaseProcess, Connection]


def _fork_base(tree: BaseTree, paths: list[str], settings: Settings, cwd: str) -> Child | None:
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sending, tree, paths, settings, cwd), name="jeplint-diff-base")
    try:
        process.start()
    except OSError:
        return None
    sending.close()
    return process, receiving


def _child(sending: Connection, tree: BaseTree, paths: list[str], settings: Settings, cwd: str) -> None:
    gc.disable()
    try:
        gitbase.write(tree)
        snapshot = portable(_scan_base(tree, paths, settings, cwd, []))
        sending.send(("ok", snapshot))
    except BaseException as exc:  # reported to the parent, which scans the base itself
        sending.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sending.close()


def _collect(child: Child) -> Snapshot | None:
    """The child's snapshot, or None when it failed (the caller then scans the base itself)."""
    process, receiving = child
    try:
        kind, value = receiving.recv()
    except (EOFError, OSError):
        kind, value = "error", None
    finally:
        receiving.close()
        process.join()
    return value if kind == "ok" else None


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
