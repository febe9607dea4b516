"""The parse cache: each file's `ParsedFile`, stored under the SHA-256 of its bytes.

A scan reads and hashes every file; a file whose bytes it has parsed before (with the same jeplint
and the same parsers) is loaded from its pickle instead of being parsed again, which is 5-20 times
faster than the HCL parser. Invalidation is by content: an edited file has another hash, and an
upgrade or an edited parser starts a new *namespace* (see `namespace`). `jeplint scan --no-cache`
neither reads nor writes parse results; the HCL parser's tables are still loaded from (or saved to)
the cache folder, as python-hcl2 keeps its own grammar cache next to its modules.

Where: `$JEPLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/jeplint`, else `~/.cache/jeplint`. Under it,
`parse-<namespace>/<2 hex digits>/<62 hex digits>` per file and `parse-<namespace>/hcl-parser` for the HCL
parser tables (see `ParseCache.hcl_parser`). Namespaces unused for `STALE_DAYS` are removed when a
new one is made.

Paths: a `ParsedFile` is labelled with its display path, and so is every `Span` in it. The pickle
does not hold that path: spans refer to a placeholder that the loader resolves to the path the
current scan displays, so a renamed or moved file, or a scan from another working directory, still
finds its entry, and loading costs nothing extra (`dumps`, `loads`). The same compact pickles carry
parse results back from the worker processes of a scan.

Failure: every problem with the cache (missing, unreadable, unwritable, corrupt, a pickle from
another version) is a miss, and the file is parsed; a scan never fails because of its cache. Writes
are atomic (a temporary file renamed into place). Pickles can run code when loaded, so a cache
folder that is not the user's own or that others may write to is not used at all, and loading only
resolves the classes a parse result or the parser tables are made of (`_Unpickler`).

`parse_file` must stay a function of the file's bytes, its format (from its name) and its display
path: that is what an entry is keyed by.
"""

from __future__ import annotations

import copyreg
import hashlib
import importlib.util
import io
import os
import pickle
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jeplint import __version__
from jeplint.parse import MAX_FILE_BYTES, ParsedFile, file_format, parse_file
from jeplint.span import Span

if TYPE_CHECKING:
    from lark import Lark

CACHE_FORMAT = 1  # bump when the layout or the pickled classes change in a way a stamp cannot see
STALE_DAYS = 7  # namespaces (older jeplint versions or parsers) unused this long are removed
NAMESPACE_PREFIX = "parse-"  # namespace folders are `parse-<24 hex digits>`; nothing else is ever removed
# The code whose output a cache entry is: when any of its files changes, so does the namespace.
STAMPED_PACKAGES = ("jeplint.parse", "hcl2", "lark", "yaml")
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def cache_root() -> str:
    """The cache folder: `$JEPLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/jeplint`, else `~/.cache/jeplint`."""
    explicit = os.environ.get("JEPLINT_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "jeplint")


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
    """One namespace folder of the cache. Safe to pass to worker processes (it is just a path)."""

    __slots__ = ("folder",)

    def __init__(self, folder: str) -> None:
        self.folder = folder

    @classmethod
    def open(cls, root: str | None = None) -> ParseCache | None:
        """The cache under `root` (default `cache_root()`), or None when it cannot or must not be used."""
        root = root or cache_root()
        folder = os.path.join(root, NAMESPACE_PREFIX + namespace())
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)
            if not _private(root):
                return None
            if not os.path.isdir(folder):
                os.mkdir(folder, mode=0o700)
                _remove_stale(root, keep=folder)
        except OSError:
            return None
        try:
            os.utime(folder)  # in use: not stale
        except OSError:
            pass  # a read-only cache is still read
        return cls(folder)

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
            with open(self._file(key), "rb") as handle:
                parsed = loads(handle.read(), display)
        except Exception:  # missing, unreadable, truncated, from an incompatible jeplint: a miss
            return None, entry
        return parsed, entry

    def store(self, entry: Entry, path: str, data: bytes) -> None:
        """Save `data` (a `dumps` pickle of `path`'s parse) unless the file changed since it was hashed."""
        try:
            st = os.stat(path)
            if (st.st_size, st.st_mtime_ns) != entry.stamp:
                return
            self._write(self._file(entry.key), data)
        except OSError:
            pass  # read-only or full disk: the next scan parses again

    def hcl_parser(self) -> Lark:
        """The HCL parser, loaded from this cache, or built and saved here.

        Loading the pickled parser takes about 10 ms; building it takes over 100 ms, and about 1.7 s
        when python-hcl2 cannot write its own grammar cache into a read-only site-packages.
        """
        from jeplint.parse.hcl import build_parser

        target = os.path.join(self.folder, "hcl-parser")
        try:
            with open(target, "rb") as handle:
                return _Unpickler(io.BytesIO(handle.read()), "", _PARSER_MODULES).load()
        except Exception:  # missing or unusable: build it
            pass
        parser = build_parser()
        try:
            buffer = io.BytesIO()
            _ParserPickler(buffer).dump(parser)
            self._write(target, buffer.getvalue())
        except Exception:  # an unpicklable parser (another lark version) is simply not cached
            pass
        return parser

    def _file(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key[2:])

    def _write(self, target: str, data: bytes) -> None:
        folder = os.path.dirname(target)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise


def parse_and_store(path: str, display: str, entry: Entry | None, max_bytes: int, cache: ParseCache | None) -> ParsedFile:
    """Parse one file, and store the result in `cache` when there is an entry for it."""
    parsed = parse_file(path, display, max_bytes)
    if _storable(parsed, cache, entry):
        try:
            data = dumps(parsed)
        except Exception:  # a tree too deep to pickle is simply not cached
            return parsed
        cache.store(entry, path, data)  # type: ignore[union-attr,arg-type]
    return parsed


