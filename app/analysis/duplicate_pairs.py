"""The candidate pairs of a duplicate scan and their scores, as arrays.

Candidates are CLIP neighbours (a large library's list by list, by matrix products, as the
clusters' radius graph is made; a small one's by FAISS range search; never n x n), taken off
the arrays without a Python step per pair. Each is scored by pixels once (`pair_scoring`, the
photos visited in the order of their coarse CLIP list, where neighbours sit) and kept in the
analysis cache as arrays (`duplicate-pairs.npz`), so a later scan compares only new photos with
the library, and a scan with nothing new reads no vector at all."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import faiss
import numpy as np

from app.analysis.cache import AnalysisCache
from app.analysis.duplicate_pixels import PixelPrints
from app.analysis.neighbours import close_by_lists, index_for, list_members
from app.analysis.pair_scoring import check_stop, score_pairs
from app.catalog import analysis_vectors

if TYPE_CHECKING:
    from app.analysis.library_analysis import AnalysisInputs

CANDIDATE_SIMILARITY = 0.85  # CLIP cosine similarity at which a neighbour is worth a pixel check
NEIGHBOURS = 30  # at most this many candidates per photo
PAIRS = "duplicate-pairs"
PAIRS_FORMAT = "v3"  # what the stored pairs hold; another format is scanned again
PROBES = 8  # lists each list's photos meet (neighbours this close sit in fewer than the clusters' radius needs)
QUERY_CHUNK = 2000  # photos searched at once (a stop request is seen between chunks)
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
    index = index_for(vectors, compact=True)  # its lists are what is read, not its codes
    a, b, similarity = candidate_pairs(index, vectors, image_ids, rows, should_stop)
    fresh = ~np.isin(_keys(a, b), _keys(known.a, known.b))
    a, b, similarity = a[fresh], b[fresh], similarity[fresh]
    photos = np.union1d(a, b)
    photos = photos[_locality(index, vectors, image_ids, photos)]
    pixels, brightness, colour, unchecked = score_pairs(prints, photos, a, b, should_stop)
    scored = ~np.isnan(pixels)
    return PairScores(
        a[scored], b[scored], similarity[scored], pixels[scored], brightness[scored], colour[scored]
    ), unchecked


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
    for query, ids, sims in _neighbours(index, vectors, rows):
        check_stop(should_stop)
        order = np.lexsort((-sims, query))  # by query, the closest first (ties as found)
        query, ids, sims = query[order], ids[order], sims[order]
        place = np.arange(len(query))
        rank = place - np.maximum.accumulate(np.where(np.r_[True, query[1:] != query[:-1]], place, 0))
        keep = (rank <= NEIGHBOURS) & (ids != query)  # itself among the closest, then left out
        mine, theirs = image_ids[query[keep]], image_ids[ids[keep]]
        found_a.append(np.minimum(mine, theirs))
        found_b.append(np.maximum(mine, theirs))
        found_sim.append(sims[keep].astype(np.float32))
    if not found_a:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    a, b, similarity = np.concatenate(found_a), np.concatenate(found_b), np.concatenate(found_sim)
    _unique, first = np.unique(_keys(a, b), return_index=True)
    return a[first], b[first], similarity[first]


def _neighbours(
    index: faiss.Index, vectors: np.ndarray, rows: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(query rows, neighbour rows, similarities) above CANDIDATE_SIMILARITY, a block at a
    time, each query's neighbours in one block: an IVF index's lists by matrix products (as the
    radius graph is made), an exact one's by range search."""
    if isinstance(index, faiss.IndexIVF):
        wanted = np.zeros(len(vectors), bool)
        wanted[rows] = True
        yield from close_by_lists(index, vectors, CANDIDATE_SIMILARITY, wanted, PROBES)
        return
    for start in range(0, len(rows), QUERY_CHUNK):
        chunk = rows[start : start + QUERY_CHUNK]
        lims, sims, ids = index.range_search(np.ascontiguousarray(vectors[chunk]), CANDIDATE_SIMILARITY)
        counts = np.diff(lims).astype(np.int64)
        yield np.repeat(chunk, counts), ids.astype(np.int64), sims


def _locality(index: faiss.Index, vectors: np.ndarray, image_ids: np.ndarray, leads: np.ndarray) -> np.ndarray:
    """An order of `leads` (image ids) that visits CLIP neighbourhoods one after another: by
    their coarse list, then by id."""
    rows = np.searchsorted(image_ids, leads) if np.all(np.diff(image_ids) > 0) else _rows_of(image_ids, leads)
    list_of_row = np.zeros(len(vectors), np.int64)
    if isinstance(index, faiss.IndexIVF):
        for i, members in enumerate(list_members(index)):
            list_of_row[members] = i
    else:  # an exact index (a small library): lists from a quick k-means
        k = max(1, min(len(vectors) // 40, int(2 * math.sqrt(len(vectors)))))
        kmeans = faiss.Kmeans(vectors.shape[1], k, niter=8, seed=1234)
        kmeans.train(vectors)
        _d, lists = kmeans.index.search(np.ascontiguousarray(vectors[np.unique(rows)]), 1)
        list_of_row[np.unique(rows)] = lists[:, 0]
    return np.lexsort((leads, list_of_row[rows]))


def _rows_of(image_ids: np.ndarray, leads: np.ndarray) -> np.ndarray:
    order = np.argsort(image_ids, kind="stable")
    return order[np.searchsorted(image_ids[order], leads)]
