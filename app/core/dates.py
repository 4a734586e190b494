"""When a photo can have been taken: from the first photograph (1826) to now (and never after
its file was written). A date outside is a camera clock that was never set (0001-01-01 is a
common one), one set to 2099, or a broken tag, not a moment to group, sort or show by; past
1826 and 2200, local-time conversions also fail."""

from __future__ import annotations

import time
from datetime import UTC, datetime

EARLIEST = datetime(1826, 1, 1, tzinfo=UTC).timestamp()
LATEST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()
# A date taken this far past a moment known to come after it (now; the file's own times) is a
# clock set wrong (2099, 2150), not a photo from the future: it would sort above everything.
FUTURE_MARGIN = 2 * 86400.0


def latest_plausible() -> float:
    """The latest moment a photo can have been taken, as of now."""
    return min(LATEST, time.time() + FUTURE_MARGIN)


def plausible_date(moment: float | None, file_time: float | None = None) -> float | None:
    """`moment` (seconds since 1970) if a photo can have been taken then, else None; with
    `file_time` (the latest of the file's own times), also not after its file was written."""
    if moment is None or not EARLIEST <= moment < latest_plausible():
        return None
    if file_time is not None and moment > file_time + FUTURE_MARGIN:
        return None
    return moment


def within_dates(moment: float) -> float:
    """`moment` moved to the nearest edge of the span when outside it (a file time that was
    set to something odd still sorts, groups and shows)."""
    return min(max(moment, EARLIEST), LATEST - 1.0)


NS_MOST = 2**63 - 1  # SQLite stores integers in 64 bits: nanoseconds reach the year 2262


def stored_ns(file_time_ns: int) -> int:
    """A file time in nanoseconds as the catalog can store it: one set past 2262 (a bad clock,
    `touch -d 3000-01-01`) is kept as the latest time it can hold."""
    return max(-NS_MOST, min(file_time_ns, NS_MOST))
