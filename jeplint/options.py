"""What rules may be tuned by: thresholds and the clock, in one frozen object.

Rules receive an `Options` next to the graph (`check(graph, options)`). Defaults are documented with
their source; configuration files and CLI flags build a different `Options`, and tests pin `now`
so that date logic never reads the system clock behind their back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class Options:
    # The single source of "now" for every rule (UTC, timezone-aware).
    now: datetime = field(default_factory=_utcnow)


DEFAULT = Options()
