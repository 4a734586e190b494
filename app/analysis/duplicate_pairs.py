"""The candidate pairs of a duplicate scan and their scores, as arrays.

Candidates are CLIP neighbours (FAISS range search, never n x n), taken off the search's arrays
without a Python step per pair. Each is scored by pixels (`duplicate_pixels`) once and kept in the
analysis cache as arrays (`duplicate-pairs.npz`), so a later scan compares only new photos with
the library, and a scan with nothing new reads no vector at all.

Photos are compared in the order of their coarse CLIP list (neighbours sit in one list), so the
pixel print of a photo is made about once, in worker threads, ahead of the comparisons that need
it; a photo is compared with all its neighbours in one product.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import faiss
import numpy as np

from app.analysis.cache import AnalysisCache
from app.analysis.duplicate_pixels import PixelPrint, PixelPrints
from app.analysis.neighbours import index_for
from app.catalog import analysis_vectors

if TYPE_CHECKING:
    from app.analysis.library_analysis import AnalysisInputs

CANDIDATE_SIMILARITY = 0.85  # CLIP cosine similarity at which a neighbour is worth a pixel check
NEIGHBOURS = 30  # at most this many candidates per photo
PAIRS = "duplicate-pairs"
PAIRS_FORMAT = "v3"  # what the stored pairs hold; another format is scanned again
QUERY_CHUNK = 2000  # photos searched at once (a stop request is seen between chunks)
BATCH = 256  # photos compared with their neighbours between stop checks (their prints made ahead)
FIELDS = ("a", "b", "similarity", "pixels", "brightness", "colour")


@dataclass(frozen=True)
class ScoredPair:
    a: int  # image ids, a < b
    b: int
    similarity: float  # CLIP cosine
    pixels: float  # pixel_match
    brightness: float  # brightness_change
    colour: float  # colour_change


@dataclass(frozen=True)
class PairScores:
    """Scored pairs as columns: image ids a < b, and what `ScoredPair` holds for each."""

    a: np.ndarray  # int64
    b: np.ndarray  # int64
    similarity: np.ndarray  # float32 from here on
    pixels: np.ndarray
    brightness: np.ndarray
    colour: np.ndarray

    @classmethod
    def empty(cls) -> PairScores:
        ids, scores = np.empty(0, np.int64), np.empty(0, np.float32)
        return cls(ids, ids, scores, scores, scores, scores)

    @classmethod
    def of(cls, columns: dict[str, np.ndarray]) -> PairScores:
        return cls(
            *(np.asarray(columns[name], np.int64) for name in FIELDS[:2]),
            *(np.asarray(columns[name], np.float32) for name in FIELDS[2:]),
        )

    def __len__(self) -> int:
        return len(self.a)

    def columns(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in FIELDS}

    def where(self, mask: np.ndarray) -> PairScores:
        return PairScores.of({name: column[mask] for name, column in self.columns().items()})

    def at_least(self, pixels: float) -> PairScores:
        """The pairs whose pixels agree at least this well (the only ones a group can hold)."""
        return self.where(self.pixels >= pixels)

    def joined(self, other: PairScores) -> PairScores:
        mine, theirs = self.columns(), other.columns()
        return PairScores.of({name: np.concatenate([mine[name], theirs[name]]) for name in FIELDS})

    def __iter__(self) -> Iterator[ScoredPair]:
        columns = (c.tolist() for c in self.columns().values())
        for a, b, similarity, pixels, brightness, colour in zip(*columns, strict=True):
            yield ScoredPair(a, b, similarity, pixels, brightness, colour)


def check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        from app.core.errors import CancelledError

        raise CancelledError("the duplicate search was stopped")


def _keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One int64 per pair of image ids (ids below 2**31, as SQLite hands them out here)."""
    return (a.astype(np.int64) << 32) | b.astype(np.int64)


