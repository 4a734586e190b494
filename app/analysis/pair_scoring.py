"""Scoring candidate pairs by their pixels, in two looks.

The first look compares every pair by coarse prints (16 x 16 copies: a third of the cost of a
print, most of it the interpreter's, so a large scan makes them in processes). Each photo is
visited once, in an order that keeps CLIP neighbourhoods together, and its windows are compared
with the whole copies of all its partners in one product; a pair's score is the better of its
two photos' sides. Pairs that agree at least COARSE_LEAST are then compared by full prints, and
the others keep the coarse score: every grouping threshold is 0.8 or more, and in the corpus of
tests every pair at 0.8 or more by full prints agreed 0.78 or more by coarse ones.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.analysis.duplicate_pixels import PixelPrint, PixelPrints

COARSE_LEAST = 0.6  # coarse agreement worth a full comparison
BATCH = 256  # photos visited between stop checks (the next batch's prints made meanwhile)
PROCESSES_ABOVE = 5_000  # photos to visit: more make their coarse prints in processes


def check_stop(should_stop: Callable[[], bool] | None) -> None:
    from app.core.errors import raise_if_stopped

    raise_if_stopped(should_stop, "the duplicate search was stopped")


def score_pairs(
    prints: PixelPrints,
    photos: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pixels, brightness, colour) of each pair (a[i], b[i]) (NaN pixels where a print is
    missing), and the photos that had no print; `photos` holds every photo of the pairs, in the
    order to visit them."""
    ends = np.concatenate([a, b])
    sorter = np.argsort(photos, kind="stable")
    rank = sorter[np.searchsorted(photos, ends, sorter=sorter)]  # each pair side's photo's place in `photos`
    order = np.argsort(rank, kind="stable")
    slots = np.empty_like(order)
    slots[order] = np.arange(len(order))  # where each pair side sits in the visit
    bounds = np.searchsorted(rank[order], np.arange(len(photos) + 1))
    half, level, colours, unchecked = _first_look(prints, photos, np.concatenate([b, a])[order], bounds, should_stop)
    n = len(a)
    pixels = np.maximum(half[slots[:n]], half[slots[n:]])  # NaN where either side had no print
    mine, theirs = rank[:n], rank[n:]
    brightness = np.abs(level[mine] - level[theirs]) / np.maximum(1.0, np.maximum(level[mine], level[theirs]))
    colour = np.abs(colours[mine] - colours[theirs]).max(axis=1) / 255.0
    scores = (pixels, np.asarray(brightness, np.float32), np.asarray(colour, np.float32))
    close = np.flatnonzero(pixels >= COARSE_LEAST)
    close = close[np.argsort(mine[close], kind="stable")]  # by the visit's order of their first photo
    unchecked |= _second_look(prints, a[close], b[close], close, scores)
    return (*scores, np.array(sorted(unchecked), np.int64))


def _first_look(
    prints: PixelPrints,
    photos: np.ndarray,
    partners: np.ndarray,
    bounds: np.ndarray,
    should_stop: Callable[[], bool] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[int]]:
    """For each pair side (photo k's are partners[bounds[k]:bounds[k + 1]]): how well the best
    of the photo's coarse windows agrees with its partner's whole copy; and each photo's
    brightness and colour, and the photos with no print."""
    from threadpoolctl import threadpool_limits

    half = np.full(len(partners), np.nan, np.float32)
    level, colours = np.zeros(len(photos), np.float32), np.zeros((len(photos), 3), np.float32)
    unchecked: set[int] = set()
    batches = [range(k, min(k + BATCH, len(photos))) for k in range(0, len(photos), BATCH)]
    coarse = prints.coarse(processes=len(photos) > PROCESSES_ABOVE)
    # The worker threads share the cores: one BLAS thread each, not a pool each.
    with threadpool_limits(1, "blas"):
        try:
            for n, batch in enumerate(batches):
                check_stop(should_stop)
                for ahead in batches[n : n + 2]:  # this batch's prints (made already but the first) and the next's
                    coarse.make(photos[ahead.start : ahead.stop].tolist())
                    coarse.make(np.unique(partners[bounds[ahead.start] : bounds[ahead.stop]]).tolist())
                for k in batch:
                    mine = coarse.get(int(photos[k]))
                    if mine is None:
                        unchecked.add(int(photos[k]))
                        continue
                    level[k], colours[k] = mine.brightness, mine.colour
                    places = np.arange(bounds[k], bounds[k + 1])
                    theirs = [coarse.get(x) for x in partners[places].tolist()]
                    present = [j for j, p in enumerate(theirs) if p is not None]
                    if present:
                        wholes = np.stack([p.whole for p in theirs if p is not None])
                        half[places[present]] = (mine.windows @ wholes.T).max(axis=0)
        finally:
            coarse.close()
    return half, level, colours, unchecked


def _second_look(
    prints: PixelPrints, a: np.ndarray, b: np.ndarray, places: np.ndarray, scores: tuple[np.ndarray, ...]
) -> set[int]:
    """The full comparison of the pairs at `places` (a and b theirs, grouped by a), written over
    their coarse scores (NaN where a print is missing now); returns the photos without one."""
    from threadpoolctl import threadpool_limits

    scores[0][places] = np.nan
    leads = np.split(np.arange(len(a)), np.flatnonzero(np.diff(a)) + 1) if len(a) else []
    batches = [leads[k : k + BATCH] for k in range(0, len(leads), BATCH)]
    unchecked: set[int] = set()
    with threadpool_limits(1, "blas"):
        for n, batch in enumerate(batches):
            for ahead in batches[n : n + 2]:
                spans = np.concatenate(ahead)
                prints.make(np.unique(np.concatenate([a[spans], b[spans]])).tolist())
            for span in batch:
                unchecked.update(_compare(prints, int(a[span[0]]), b[span], places[span], scores))
    return unchecked


def _compare(
    prints: PixelPrints, lead_id: int, others_ids: np.ndarray, places: np.ndarray, scores: tuple[np.ndarray, ...]
) -> list[int]:
    """One photo against its neighbours: `pixel_match`, `brightness_change` and `colour_change`
    of each pair, written into `scores` at `places` (left as they were where a print is
    missing). Returns the photos that had no print."""
    lead = prints.get(lead_id)
    others: list[PixelPrint | None] = [prints.get(x) for x in others_ids.tolist()]
    missing = [x for x, p in zip(others_ids.tolist(), others, strict=True) if p is None]
    if lead is None:
        return [lead_id, *missing]
    present = [k for k, p in enumerate(others) if p is not None]
    found = [p for p in others if p is not None]
    if not found:
        return missing
    wholes = np.stack([p.whole for p in found])  # (m, D)
    windows = np.stack([p.windows for p in found])  # (m, w, D)
    either = np.maximum((lead.windows @ wholes.T).max(axis=0), (windows @ lead.whole).max(axis=1))
    level = np.array([p.brightness for p in found], np.float32)
    colours = np.array([p.colour for p in found], np.float32)
    pixels, brightness, colour = scores
    places = places[present]
    pixels[places] = either
    brightness[places] = np.abs(lead.brightness - level) / np.maximum(1.0, np.maximum(lead.brightness, level))
    colour[places] = np.abs(np.array(lead.colour, np.float32) - colours).max(axis=1) / 255.0
    return missing
