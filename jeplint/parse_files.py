"""Parsing many files at once: in this process, or in this process and `jobs - 1` workers.

`jeplint.run.parse_all` decides what needs parsing (the parse cache and `reuse` answer the rest)
and hands the list here. Both ways yield `(index, ParsedFile)` as files are done, in no set order.

With workers (`parse_shared`), the files are taken largest first: worker processes take chunks from
the large end, and this process parses from the small end while it waits for them, so that it is
one of the `jobs` parsers rather than a process waiting on the others; what the workers send back it
reads in between. The last files to finish are the smallest, which keeps the two ends even.

Workers send each `ParsedFile` pickled, strings as persistent ids that this process interns as it
reads them (`_Interning`): a tree repeats its keys, types and references in every file.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from jeplint.cache import Entry, ParseCache, parse_and_store
from jeplint.deadline import TimeUp, alarm
from jeplint.discover import SourceFile
from jeplint.parse import ParsedFile, file_format, parse_file
from jeplint.parse.nodes import ParseError
from jeplint.suppress import may_suppress

if TYPE_CHECKING:
    from concurrent.futures import Future

Todo = list[tuple[int, Entry | None]]  # (index into the sources, where its parse is cached)

CHUNK = 8  # files per task sent to a worker: small, so that both ends finish together
IN_FLIGHT = 2  # tasks queued per worker: it never waits for this process to send the next


def parse_here(
    sources: list[SourceFile], todo: Todo, max_bytes: int, store: ParseCache | None, deadline: float | None
) -> Iterator[tuple[int, ParsedFile]]:
    """Parse in this process, until `deadline` (a file still being parsed then is interrupted)."""
    for index, entry in todo:
        parsed = _parse_one(sources[index], entry, max_bytes, store, deadline)
        if parsed is None:
            return
        yield index, parsed


def _parse_one(
    source: SourceFile, entry: Entry | None, max_bytes: int, store: ParseCache | None, deadline: float | None
) -> ParsedFile | None:
    """One file parsed here; None when the deadline has passed or passes during the parse."""
    if deadline is not None and time.monotonic() >= deadline:
        return None
    try:
        with alarm(deadline):
            return parse_and_store(source.path, source.display, entry, max_bytes, store)
    except TimeUp:
        return None


def parse_shared(
    sources: list[SourceFile],
    todo: Todo,
    max_bytes: int,
    keep_lines: bool,
    store: ParseCache | None,
    jobs: int,
    deadline: float | None,
    first: set[int] | None = None,
    when_first: Callable[[], None] | None = None,
) -> Iterator[tuple[int, ParsedFile]]:
    """Parse with `jobs - 1` worker processes and this process (see the module's text). A file whose
    tree cannot travel pickled is parsed here. At `deadline` the workers are stopped: results not
    back by then are not waited for.

    `first`: indices parsed before the others, at both ends. Once the last of them has been yielded
    (at once when `todo` holds none), `when_first` is called here while the workers go on: they are
    first sent half of what is left (by size), so that they do not run dry meanwhile.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait  # not needed by small scans
    from concurrent.futures.process import BrokenProcessPool

    size = {index: _size(sources[index].path) for index, _ in todo}
    pending = {index for index, _ in todo if first is not None and index in first}  # of `first`: not yet yielded
    parts = ([item for item in todo if item[0] in pending], [item for item in todo if item[0] not in pending])
    queues = [deque(sorted(part, key=lambda item: -size[item[0]])) for part in parts]  # stable: ties keep order
    work = partial(_parse_chunk_in_worker, max_bytes=max_bytes, cache=store, keep_lines=keep_lines)
    workers = max(1, jobs - 1)
    pool = ProcessPoolExecutor(max_workers=workers)
    sent: dict[Future[list[bytes | None]], Todo] = {}

    broken: list[BaseException] = []  # the pool stopped working: what is left is parsed here

    def send(chunks: int) -> None:
        while not broken and len(sent) < chunks and any(queues):
            queue = queues[0] or queues[1]
            chunk = [queue.popleft() for _ in range(min(CHUNK, len(queue)))]
            try:
                sent[pool.submit(work, [(sources[i].path, sources[i].display, entry) for i, entry in chunk])] = chunk
            except BrokenProcessPool as exc:
                broken.append(exc)
                queue.extendleft(reversed(chunk))  # not sent: parsed here like the rest

    def reached_first() -> None:
        given = sum(size[index] for chunk in sent.values() for index, _ in chunk)
        total = given + sum(size[index] for queue in queues for index, _ in queue)
        while any(queues) and given < total / 2:
            send(len(sent) + 1)
            given += sum(size[index] for index, _ in list(sent.values())[-1])
        if when_first is not None:
            when_first()

    finished = False
    try:
        if first is not None and not pending:
            reached_first()
        while any(queues) or sent:
            send(IN_FLIGHT * workers)
            done = [future for future in sent if future.done()]
            results: list[tuple[int, ParsedFile]] = []
            if not done and any(queues):
                index, entry = (queues[0] or queues[1]).pop()  # the smallest left
                parsed = _parse_one(sources[index], entry, max_bytes, store, deadline)
                if parsed is None:
                    return
                results.append((index, parsed))
            elif not done:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return
                done = list(wait(sent, timeout=left, return_when=FIRST_COMPLETED).done)
                if not done:
                    return
            for future in done:
                chunk = sent.pop(future)
                try:
                    back = future.result()
                except BrokenProcessPool as exc:  # a worker was killed (out of memory, a signal)
                    broken.append(exc)
                    results += [(index, _lost(sources[index])) for index, _ in chunk]
                    continue
                for (index, _), data in zip(chunk, back):
                    source = sources[index]
                    results.append(
                        (index, parse_file(source.path, source.display, max_bytes) if data is None else unpickle(data))
                    )
            for index, parsed in results:
                yield index, parsed
                if index in pending:
                    pending.discard(index)
                    if not pending:
                        reached_first()
        finished = True
    finally:
        _close(pool, finished)


def _lost(source: SourceFile) -> ParsedFile:
    """A file a worker had when it was killed: not parsed again here, as it may be what killed it."""
    reason = f"not analysed: the worker process parsing it (with up to {CHUNK - 1} other files) stopped unexpectedly"
    return ParsedFile(source.display, "unknown", error=ParseError(reason))


def _close(pool: object, finished: bool) -> None:
    """Leave the pool; when the work was not finished (deadline, error, a caller that stopped
    reading), kill the workers rather than wait for their parses: a parse cannot be interrupted from
    outside, and there is no public API for that before Python 3.14's terminate_workers."""
    from concurrent.futures import ProcessPoolExecutor

    assert isinstance(pool, ProcessPoolExecutor)
    if finished:
        pool.shutdown(wait=True)
        return
    workers = list(pool._processes.values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # parse_file says why


def _parse_chunk_in_worker(
    items: list[tuple[str, str, Entry | None]], max_bytes: int, cache: ParseCache | None, keep_lines: bool
) -> list[bytes | None]:
    return [_parse_in_worker(path, display, entry, max_bytes, cache, keep_lines) for path, display, entry in items]


def _parse_in_worker(
    path: str, display: str, entry: Entry | None, max_bytes: int, cache: ParseCache | None, keep_lines: bool = True
) -> bytes | None:
    """Parse one file in a worker (storing it in `cache` when there is an entry for it): the
    `ParsedFile` pickled for the scan that forked this worker, its lines dropped as `jeplint.run`
    would; None when the tree is too deep to pickle (the scan parses that file itself).

    Pickle, not the cache's JSON form: these bytes go through the pool's pipe to this scan's own
    process (the pool's transport pickles anyway) and are never written anywhere; the C unpickler
    builds the tree in a third of the main process's time of `cache_codec.loads`, which checks
    every field of a file it finds on disk. Strings are interned in the main process
    (`_Interning`) as the cache's decoder does.

    Workers are forked with collection paused (`jeplint.run.scan`), and a parse can leave reference
    cycles; all that the worker allocated since the last collection is in the youngest generation,
    so collecting it after each file frees any such garbage.
    """
    try:
        return _parsed_and_dumped(path, display, entry, max_bytes, cache, keep_lines)
    finally:
        # After the tree was freed (by reference counting, as `_parsed_and_dumped` returned): what is
        # left to collect is only cyclic garbage, not the whole tree walked while still alive.
        gc.collect(0)


def _parsed_and_dumped(
    path: str, display: str, entry: Entry | None, max_bytes: int, cache: ParseCache | None, keep_lines: bool
) -> bytes | None:
    if cache is not None and file_format(path) in ("tf", "tf.json"):
        from jeplint.parse import hcl

        hcl.parser(cache.hcl_parser)  # inherited when workers fork; loaded once per worker otherwise
    parsed = parse_and_store(path, display, entry, max_bytes, cache)
    if not keep_lines and not may_suppress(parsed):
        parsed.lines = None
    out = io.BytesIO()
    try:
        _StringsApart(out, parsed.path).dump(parsed)
    except RecursionError:
        return None
    return out.getvalue()


class _StringsApart(pickle.Pickler):
    """Writes each string as a persistent id, for `_Interning` to intern as it reads them back;
    except the file's path, one object that every span shares (the pickle's memo keeps it one)."""

    def __init__(self, out: io.BytesIO, path: str) -> None:
        super().__init__(out, pickle.HIGHEST_PROTOCOL)
        self.path = path

    def persistent_id(self, obj: object) -> str | None:
        return obj if type(obj) is str and obj is not self.path else None


class _Interning(pickle.Unpickler):
    """Reads a `_parse_in_worker` result with its strings interned: a tree repeats its keys, types
    and references, in every file (on the real corpus 336k strings, 23k distinct: ~14 MB less)."""

    def persistent_load(self, pid: object) -> str:
        if type(pid) is not str:
            raise pickle.UnpicklingError("not a string")
        return sys.intern(pid)


def unpickle(data: bytes) -> ParsedFile:
    parsed: ParsedFile = _Interning(io.BytesIO(data)).load()
    return parsed