def scored_pairs(
    inputs: AnalysisInputs, prints: PixelPrints, should_stop: Callable[[], bool] | None = None
) -> tuple[PairScores, int]:
    """Every candidate pair's scores: those of earlier scans (for photos still here), and new
    ones for photos not compared yet. Returns (pairs, photos compared now)."""
    cache = AnalysisCache(inputs.folder)
    version = f"{inputs.model_key}|{PAIRS_FORMAT}"
    _region_ids, image_ids = analysis_vectors.image_regions(inputs.engine)
    stored = cache.load_arrays(PAIRS, version)
    if stored is None:
        cache.forget(PAIRS)  # an older format's pairs (JSON): scanned again, in this one
        stored = {**PairScores.empty().columns(), "compared": np.empty(0, np.int64)}
    pairs = PairScores.of(stored)
    pairs = pairs.where(np.isin(pairs.a, image_ids) & np.isin(pairs.b, image_ids))
    compared = np.intersect1d(stored["compared"], image_ids)
    new_rows = np.flatnonzero(~np.isin(image_ids, compared))
    if len(new_rows) == 0:
        return pairs, 0
    _region_ids, image_ids, vectors = analysis_vectors.vectors_for_analysis(inputs.engine, "image")
    new_rows = np.flatnonzero(~np.isin(image_ids, compared))
    found, unchecked = _score_new(prints, image_ids, vectors, new_rows, pairs, should_stop)
    pairs = pairs.joined(found)
    if not inputs.read_only:
        # Photos without a thumbnail now are left out of `compared`: compared again once it is back.
        done = np.setdiff1d(image_ids, unchecked)
        cache.save_arrays(PAIRS, version, {**pairs.columns(), "compared": done})
    return pairs, len(new_rows)


def _score_new(
    prints: PixelPrints,
    image_ids: np.ndarray,
    vectors: np.ndarray,
    rows: np.ndarray,
    known: PairScores,
    should_stop: Callable[[], bool] | None,
) -> tuple[PairScores, np.ndarray]:
    """The scores of the candidate pairs of `rows` not in `known`, and the image ids that had no
    print (no thumbnail to check: no claim, and not compared)."""
    if len(vectors) < 2:
        return PairScores.empty(), np.empty(0, np.int64)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = index_for(vectors)
    a, b, similarity = candidate_pairs(index, vectors, image_ids, rows, should_stop)
    fresh = ~np.isin(_keys(a, b), _keys(known.a, known.b))
    a, b, similarity = a[fresh], b[fresh], similarity[fresh]
    order = _locality(index, vectors, image_ids, a)
    return _score_batches(prints, a[order], b[order], similarity[order], should_stop)


