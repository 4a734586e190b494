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
    return parts_window_distances(vectors, np.arange(n), np.zeros(n, np.int64), np.full(n, n, np.int64), block)


def parts_window_distances(
    vectors: np.ndarray, rows: np.ndarray, lows: np.ndarray, highs: np.ndarray, block: int = 8_192
) -> np.ndarray:
    """`window_distances` of many parts at once: position j is `vectors[rows[j]]`, and its
    part spans positions `lows[j]` to `highs[j]` (exclusive); no window reaches past its part,
    and each part's last position is 0. One pass over every part (a million photos in 18,000
    events: the parts one by one took 14 s)."""
    n = len(rows)
    out = np.zeros(n, dtype=np.float64)
    for start in range(0, n, block):
        end = min(start + block, n)
        low, high = max(0, start - SIDE + 1), min(n, end + SIDE)
        near = vectors[rows[low:high]]  # the block and the windows reaching past its ends
        runs = near.astype(np.float32)  # runs[q]: the sum of near[q - SIDE + 1 .. q]
        for k in range(1, SIDE):
            runs[k:] += near[:-k]
        at = np.arange(start, end)
        first = np.maximum(lows[start:end], at - SIDE + 1)  # each window's rows, kept to its part
        last = np.minimum(highs[start:end], at + SIDE + 1) - 1
        before = runs[at - low] - _rows_from(near, at - SIDE + 1 - low, first - low)
        after = runs[last - low] - _rows_from(near, last - SIDE + 1 - low, at + 1 - low)
        dots = np.einsum("ij,ij->i", before, after, dtype=np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", before, before) * np.einsum("ij,ij->i", after, after), dtype=np.float64)
        out[start:end] = np.where(at + 1 < highs[start:end], 1.0 - dots / np.maximum(norms, 1e-12), 0.0)
    return out


def _rows_from(near: np.ndarray, froms: np.ndarray, tos: np.ndarray) -> np.ndarray:
    """For each position, the sum of `near[froms[i] .. tos[i] - 1]` (rows before 0 absent):
    what a run of `SIDE` rows holds beyond its window, where the window meets its part's end
    (a few positions per part)."""
    out = np.zeros((len(froms), near.shape[1]), dtype=np.float32)
    for k in range(SIDE):
        row = froms + k
        chosen = np.flatnonzero((row < tos) & (row >= 0))
        out[chosen] += near[row[chosen]]
    return out


def content_splits(
    vectors: np.ndarray, sharp: float, whole: np.ndarray | None = None, rows: np.ndarray | None = None
) -> list[int]:
    """Positions i (into these time-ordered vectors) after which the content changes sharply:
    the mean of up to `SIDE` photos before and after is at least `sharp` apart (cosine).
    `whole`: their `window_distances`, where the caller made them; `rows`: position i is
    `vectors[rows[i]]` (no copy of a part's vectors in time order).

    One pass from the oldest photo: where the change passes `sharp`, the cut goes at its peak
    within the next `SIDE` positions (nearer positions see the change only in part of their
    window), and the photos before a window never reach back past the previous cut."""
    n = len(vectors) if rows is None else len(rows)
    if n < 2 * SMALLEST_PART or sharp <= 0:
        return []
    whole = window_distances(vectors) if whole is None else whole
    above = np.flatnonzero(whole >= sharp)  # the only positions a full window can cut at
    full = whole.tolist()
    short: list[float] = []  # after a cut, the distances of the windows that would reach past it

    def distance(i: int, start: int) -> float:
        return full[i] if i + 1 - start >= SIDE else short[i - start - SMALLEST_PART + 1]

    cuts: list[int] = []
    start, i, last = 0, SMALLEST_PART - 1, n - SMALLEST_PART - 1
    short = _restart_distances(vectors, rows, start, n)
    while i <= last:
        if i + 1 - start >= SIDE:  # on to the next position whose full window passes `sharp`
            k = int(np.searchsorted(above, i))
            if k == len(above) or above[k] > last:
                break
            i = int(above[k])
        if distance(i, start) < sharp:
            i += 1
            continue
        ahead = [distance(j, start) for j in range(i, min(i + SIDE, last + 1))]
        peak = i + ahead.index(max(ahead))
        if peak != i:
            i = peak  # closer to the change: look again from there
            continue
        cuts.append(i)
        start, i = i + 1, i + SMALLEST_PART
        short = _restart_distances(vectors, rows, start, n)
    return cuts


def _restart_weights() -> tuple[np.ndarray, np.ndarray]:
    """Which of the `2 * SIDE` rows from a cut make the window before and the window after
    each position `_restart_distances` gives (a row each)."""
    at = range(SMALLEST_PART - 1, SIDE - 1)
    before, after = np.zeros((2, len(at), 2 * SIDE))
    for row, offset in enumerate(at):
        before[row, : offset + 1] = 1.0
        after[row, offset + 1 : offset + 1 + SIDE] = 1.0
    return before, after


_RESTART_BEFORE, _RESTART_AFTER = _restart_weights()


def _restart_distances(vectors: np.ndarray, rows: np.ndarray | None, start: int, n: int) -> list[float]:
    """The distances at positions `start + SMALLEST_PART - 1` to `start + SIDE - 2`, whose
    windows before them begin at `start` (a cut just before it), all at once."""
    chosen = slice(start, min(n, start + 2 * SIDE))
    near = vectors[chosen] if rows is None else vectors[rows[chosen]]
    before, after = _RESTART_BEFORE[:, : len(near)] @ near, _RESTART_AFTER[:, : len(near)] @ near
    norms = np.sqrt(np.einsum("ij,ij->i", before, before) * np.einsum("ij,ij->i", after, after))
    return (1.0 - np.einsum("ij,ij->i", before, after) / np.maximum(norms, 1e-12)).tolist()


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


def find_events(times: np.ndarray, vectors: np.ndarray | None, rows: np.ndarray | None = None) -> list[EventRange]:
    """Events over photos with these times (seconds) and whole-photo vectors, oldest first.
    Photo p's vector is `vectors[rows[p]]` (-1 or a zero row: none yet); without `rows`, the
    vectors are in the photos' order."""
    order = np.argsort(times, kind="stable")
    sorted_times = np.asarray(times, dtype=np.float64)[order]
    ends = np.array([*time_boundaries(sorted_times), len(order) - 1], dtype=np.int64)
    cuts = _content_cuts(order, ends, vectors, rows) if vectors is not None and len(order) else {}
    events: list[EventRange] = []
    start = 0
    for part, end in enumerate(ends.tolist()):
        piece_start = start
        for cut in [*cuts.get(part, []), end]:
            events.append(
                EventRange(
                    order[piece_start : cut + 1].tolist(), float(sorted_times[piece_start]), float(sorted_times[cut])
                )
            )
            piece_start = cut + 1
        start = end + 1
    return events


def _content_cuts(
    order: np.ndarray, ends: np.ndarray, vectors: np.ndarray, rows: np.ndarray | None
) -> dict[int, list[int]]:
    """Each time part's content splits (`content_splits`), as positions into `order`: the
    photos with a vector, in time order, are compared in one pass over every part."""
    rows = np.arange(len(order)) if rows is None else np.asarray(rows, dtype=np.int64)
    nonzero = np.einsum("ij,ij->i", vectors, vectors) > 0  # no copy of the vectors (a million: 2 GB)
    has = (rows >= 0) & nonzero[np.maximum(rows, 0)]
    sharp = SHARP * typical_distance(vectors, rows=rows[has])
    at = np.flatnonzero(has[order])  # positions (in time order) of the photos with a vector
    part_of = np.searchsorted(ends, at)
    sizes = np.diff(np.r_[-1, ends])  # every photo of each part, with a vector or not
    counts = np.bincount(part_of, minlength=len(ends))
    lows = np.r_[0, np.cumsum(counts)[:-1]]
    chosen_rows = rows[order[at]]
    whole = parts_window_distances(vectors, chosen_rows, lows[part_of], (lows + counts)[part_of])
    cuts: dict[int, list[int]] = {}
    for part in np.unique(part_of[whole >= sharp]).tolist() if sharp > 0 else []:
        if sizes[part] < 2 * SMALLEST_PART:
            continue
        low, high = int(lows[part]), int(lows[part] + counts[part])
        found = content_splits(vectors, sharp, whole[low:high], chosen_rows[low:high])
        cuts[part] = [int(at[low + c]) for c in found]
    return cuts


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
