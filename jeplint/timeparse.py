"""Dates and durations as Infrastructure as Code writes them, and as messages say them.

Pure functions, no clock: "now" is always passed in (it comes from `Options.now`), so every date
computation is reproducible in tests.

- `parse_timestamp`: RFC 3339 / ISO 8601 (`2026-01-31T00:00:00Z`, `...+01:00`, a bare date) -> an
  aware UTC datetime.
- `parse_duration`: Go durations as `timeadd()` and Azure's `end_date_relative` take them (`2160h`,
  `1h30m`), Vault TTLs (`768h`, `30d`, `3600`), ISO 8601 durations (`PT1H`, `P90D`) -> timedelta.
- `calendar_duration`: the `*_days` / `*_months` / ... arguments of `time_offset` and
  `time_rotating` -> timedelta (a month counts 30 days, a year 365: a lifetime bound, not a date).
- `humanize`: timedelta -> "90 days", "12 hours", "2 years".
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_GO_UNITS = {
    "ns": timedelta(microseconds=0.001),
    "us": timedelta(microseconds=1),
    "µs": timedelta(microseconds=1),
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),  # not Go, but Vault and several providers accept it
}
_GO_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+$")
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_ISO_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$")

DAY = timedelta(days=1)
MONTH = timedelta(days=30)
YEAR = timedelta(days=365)
CALENDAR_UNITS = {
    "seconds": timedelta(seconds=1),
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": DAY,
    "months": MONTH,
    "years": YEAR,
}


def parse_timestamp(text: str) -> datetime | None:
    """An RFC 3339 timestamp (or a bare date, read as midnight UTC) as an aware UTC datetime."""
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=timezone.utc)
    except ValueError:
        return None
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        value -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value


def parse_duration(text: str | float) -> timedelta | None:
    """A duration written as a number of seconds, a Go/Vault duration or an ISO 8601 duration."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return timedelta(seconds=text) if text >= 0 else None
    value = text.strip()
    if re.fullmatch(r"\d+", value):
        return timedelta(seconds=int(value))
    if _GO_DURATION.match(value):
        total = timedelta()
        for number, unit in _GO_PART.findall(value):
            total += float(number) * _GO_UNITS[unit]
        return total
    match = _ISO_DURATION.match(value.upper())
    if match and any(match.groupdict().values()):
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        return (
            parts.get("years", 0) * YEAR
            + parts.get("months", 0) * MONTH
            + parts.get("weeks", 0) * timedelta(weeks=1)
            + parts.get("days", 0) * DAY
            + timedelta(hours=parts.get("hours", 0), minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
        )
    return None


def calendar_duration(amounts: dict[str, float]) -> timedelta:
    """{"days": 30, "hours": 12} -> timedelta; units are CALENDAR_UNITS' keys."""
    return sum((CALENDAR_UNITS[unit] * amount for unit, amount in amounts.items()), timedelta())


def humanize(delta: timedelta) -> str:
    """A duration in the largest unit that keeps it readable: '2 years', '90 days', '12 hours'."""
    seconds = int(delta.total_seconds())
    for unit, size in (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and (seconds % size == 0 or unit in ("year", "day") and seconds >= 2 * size):
            count = seconds // size if seconds % size == 0 else round(seconds / size, 1)
            shown = f"{count:g}" if isinstance(count, float) else str(count)
            return f"{shown} {unit}{'' if count == 1 else 's'}"
    if seconds >= 3600:
        return f"{round(seconds / 3600, 2):g} hours"
    if seconds >= 60:
        return f"{round(seconds / 60, 2):g} minutes"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def day_of(moment: datetime) -> str:
    """A date for messages: '2026-01-31', or the full UTC time when it is not midnight."""
    moment = moment.astimezone(timezone.utc)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
