"""Memories: photos taken on this day in earlier years ("3 years ago today"), one card per year,
newest first, then the events of the last four weeks. Only dates taken count (a file's time
says when it was copied); 29 February is remembered on the 28th in other years."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.analysis.library_analysis import AnalysisInputs
from app.catalog import lookups

RECENT_DAYS = 28


@dataclass(frozen=True)
class Memory:
    kind: str  # "on this day" or "event"
    title: str
    day: date  # the day it remembers (an event's last day)
    image_ids: list[int]
    paths: list[str]

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "date": self.day.isoformat(),
            "count": len(self.image_ids),
            "image_ids": self.image_ids,
            "paths": self.paths,
        }


@dataclass
class Memories:
    day: date
    on_this_day: list[Memory] = field(default_factory=list)
    recent_events: list[Memory] = field(default_factory=list)

    @property
    def cards(self) -> list[Memory]:
        return self.on_this_day + self.recent_events

    def to_json(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "on_this_day": [m.to_json() for m in self.on_this_day],
            "recent_events": [m.to_json() for m in self.recent_events],
        }


def remembered_on(taken: date, day: date) -> bool:
    """Whether a photo taken on `taken` is remembered on `day` (a later year, the same date;
    29 February on the 28th when `day`'s year has none)."""
    if taken.year >= day.year:
        return False
    if (taken.month, taken.day) == (day.month, day.day):
        return True
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    return (taken.month, taken.day) == (2, 29) and (day.month, day.day) == (2, 28) and not leap


def _month_days_around(day: date) -> list[str]:
    """The dates ("MM-DD") whose photos may be remembered on `day`, and those either side of
    them: SQLite's calendar may place a photo taken near midnight on the next or the day before
    (outside 1970-2037 it guesses the offset), and `remembered_on` decides exactly."""
    same = date(2000, day.month, day.day)  # a leap year: 29 February has neighbours too
    around = {same + timedelta(days=k) for k in (-1, 0, 1)}
    if (day.month, day.day) == (2, 28):
        around |= {date(2000, 2, 29), date(2000, 3, 1)}
    return sorted(f"{d.month:02d}-{d.day:02d}" for d in around)


def memories(inputs: AnalysisInputs, day: date, with_events: bool = True) -> Memories:
    """The memories of `day`; without `with_events`, only this day's (one query: quick enough
    to decide at start whether the window opens on them)."""
    found = Memories(day)
    by_year: dict[int, list[tuple[float, int, str]]] = {}
    for image_id, taken, path in lookups.dates_taken(inputs.engine, _month_days_around(day)):
        when = datetime.fromtimestamp(taken)
        if remembered_on(when.date(), day):
            by_year.setdefault(when.year, []).append((taken, image_id, path))
    for year in sorted(by_year, reverse=True):
        shots = sorted(by_year[year])
        ago = day.year - year
        first = datetime.fromtimestamp(shots[0][0]).date()
        title = f"{ago} year{'s' if ago != 1 else ''} ago today · {first.day} {first:%B %Y}"
        found.on_this_day.append(
            Memory("on this day", title, first, [i for _t, i, _p in shots], [p for _t, _i, p in shots])
        )
    if with_events:
        found.recent_events = _recent_events(inputs, day)
    return found


def _recent_events(inputs: AnalysisInputs, day: date) -> list[Memory]:
    """The events that ended in the four weeks up to `day`, newest first (named as `events`
    names them; a library with no vectors yet has none)."""
    from app.analysis.library_events import events
    from app.catalog.analysis_vectors import analysis_region_ids

    if len(analysis_region_ids(inputs.engine, "image")) == 0:
        return []
    since = day - timedelta(days=RECENT_DAYS)
    recent = []
    for event in events(inputs).events:
        ended = datetime.fromisoformat(event.end).date()
        if since < ended <= day:
            recent.append(Memory("event", event.name, ended, list(event.image_ids), list(event.paths)))
    return sorted(recent, key=lambda m: m.day, reverse=True)
