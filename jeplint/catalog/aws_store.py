"""The compiled AWS action catalogue on disk: one file, each service decoded only when asked for.

The file is JSON Lines, `aws-actions-<FORMAT>-<digest>.jsonl` in a private folder of the user's:

- line 1, the index: `{"format": F, "version": V, "services": {prefix: [start, length, count]}}`,
  where `start` and `length` locate the service's line in the bytes after the index line and
  `count` is its number of actions (so the catalogue's size is known without decoding a service);
- then one line per service: `{lower-case action name: [Name, [access levels], takes resources,
  [[service, ARN prefix], ...]]}`.

A scan reads the bytes once and decodes the index (~20 KB); each service is decoded and checked on
first use (`Stored.service`): a one-file scan decodes a handful of 457 services. It is plain data
(JSON), never code, and is read only from a folder no one else may write to
(`jeplint.catalog.private_files`). A service that is not what `encode` would have written (not
JSON, another shape, another count than the index says) makes `Stored.service` raise `Malformed`:
the caller stops using the file.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# lower-case action name -> [Name, [access levels], takes resources, [[service, ARN prefix], ...]]
Service = dict[str, list[Any]]


class Malformed(Exception):
    """A service of the stored file is not what `encode` writes: the file is not to be used."""


class Stored:
    """The index of a stored catalogue, and its services' bytes (decoded on demand)."""

    __slots__ = ("counts", "_data", "_spans")

    def __init__(self, data: bytes, body: int, index: dict[str, list[int]]) -> None:
        self.counts = {prefix: entry[2] for prefix, entry in index.items()}  # prefix -> number of actions
        self._data = data
        self._spans = {prefix: (body + entry[0], body + entry[0] + entry[1]) for prefix, entry in index.items()}

    def service(self, prefix: str, known: dict[Any, Any]) -> Service | None:
        """The service's entries, decoded, checked and shared now (`shared`); None when the index
        does not name it. Raises `Malformed` when its line is not what `encode` wrote."""
        span = self._spans.get(prefix)
        if span is None:
            return None
        try:
            actions = json.loads(self._data[span[0] : span[1]])
        except (ValueError, RecursionError):
            raise Malformed(prefix) from None
        if type(actions) is not dict or len(actions) != self.counts[prefix]:
            raise Malformed(prefix)
        return shared(actions, known)


def read(data: bytes, fmt: int, version: str) -> Stored | None:
    """The stored catalogue in `data`, or None when of another format or version, or with an index
    that does not fit the file. Services are checked when decoded."""
    end = data.find(b"\n")
    try:
        head = json.loads(data[:end]) if end > 0 else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(head, dict) or head.get("format") != fmt or head.get("version") != version:
        return None
    index = head.get("services")
    size = len(data) - end - 1
    if not isinstance(index, dict) or not all(_located(entry, size) for entry in index.values()):
        return None
    return Stored(data, end + 1, index)


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
