"""Times in a video as a person reads them."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """A time in a video as a person reads it: 0:42, 12:05, 1:02:03."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
