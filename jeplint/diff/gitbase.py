"""The base revision of a `jeplint diff`, read with the real `git` and written to a temporary folder.

Only git's object database is read (`git rev-parse`, `git ls-tree`, `git cat-file --batch`): the
user's working tree, index and stash are never touched. `.gitattributes` (`export-ignore`,
`export-subst`) do not apply, unlike `git archive`: the base tree is the commit's tree, byte for
byte. Regular files and symbolic links under the scanned paths are written; submodules are not
(they are not part of the commit's tree either).

The temporary folder mirrors the repository from its root, so a path relative to the working
directory means the same file on both sides (`BaseTree.mirror`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

GIT_TIMEOUT = 120  # seconds for one git command


class BaseError(Exception):
    """The base revision cannot be read (not a git repository, unknown revision, git missing)."""


@dataclass(slots=True)
class BaseTree:
    ref: str
    commit: str  # the full object name `ref` resolved to
    repo_root: str  # absolute, real path of the working tree's top level
    folder: str  # the temporary folder holding the base tree (the repository root's mirror)
    entries: list[tuple[str, str, str]] = field(default_factory=list)  # (mode, blob id, path) to write
    blobs: dict[str, str] = field(default_factory=dict)  # repository-relative path -> blob id, once written

    def mirror(self, path: str) -> str:
        """Where an absolute path of the working tree lies in the base tree."""
        rel = os.path.relpath(os.path.realpath(path), self.repo_root)
        return self.folder if rel == "." else os.path.join(self.folder, rel)

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _git(args: list[str], cwd: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False
        )
    except FileNotFoundError:
        raise BaseError("git is not installed (jeplint diff reads the base revision with git)") from None
    except subprocess.TimeoutExpired:
        raise BaseError(f"git {args[0]} did not finish in {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaseError(message[-1] if message else f"git {args[0]} failed with exit code {done.returncode}")
    return done.stdout


def repository_root(cwd: str) -> str:
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except BaseError:
        raise BaseError(f"{cwd} is not inside a git repository (jeplint diff compares with a git revision)") from None
    return os.path.realpath(out.decode("utf-8", "surrogateescape").strip())


def resolve(ref: str, cwd: str) -> str:
    """The commit `ref` names, or BaseError with one line saying it does not exist."""
    if not ref or ref.startswith("-"):
        raise BaseError(f"not a git revision: {ref!r}")
    try:
        out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd)
    except BaseError:
        raise BaseError(f"unknown git revision {ref!r} (fetch it first, e.g. git fetch origin {ref})") from None
    return out.decode().strip()


def prepare(ref: str, prefixes: list[str], cwd: str) -> BaseTree:
    """The files of `ref` under `prefixes` (repository-relative folders or files; "" = all) and a
    new, empty temporary folder for them (`write`). The caller removes it (`BaseTree.cleanup`)."""
    root = repository_root(cwd)
    commit = resolve(ref, root)
    entries = _entries(commit, prefixes, root)
    folder = tempfile.mkdtemp(prefix="jeplint-base-", dir=_memory_folder(len(entries)))
    return BaseTree(ref, commit, root, folder, entries)


def write(tree: BaseTree) -> None:
    """Write the tree's files (one `git cat-file --batch`) into its folder, emptied first (a process
    that failed may have written part of them); removes the folder when writing fails."""
    try:
        if not os.path.isdir(tree.folder) or os.listdir(tree.folder):
            shutil.rmtree(tree.folder, ignore_errors=True)
            os.mkdir(tree.folder, 0o700)
        _write(tree, tree.entries, tree.repo_root)
    except BaseException:
        tree.cleanup()
        raise


def extract(ref: str, prefixes: list[str], cwd: str) -> BaseTree:
    """`prepare` and `write`."""
    tree = prepare(ref, prefixes, cwd)
    write(tree)
    return tree


def _memory_folder(files: int) -> str | None:
    """`/dev/shm` when it is a writable memory file system with room to spare (writing and removing
    a few thousand files there costs a tenth of a disk's time); None (the system's temporary
    folder) otherwise, or when `TMPDIR` names one."""
    shm = "/dev/shm"
    if os.environ.get("TMPDIR") or not os.path.isdir(shm) or not os.access(shm, os.W_OK | os.X_OK):
        return None
    try:
        free = shutil.disk_usage(shm).free
    except OSError:
        return None
    return shm if free > max(files, 1) * 1024 * 1024 else None


def _entries(commit: str, prefixes: list[str], root: str) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of the regular files and links of `commit` under `prefixes`."""
    out = _git(["ls-tree", "-r", "-z", "--full-tree", commit], root)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        path = os.fsdecode(raw_path)
        if kind == "blob" and mode in ("100644", "100755", "120000") and _under(path, prefixes):
            entries.append((mode, blob, path))
    return entries


def _under(path: str, prefixes: list[str]) -> bool:
    return any(not p or path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def _write(tree: BaseTree, entries: list[tuple[str, str, str]], root: str) -> None:
    """All blobs in one `git cat-file --batch` call, each written under `tree.folder`."""
    if not entries:
        return
    data = _git(["cat-file", "--batch"], root, stdin="".join(f"{blob}\n" for _, blob, _ in entries).encode())
    at = 0
    for mode, blob, path in entries:
        header_end = data.index(b"\n", at)
        size = int(data[at:header_end].split()[2])
        content = data[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1  # the content is followed by a newline
        target = os.path.join(tree.folder, path)
        if ".." in path.split("/") or os.path.isabs(path):
            continue  # git never stores such paths; never written outside the folder either way
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if mode == "120000":
            os.symlink(os.fsdecode(content), target)
        else:
            with open(target, "wb") as handle:
                handle.write(content)
        tree.blobs[path] = blob