def parse_to_bytes(path: str, display: str, entry: Entry | None, max_bytes: int, cache: ParseCache | None) -> bytes | None:
    """Parse one file in a worker process: its `dumps` pickle, stored in `cache` too when there is
    an entry for it; None when the tree is too deep to pickle (the caller parses that file itself)."""
    if cache is not None and file_format(path) in ("tf", "tf.json"):
        from jeplint.parse import hcl

        hcl.parser(cache.hcl_parser)  # inherited when workers fork; loaded once per worker otherwise
    parsed = parse_file(path, display, max_bytes)
    try:
        data = dumps(parsed)
    except Exception:
        return None
    if _storable(parsed, cache, entry):
        cache.store(entry, path, data)  # type: ignore[union-attr,arg-type]
    return data


def _storable(parsed: ParsedFile, cache: ParseCache | None, entry: Entry | None) -> bool:
    """Only clean parses are cached: errors are rare, and some are transient (out of memory)."""
    return cache is not None and entry is not None and parsed.error is None


# -- pickles ------------------------------------------------------------------------------------


class _Label:
    """Stands for the display path in a pickled parse result (see `_Pickler`)."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return _label, ()


def _label() -> str:
    """Resolved by `_Unpickler` to the path of the file being loaded; called otherwise, it refuses."""
    raise pickle.UnpicklingError("a jeplint parse result is loaded with jeplint.cache.loads")


_LABEL = _Label()


class _Pickler(pickle.Pickler):
    """Pickles a `ParsedFile`; each `Span` becomes `Span(<label>, line, col, end_line, end_col)`.

    The label is pickled once and referenced after that, which makes the pickle smaller and about
    twice as fast to write as the default state-dict form of a frozen dataclass.
    """

    def __init__(self, file: io.BytesIO, path: str) -> None:
        super().__init__(file, _PROTOCOL)
        self.path = path
        self.dispatch_table = {**copyreg.dispatch_table, Span: self._span}

    def _span(self, span: Span) -> tuple[Any, tuple[Any, ...]]:
        path: Any = _LABEL if span.path == self.path else span.path
        return Span, (path, span.line, span.col, span.end_line, span.end_col)


def dumps(parsed: ParsedFile) -> bytes:
    """A compact pickle of `parsed` without its display path. Raises RecursionError for very deep trees."""
    buffer = io.BytesIO()
    _Pickler(buffer, parsed.path).dump(parsed)
    return buffer.getvalue()


def loads(data: bytes, display: str) -> ParsedFile:
    """The `ParsedFile` pickled by `dumps`, labelled `display` (its spans too)."""
    parsed = _Unpickler(io.BytesIO(data), display, _RESULT_MODULES).load()
    if not isinstance(parsed, ParsedFile):
        raise pickle.UnpicklingError("not a parse result")
    parsed.path = display
    return parsed


# Where the classes a pickle may refer to live: those of parse results, or those of the HCL parser.
_RESULT_MODULES = ("jeplint.parse", "jeplint.span")
_PARSER_MODULES = ("lark", "hcl2.postlexer", "functools")  # functools.partial: lark's tree callbacks
_OWN = frozenset({"_label", "_module", "_action"})  # this module's helpers a pickle may call


class _Unpickler(pickle.Unpickler):
    """Resolves the label, this module's helpers, and only classes of `modules`: no other callable."""

    def __init__(self, file: io.BytesIO, path: str, modules: tuple[str, ...]) -> None:
        super().__init__(file)
        self.path = path
        self.modules = modules

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name in _OWN:
            # The label resolves to the path. Not a method of this unpickler: its memo would hold
            # it, a reference cycle that keeps every memoized object alive while the GC is paused.
            return self.path.__str__ if name == "_label" else globals()[name]
        if "." not in name and any(module == m or module.startswith(m + ".") for m in self.modules):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a jeplint cache entry")


def _module(name: str) -> Any:
    """A module the parser tables refer to (its regex engine)."""
    if name not in ("re", "regex"):
        raise pickle.UnpicklingError(f"module {name} is not part of the parser")
    return importlib.import_module(name)


def _action(name: str) -> Any:
    """lark's Shift or Reduce: singletons that the LALR parser compares with `is`."""
    from lark.parsers import lalr_analysis

    if name not in ("Shift", "Reduce"):
        raise pickle.UnpicklingError(f"not a parser action: {name}")
    return getattr(lalr_analysis, name)


class _ParserPickler(pickle.Pickler):
    """Pickles a lark parser: modules by name, and the LALR actions as the singletons they are."""

    def __init__(self, file: io.BytesIO) -> None:
        from lark.parsers.lalr_analysis import Action

        super().__init__(file, _PROTOCOL)
        self.dispatch_table = {
            **copyreg.dispatch_table,
            type(sys): lambda module: (_module, (module.__name__,)),
            Action: lambda action: (_action, (action.name,)),
        }


# -- housekeeping -------------------------------------------------------------------------------

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO returns at once
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _readable(st: os.stat_result, max_bytes: int) -> bool:
    """A regular file of at most `max_bytes` bytes (anything else is left to `parse_file` to report)."""
    return stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes


def _private(folder: str) -> bool:
    """True when `folder` belongs to this user and nobody else may write to it (always on Windows)."""
    if not hasattr(os, "getuid"):
        return True
    st = os.stat(folder)
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _remove_stale(root: str, keep: str) -> None:
    """Remove the namespaces under `root` that no scan has used for `STALE_DAYS` (best effort)."""
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
