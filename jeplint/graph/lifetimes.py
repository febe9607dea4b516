"""How long credentials and grants live, as written: the typed facts the expiry rules compare with
`Options.now` and the thresholds. Nothing here reads the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jeplint.span import Span


@dataclass(frozen=True, slots=True)
class Lifetime:
    """How long a credential or grant stays valid, as written (or the default that applies).

    `duration`: valid that long after creation; `ends`: valid until then (from `starts`, when
    written); `never`: no end at all. `written` is False when nothing is written and `duration` /
    `never` is the platform's default; `text` then says what is missing.
    """

    span: Span
    text: str
    duration: timedelta | None = None
    ends: datetime | None = None
    starts: datetime | None = None
    never: bool = False
    written: bool = True

    def length(self, now: datetime) -> timedelta | None:
        """The validity: from the start (or from `now`, for an end date with no start); None = no end."""
        if self.never:
            return None
        if self.ends is not None:
            return self.ends - (self.starts or now)
        return self.duration

    def expired(self, now: datetime) -> bool:
        return self.ends is not None and self.ends <= now


@dataclass(frozen=True, slots=True)
class Rotation:
    """What replaces or expires a credential periodically: a `time_rotating`, an org policy, ..."""

    period: timedelta
    span: Span
    text: str  # "time_rotating.key replaces it every 30 days"
