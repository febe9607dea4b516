"""The compiled AWS action catalogue on disk: one file, each service decoded only when asked for.

The file is JSON Lines, `aws-actions-<FORMAT>-<digest>.jsonl` in a private folder of the user's:

- line 1, the index: `{"format": F, "version": V, "services": {prefix: [start, length, count]}}`,
  where `start` and `length` locate the service's line in the bytes after the index line and
  `count` is its number of actions (so the catalogue's size is known without decoding a service);
- then one line per service: `{lower-case action name: [Name, [access levels], takes resources,
  [[service, ARN prefix], ...]]}`.

A scan reads and decodes the index line (~15 KB); each service's line is read, decoded and checked
on first use (`Stored.service`): a one-file scan reads a handful of 457 services. It is plain data
(JSON), never code, and is read only from a folder no one else may write to
(`jeplint.catalog.private_files`). A service that is not what `encode` would have written (not
JSON, another shape, another count than the index says) makes `Stored.service` raise `Malformed`:
the caller stops using the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from typing import Any

# lower-case action name -> [Name, [access levels], takes resources, [[service, ARN prefix], ...]]
Service = dict[str, list[Any]]


class Malformed(Exception):
    """A service of the stored file is not what `encode` writes: the file is not to be used."""


class Stored:
    """The index of a stored catalogue, and the open file its services are read from on demand
    (the file whose index was read: a file written over it meanwhile is another file)."""

    __slots__ = ("counts", "_fd", "_spans", "_lock")

    def __init__(self, fd: int, body: int, index: dict[str, list[int]]) -> None:
        self.counts = {prefix: entry[2] for prefix, entry in index.items()}  # prefix -> number of actions
        self._fd = fd
        self._spans = {prefix: (body + entry[0], entry[1]) for prefix, entry in index.items()}
        self._lock = threading.Lock()  # without os.pread: one seek and read at a time

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)

    def service(self, prefix: str, known: dict[Any, Any]) -> Service | None:
        """The service's entries, read, decoded, checked and shared now (`shared`); None when the
        index does not name it. Raises `Malformed` when its line is not what `encode` wrote."""
        span = self._spans.get(prefix)
        if span is None:
            return None
        try:
            line = self._read(*span)
            actions = json.loads(line) if len(line) == span[1] else None
        except (OSError, ValueError, RecursionError):
            raise Malformed(prefix) from None
        if type(actions) is not dict or len(actions) != self.counts[prefix]:
            raise Malformed(prefix)
        return shared(actions, known)

    def _read(self, start: int, length: int) -> bytes:
        if hasattr(os, "pread"):
            return os.pread(self._fd, length, start)
        with self._lock:
            os.lseek(self._fd, start, os.SEEK_SET)
            return os.read(self._fd, length)


_MAX_INDEX = 1 << 20  # an index line longer than this is not what `encode` writes


def read(fd: int, fmt: int, version: str) -> Stored | None:
    """The stored catalogue open as `fd` (kept open by the result, closed here when there is
    none), or None when of another format or version, or with an index that does not fit the
    file. Only the index line is read now; services are read and checked when asked for."""
    try:
        stored = _read_index(fd, fmt, version)
    except (OSError, ValueError, RecursionError):
        stored = None
    if stored is None:
        os.close(fd)
    return stored


def _read_index(fd: int, fmt: int, version: str) -> Stored | None:
    head = b""
    while b"\n" not in head and len(head) < _MAX_INDEX:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return None
        head += chunk
    end = head.find(b"\n")
    if end <= 0:
        return None
    data = json.loads(head[:end])
    if not isinstance(data, dict) or data.get("format") != fmt or data.get("version") != version:
        return None
    index = data.get("services")
    size = os.fstat(fd).st_size - end - 1
    if not isinstance(index, dict) or not all(_located(entry, size) for entry in index.values()):
        return None
    return Stored(fd, end + 1, index)


def _located(entry: object, size: int) -> bool:
    return (
        isinstance(entry, list)
        and len(entry) == 3
        and all(type(n) is int and n >= 0 for n in entry)
        and entry[0] + entry[1] <= size
    )


def shared(actions: object, known: dict[Any, Any]) -> Service:
    """`actions` checked entry by entry (`Malformed` unless it has the shape `encode` writes), its
    strings interned and one tuple per distinct access list and resource-type list (`known`)."""
    if type(actions) is not dict:
        raise Malformed("not a service")
    intern = sys.intern
    for entry in actions.values():
        if type(entry) is not list or len(entry) != 4:
            raise Malformed("not an action entry")
        name, access, scoped, types = entry
        if type(name) is not str or type(access) is not list or type(scoped) is not bool or type(types) is not list:
            raise Malformed("not an action entry")
        levels = tuple(intern(level) if type(level) is str else _malformed() for level in access)
        pairs = tuple(
            (intern(pair[0]), intern(pair[1]))
            if type(pair) is list and len(pair) == 2 and type(pair[0]) is str and type(pair[1]) is str
            else _malformed()
            for pair in types
        )
        entry[1] = known.setdefault(levels, levels)
        entry[3] = known.setdefault(pairs, pairs)
    return actions


def _malformed() -> Any:
    raise Malformed("not an action entry")


def encode(services: dict[str, Service], fmt: int, version: str) -> bytes:
    """The file's bytes: the index line, then one line per service (in `services`' order)."""
    lines = [json.dumps(actions, separators=(",", ":")).encode("ascii") for actions in services.values()]
    index: dict[str, list[int]] = {}
    start = 0
    for (prefix, actions), line in zip(services.items(), lines):
        index[prefix] = [start, len(line), len(actions)]
        start += len(line) + 1
    head = json.dumps({"format": fmt, "version": version, "services": index}, separators=(",", ":"))
    return b"\n".join([head.encode("ascii"), *lines, b""])
