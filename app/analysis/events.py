"""Events: photos taken close together in time, split further where the content changes sharply.

Time first, as PhotoTOC does (Platt et al., 2003): a gap between two photos taken one after
the other ends an event when it is long in itself (`LONG_GAP`), or when it is at least
`SHORT_GAP` and stands out against the gaps around it: its log is `OUTSTANDING` above the mean
log gap of the `WINDOW` gaps on either side. Gaps under `MOMENT` count as `MOMENT`, so a burst
beside a pause does not make the pause stand out. A day of photos every few minutes with a
two-hour lunch break is two events; a week of one photo a day is seven.

Then content: inside an event, the photos before and after each point (up to `SIDE` each)
are compared as mean CLIP vectors, oldest first; where the distance passes `SHARP` of the
library's typical distance (the median between two photos picked at random, so the rule
follows the model's scale), the event is cut at the peak of that change. A burst of a dozen
shots of one thing never splits; a walk from the beach into a museum does.
Measured on the shapes model the tests train: windows of one kind sit at most 0.10 of the
typical distance apart, windows of two kinds at least 0.33.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np

LONG_GAP = 6 * 3600.0  # seconds
SHORT_GAP = 30 * 60.0
OUTSTANDING = math.log(17.0)  # PhotoTOC's K
WINDOW = 10
MOMENT = 60.0  # seconds: shorter gaps (bursts, photos saved in the same second) count as this long
SIDE = 6  # photos on each side of a possible content split
SMALLEST_PART = 3  # a content split never leaves fewer photos than this on a side
SHARP = 0.25
PAIRS = 4_000  # random pairs read for the typical distance


@dataclass(frozen=True)
class EventRange:
    """One event: its rows (positions in the input, in time order) and its first and last time."""

    rows: list[int]
    start: float
    end: float


def time_boundaries(times: np.ndarray) -> list[int]:
    """Positions i (into the time-sorted photos) where an event ends after photo i."""
    gaps = np.diff(np.asarray(times, dtype=np.float64))
    if len(gaps) == 0:
        return []
    # A run of near-zero gaps (a burst, files copied in one second) would make any ordinary gap
    # beside it look outstanding: below a minute, every gap counts as a minute.
    logs = np.log(np.maximum(gaps, MOMENT))
    sums = np.concatenate([[0.0], np.cumsum(logs)])
    at = np.arange(len(gaps))
    low, high = np.maximum(0, at - WINDOW), np.minimum(len(gaps), at + WINDOW + 1)
    around = (sums[high] - sums[low]) / (high - low)
    ends = (gaps >= LONG_GAP) | ((gaps >= SHORT_GAP) & (logs >= OUTSTANDING + around))
    return [int(i) for i in np.flatnonzero(ends)]


def window_distances(vectors: np.ndarray, block: int = 8_192) -> np.ndarray:
    """For each position i, the cosine distance between the mean of up to `SIDE` photos up to
    and including i and the mean of up to `SIDE` photos after it (the last position: 0). Made
    block by block, so memory stays flat however long the event."""
    n = len(vectors)
    out = np.zeros(n, dtype=np.float64)
    for start in range(0, n - 1, block):
        low, high = max(0, start - SIDE + 1), min(n, start + block + SIDE)
        sums = np.vstack([np.zeros((1, vectors.shape[1])), np.cumsum(vectors[low:high], axis=0, dtype=np.float64)])
        at = np.arange(start, min(start + block, n - 1)) - low  # positions, local to the block
        before = sums[at + 1] - sums[np.maximum(0, at + 1 - SIDE)]
        after = sums[np.minimum(high - low, at + 1 + SIDE)] - sums[at + 1]
        norms = np.maximum(np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1), 1e-12)
        out[start : start + len(at)] = 1.0 - (before * after).sum(axis=1) / norms
    return out


def content_splits(vectors: np.ndarray, sharp: float) -> list[int]:
    """Positions i (into these time-ordered vectors) after which the content changes sharply:
    the mean of up to `SIDE` photos before and after is at least `sharp` apart (cosine).

    One pass from the oldest photo: where the change passes `sharp`, the cut goes at its peak
    within the next `SIDE` positions (nearer positions see the change only in part of their
    window), and the photos before a window never reach back past the previous cut."""
    n = len(vectors)
    if n < 2 * SMALLEST_PART or sharp <= 0:
        return []
    whole = window_distances(vectors)

    def distance(i: int, start: int) -> float:
        if i + 1 - start >= SIDE:
            return float(whole[i])  # its window does not reach back past the cut
        before = vectors[start : i + 1].sum(axis=0, dtype=np.float64)
        after = vectors[i + 1 : i + 1 + SIDE].sum(axis=0, dtype=np.float64)
        norms = max(float(np.linalg.norm(before) * np.linalg.norm(after)), 1e-12)
        return 1.0 - float(before @ after) / norms

    cuts: list[int] = []
    start, i, last = 0, SMALLEST_PART - 1, n - SMALLEST_PART - 1
    while i <= last:
        if distance(i, start) < sharp:
            i += 1
            continue
        ahead = range(i, min(i + SIDE, last + 1))
        peak = ahead[int(np.argmax([distance(j, start) for j in ahead]))]
        if peak != i:
            i = peak  # closer to the change: look again from there
            continue
        cuts.append(i)
        start, i = i + 1, i + SMALLEST_PART
    return cuts


def typical_distance(vectors: np.ndarray, pairs: int = PAIRS, seed: int = 0, rows: np.ndarray | None = None) -> float:
    """The median cosine distance between two different photos picked at random (of `rows`
    when given, else of all)."""
    rows = np.arange(len(vectors)) if rows is None else rows
    n = len(rows)
    if n < 2:
        return 0.0
    first, second = np.random.default_rng(seed).integers(0, n, (2, pairs))
    different = first != second
    sims = (vectors[rows[first[different]]] * vectors[rows[second[different]]]).sum(axis=1)
    return float(np.median(1.0 - sims)) if len(sims) else 0.0


def find_events(times: np.ndarray, vectors: np.ndarray | None) -> list[EventRange]:
    """Events over photos with these times (seconds) and whole-photo vectors (rows in the same
    order; a zero row for a photo without one), oldest first."""
    order = np.argsort(times, kind="stable")
    sorted_times = np.asarray(times, dtype=np.float64)[order]
    events: list[EventRange] = []
    sharp = 0.0
    if vectors is not None:
        # The rows with a vector, without a copy of them (a million photos: 2 GB each)
        present = np.flatnonzero(np.einsum("ij,ij->i", vectors, vectors) > 0)
        sharp = SHARP * typical_distance(vectors, rows=present)
    start = 0
    for end in [*time_boundaries(sorted_times), len(order) - 1]:
        part = list(range(start, end + 1))
        cuts: list[int] = []
        if vectors is not None and len(part) >= 2 * SMALLEST_PART:
            part_vectors = vectors[order[part]]
            with_vector = np.flatnonzero(np.abs(part_vectors).sum(axis=1) > 0)
            cuts = [int(with_vector[c]) for c in content_splits(part_vectors[with_vector], sharp)]
        piece_start = 0
        for cut in [*cuts, len(part) - 1]:
            rows = [int(order[p]) for p in part[piece_start : cut + 1]]
            events.append(EventRange(rows, float(sorted_times[part[piece_start]]), float(sorted_times[part[cut]])))
            piece_start = cut + 1
        start = end + 1
    return events


def date_phrase(start: float, end: float) -> str:
    """ "Saturday 12 May 2024", "12–14 May 2024", "30 May – 2 June 2024" or
    "30 December 2023 – 2 January 2024" (local time)."""
    first, last = datetime.fromtimestamp(start), datetime.fromtimestamp(end)
    if first.date() == last.date():
        return f"{first:%A} {first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {first:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def part_of_day(moment: float) -> str:
    hour = datetime.fromtimestamp(moment).hour
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


def event_names(ranges: list[EventRange], topics: list[list[str]]) -> list[str]:
    """A name per event: its dates; where one day holds several events, the part of the day
    (or the start time, where that is shared too); and the names of the clusters most of its
    photos belong to ("Saturday 12 May 2024, morning — beach & dogs"; a cluster's own name may
    hold " · "). `topics` holds each event's cluster names, most photos first."""
    return with_topics(event_dates(ranges), topics)


def with_topics(dates: list[str], topics: list[list[str]]) -> list[str]:
    """Each event's dates (`event_dates`) with its topics."""
    return [f"{name} — {' & '.join(words)}" if words else name for name, words in zip(dates, topics, strict=True)]


def event_dates(ranges: list[EventRange]) -> list[str]:
    """The dates part of each event's name (see `event_names`)."""
    phrases = [date_phrase(r.start, r.end) for r in ranges]
    shared = Counter(phrases)
    named = [
        f"{phrase}, {part_of_day(r.start)}" if shared[phrase] > 1 else phrase
        for phrase, r in zip(phrases, ranges, strict=True)
    ]
    still_shared = Counter(named)
    named = [
        f"{phrase}, {datetime.fromtimestamp(r.start):%H:%M}" if still_shared[name] > 1 else name
        for name, phrase, r in zip(named, phrases, ranges, strict=True)
    ]
    return named
