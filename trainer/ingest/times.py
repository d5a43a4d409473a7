"""Timestamps in chat logs: ISO-8601 instants and `[mm:ss]` / `[hh:mm:ss]` offsets."""

from __future__ import annotations

from datetime import datetime

from trainer.errors import IngestError
from trainer.ingest.shown import quoted

ISO_FIX = "use ISO-8601, e.g. 2026-03-01T10:00:00Z"


def parse_instant(value: str) -> datetime:
    """Parse an ISO-8601 date-time (a trailing Z is UTC); raises IngestError without `where`."""
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise IngestError(
            f"not an ISO-8601 date-time: {quoted(value.strip())}", fix=ISO_FIX
        ) from None


def seconds_between(first: datetime, later: datetime) -> float:
    """Seconds from `first` to `later`; raises IngestError if only one carries a time zone."""
    if (first.tzinfo is None) != (later.tzinfo is None):
        raise IngestError(
            f"{later.isoformat()} and {first.isoformat()} mix times with and without a time zone",
            fix="give every timestamp a time zone (e.g. a trailing Z), or none of them",
        )
    return (later - first).total_seconds()


def parse_offset(stamp: str) -> float:
    """Seconds in a `mm:ss` or `hh:mm:ss` stamp (seconds may have a fraction)."""
    parts = stamp.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    if seconds >= 60 or (len(parts) == 3 and minutes >= 60):
        raise IngestError(f"not a time stamp: [{stamp}]", fix="write [mm:ss] or [hh:mm:ss]")
    return hours * 3600 + minutes * 60 + seconds