def candidate_pairs(
    index: faiss.Index,
    vectors: np.ndarray,
    image_ids: np.ndarray,
    rows: np.ndarray,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image a, image b, similarity) arrays, a < b, each pair once, for each of `rows` and its
    nearest CLIP neighbours above CANDIDATE_SIMILARITY (at most NEIGHBOURS each); `index` holds
    `vectors` (row k is image_ids[k])."""
    found_a, found_b, found_sim = [], [], []
    for start in range(0, len(rows), QUERY_CHUNK):
        check_stop(should_stop)
        chunk = rows[start : start + QUERY_CHUNK]
        lims, sims, ids = index.range_search(np.ascontiguousarray(vectors[chunk]), CANDIDATE_SIMILARITY)
        lims = lims.astype(np.int64)
        query = np.repeat(np.arange(len(chunk)), np.diff(lims))
        order = np.lexsort((-sims, query))  # by query, the closest first (ties as FAISS gave them)
        rank = np.arange(len(order)) - lims[query[order]]
        ids, sims, query = ids[order], sims[order], query[order]
        keep = (rank <= NEIGHBOURS) & (ids != chunk[query])  # itself among the closest, then left out
        mine, theirs = image_ids[chunk[query[keep]]], image_ids[ids[keep]]
        found_a.append(np.minimum(mine, theirs))
        found_b.append(np.maximum(mine, theirs))
        found_sim.append(sims[keep].astype(np.float32))
    if not found_a:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    a, b, similarity = np.concatenate(found_a), np.concatenate(found_b), np.concatenate(found_sim)
    _unique, first = np.unique(_keys(a, b), return_index=True)
    return a[first], b[first], similarity[first]


def _locality(index: faiss.Index, vectors: np.ndarray, image_ids: np.ndarray, leads: np.ndarray) -> np.ndarray:
    """An order of the pairs (by their first photo, `leads`) that visits CLIP neighbourhoods one
    after another: by the coarse list of the first photo, then by photo."""
    rows = np.searchsorted(image_ids, leads) if np.all(np.diff(image_ids) > 0) else _rows_of(image_ids, leads)
    quantizer = getattr(index, "quantizer", None)
    if quantizer is None:  # an exact index (a small library): lists from a quick k-means
        k = max(1, min(len(vectors) // 40, int(2 * math.sqrt(len(vectors)))))
        kmeans = faiss.Kmeans(vectors.shape[1], k, niter=8, seed=1234)
        kmeans.train(vectors)
        quantizer = kmeans.index
    _d, lists = quantizer.search(np.ascontiguousarray(vectors[np.unique(rows)]), 1)
    list_of_row = np.zeros(len(vectors), np.int64)
    list_of_row[np.unique(rows)] = lists[:, 0]
    return np.lexsort((leads, list_of_row[rows]))


def _rows_of(image_ids: np.ndarray, leads: np.ndarray) -> np.ndarray:
    order = np.argsort(image_ids, kind="stable")
    return order[np.searchsorted(image_ids[order], leads)]


def _score_batches(
    prints: PixelPrints, a: np.ndarray, b: np.ndarray, similarity: np.ndarray, should_stop: Callable[[], bool] | None
) -> tuple[PairScores, np.ndarray]:
    """Scores pairs already in locality order, a lead photo (a) with all its neighbours at a
    time; the next batch's prints are being made while a batch is compared."""
    from threadpoolctl import threadpool_limits

    starts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]]) if len(a) else np.empty(0, np.int64)
    bounds = np.r_[starts, len(a)].tolist()  # lead k's pairs: bounds[k]:bounds[k + 1]
    batches = [range(k, min(k + BATCH, len(starts))) for k in range(0, len(starts), BATCH)]
    pixels = np.full(len(a), np.nan, np.float32)
    brightness, colour = np.zeros(len(a), np.float32), np.zeros(len(a), np.float32)
    unchecked: set[int] = set()
    # The worker threads share the cores: one BLAS thread each, not a pool each.
    with threadpool_limits(1, "blas"):
        for n, leads in enumerate(batches):
            check_stop(should_stop)
            for ahead in batches[n : n + 2]:  # this batch's prints (made already but the first) and the next's
                span = slice(bounds[ahead.start], bounds[ahead.stop])
                prints.make(np.unique(np.concatenate([a[span], b[span]])).tolist())
            for k in leads:
                span = slice(bounds[k], bounds[k + 1])
                lead = prints.get(int(a[span.start]))
                others = [prints.get(x) for x in b[span].tolist()]
                unchecked.update(x for x, p in zip(b[span].tolist(), others, strict=True) if p is None)
                if lead is None:
                    unchecked.add(int(a[span.start]))
                    continue
                _compare(lead, others, span, pixels, brightness, colour)
    scored = ~np.isnan(pixels)
    pairs = PairScores(a[scored], b[scored], similarity[scored], pixels[scored], brightness[scored], colour[scored])
    return pairs, np.array(sorted(unchecked), np.int64)


def _compare(
    lead: PixelPrint,
    others: list[PixelPrint | None],
    span: slice,
    pixels: np.ndarray,
    brightness: np.ndarray,
    colour: np.ndarray,
) -> None:
    """One photo against its neighbours: `pixel_match`, `brightness_change` and `colour_change`
    of each pair, written into the span's places (left NaN where a print is missing)."""
    present = [k for k, p in enumerate(others) if p is not None]
    found = [p for p in others if p is not None]
    if not found:
        return
    wholes = np.stack([p.whole for p in found])  # (m, D)
    windows = np.stack([p.windows for p in found])  # (m, w, D)
    either = np.maximum((lead.windows @ wholes.T).max(axis=0), (windows @ lead.whole).max(axis=1))
    level = np.array([p.brightness for p in found], np.float32)
    colours = np.array([p.colour for p in found], np.float32)
    places = np.arange(span.start, span.stop)[present]
    pixels[places] = either
    brightness[places] = np.abs(lead.brightness - level) / np.maximum(1.0, np.maximum(lead.brightness, level))
    colour[places] = np.abs(np.array(lead.colour, np.float32) - colours).max(axis=1) / 255.0
