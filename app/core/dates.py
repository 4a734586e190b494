"""When a photo can have been taken: from the first photograph (1826) to 2200. A date outside
is a camera clock that was never set (0001-01-01 is a common one) or a broken tag, not a moment
to group, sort or show by; past the edges of that span, local-time conversions also fail."""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime(1826, 1, 1, tzinfo=UTC).timestamp()
LATEST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


def plausible_date(moment: float | None) -> float | None:
    """`moment` (seconds since 1970) if a photo can have been taken then, else None."""
    return moment if moment is not None and EARLIEST <= moment < LATEST else None


def within_dates(moment: float) -> float:
    """`moment` moved to the nearest edge of the span when outside it (a file time that was
    set to something odd still sorts, groups and shows)."""
    return min(max(moment, EARLIEST), LATEST - 1.0)


NS_MOST = 2**63 - 1  # SQLite stores integers in 64 bits: nanoseconds reach the year 2262


def stored_ns(file_time_ns: int) -> int:
    """A file time in nanoseconds as the catalog can store it: one set past 2262 (a bad clock,
    `touch -d 3000-01-01`) is kept as the latest time it can hold."""
    return max(-NS_MOST, min(file_time_ns, NS_MOST))
