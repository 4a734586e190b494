"""What names an event besides its dates: the clusters most of its photos belong to, counted
for every event at once over flat arrays (a Counter per event took 2.7 s at a million photos,
on every move of the strictness slider), and the events as kept between moves."""

from __future__ import annotations

import threading
from datetime import datetime

import numpy as np

from app.analysis.events import EventRange, event_dates
from app.analysis.packed_clusters import PackedClusters

TOPICS = 2  # cluster names in an event's name
TOPIC_SHARE = 0.25  # a cluster names an event when it holds this share of its photos


class StoredEvents:
    """The events of one library version, oldest first, as cached (`events` holds each one's
    start, end, image ids and paths), with their photos' ids flat, for naming them."""

    def __init__(self, version: str, events: list[dict]) -> None:
        self.version, self.events = version, events
        self.sizes = np.fromiter((len(e["image_ids"]) for e in events), np.int64, len(events))
        ids = [int(i) for e in events for i in e["image_ids"]]
        self.ids = np.asarray(ids, dtype=np.int64)
        self._dates: tuple[list[str], list[str], list[str]] | None = None
        self._members: tuple[list[list[str]], list[list[int]]] | None = None
        self._lock = threading.Lock()

    def members(self) -> tuple[list[list[str]], list[list[int]]]:
        """(each event's paths, its image ids), made once: every move of the slider names the
        events again, and copying a million of each took half a second."""
        with self._lock:
            if self._members is None:
                self._members = (
                    [list(e["paths"]) for e in self.events],
                    [[int(i) for i in e["image_ids"]] for e in self.events],
                )
            return self._members

    def firsts(self) -> np.ndarray:
        """Each event's lowest image id (its id: see `Event.id`)."""
        if not len(self.ids):
            return np.empty(0, dtype=np.int64)
        starts = np.r_[0, np.cumsum(self.sizes)[:-1]]
        return np.minimum.reduceat(self.ids, starts)

    def dates(self) -> tuple[list[str], list[str], list[str]]:
        """(the dates part of each event's name, its start and end in ISO 8601), made once."""
        with self._lock:
            if self._dates is None:
                ranges = [EventRange([], e["start"], e["end"]) for e in self.events]
                self._dates = (
                    event_dates(ranges),
                    [_iso(e["start"]) for e in self.events],
                    [_iso(e["end"]) for e in self.events],
                )
            return self._dates


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment).isoformat(timespec="seconds")


def event_topics(stored: StoredEvents, clusters: PackedClusters) -> list[list[str]]:
    """Each event's topics: the names of the clusters holding the most of its photos (at most
    `TOPICS`, each holding at least two and `TOPIC_SHARE` of them), most photos first and, on
    a tie, the one met first in the event; clusters of one name count together."""
    topics: list[list[str]] = [[] for _ in stored.events]
    if not len(clusters) or not len(stored.ids):
        return topics
    name_of: dict[str, int] = {}
    for name in clusters.names:
        name_of.setdefault(name, len(name_of))
    names = list(name_of)
    members = clusters.image_ids
    named = np.repeat(np.array([name_of[n] for n in clusters.names], dtype=np.int64), np.diff(clusters.bounds))
    # A photo in two clusters counts for the later one: its last place in `members`.
    _ids, last = np.unique(members[::-1], return_index=True)
    last = len(members) - 1 - last
    highest = max(int(stored.ids.max()), int(members.max()) if len(members) else 0)
    label = np.full(highest + 1, -1, dtype=np.int64)
    label[members[last]] = named[last]
    found = label[stored.ids]
    at = np.flatnonzero(found >= 0)
    event_of = np.repeat(np.arange(len(stored.events), dtype=np.int64), stored.sizes)[at]
    keys, first, counts = np.unique(event_of * len(names) + found[at], return_index=True, return_counts=True)
    events, labels = keys // len(names), keys % len(names)
    order = np.lexsort((at[first], -counts, events))
    events, labels, counts = events[order], labels[order], counts[order]
    starts = np.r_[0, np.flatnonzero(events[1:] != events[:-1]) + 1]
    rank = np.arange(len(events)) - np.repeat(starts, np.diff(np.r_[starts, len(events)]))
    least = np.maximum(2.0, TOPIC_SHARE * stored.sizes.astype(np.float64))
    chosen = (rank < TOPICS) & (counts >= least[events])
    for event, name in zip(events[chosen].tolist(), labels[chosen].tolist(), strict=True):
        topics[event].append(names[name])
    return topics
