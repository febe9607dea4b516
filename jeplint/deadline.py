"""The one deadline of a run (`--timeout`): `alarm` interrupts the work inside it when time is up.

Parsing, building the graph and running the rules all run under it (`jeplint.run`); a block that
the deadline interrupts raises `TimeUp`, which is not an `Exception`, so no parser's or rule's
`except Exception` takes it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TimeUp(BaseException):
    """Raised into the block of `alarm` when its deadline passes."""


@contextmanager
def alarm(deadline: float | None) -> Iterator[None]:
    """Raise `TimeUp` in the block when `deadline` (of `time.monotonic`) passes.

    Needs SIGALRM and the main thread; elsewhere callers check the deadline between pieces of work.
    """
    if deadline is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def time_up(signum: int, frame: object) -> None:
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, time_up)
    try:
        signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
