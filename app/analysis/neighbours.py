"""The sparse radius-neighbour graph DBSCAN runs on, built with FAISS range search.

Memory grows with the number of neighbours within the radius, never with n x n. Up to
`EXACT_LIMIT` vectors the search is exact; beyond it the vectors are split into an IVF index's
lists, and each list's photos are compared with those of its nearest lists by matrix products:
the close neighbours that matter at DBSCAN radii (cosine distance <= 0.2 or so) sit in the same
or a neighbouring list, and the work grows as n^1.5 where per-photo range search grew as n^2.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import faiss
import numpy as np

from app.vectors.ivf import trained_ivf

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix  # imported where used: `status` and searches need no SciPy

EXACT_LIMIT = 20_000
QUERY_CHUNK = 20_000
PROBES = 16  # lists compared with each list in the graph built list by list
BLOCK_BYTES = 64 << 20  # the similarities computed at once there


def index_for(vectors: np.ndarray, compact: bool = False) -> faiss.Index:
    """An exact inner-product index up to `EXACT_LIMIT` vectors, else a generous IVF one;
    `compact` keeps its vectors in 8 bits (a quarter of the memory: the radius graph reads
    only its lists, and the radius's sample re-ranks what it finds with the vectors)."""
    n, dim = vectors.shape
    if n <= EXACT_LIMIT:
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        return flat
    nlist = int(2 * math.sqrt(n))
    encoding = faiss.ScalarQuantizer.QT_8bit if compact else None
    # FAISS's default seed, as before
    index = trained_ivf(vectors, nlist, 10, np.random.default_rng(0), seed=1234, encoding=encoding)
    index.add(vectors)
    index.nprobe = max(8, nlist // 32)
    return index


def radius_graph(vectors: np.ndarray, eps: float, index: faiss.Index | None = None) -> csr_matrix:
    """Cosine distances (1 - similarity) between every pair closer than `eps`, self included;
    `index` is one `index_for` made over the same vectors (made here when not given)."""
    from scipy.sparse import csr_matrix

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n == 0:
        return csr_matrix((0, 0), dtype=np.float32)
    index = index if index is not None else index_for(vectors)
    if isinstance(index, faiss.IndexIVF):
        return _graph_by_lists(index, vectors, eps)
    rows, cols, dists = [], [], []
    for start in range(0, n, QUERY_CHUNK):
        chunk = vectors[start : start + QUERY_CHUNK]
        lims, sims, ids = index.range_search(chunk, 1.0 - eps)
        counts = np.diff(lims).astype(np.int64)
        rows.append(np.repeat(np.arange(start, start + len(chunk)), counts))
        cols.append(ids.astype(np.int64))
        # Self-distance is stored as a tiny positive number: an explicit zero could be dropped
        # as "no entry", and DBSCAN counts a point among its own neighbours.
        dists.append(np.clip(1.0 - sims, 1e-9, None).astype(np.float32))
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    self_missing = np.setdiff1d(np.arange(n), row[row == col])
    if len(self_missing):  # an approximate search may miss a point itself
        row = np.concatenate([row, self_missing])
        col = np.concatenate([col, self_missing])
        dists.append(np.full(len(self_missing), 1e-9, dtype=np.float32))
    graph = csr_matrix((np.concatenate(dists), (row, col)), shape=(n, n))
    graph.sort_indices()
    return graph


def _graph_by_lists(index: faiss.IndexIVF, vectors: np.ndarray, eps: float) -> csr_matrix:
    """The radius graph list by list (`close_by_lists`), made symmetric: a pair found from
    either side is kept. Per-photo range search with a generous probe count compares about
    four times as many pairs, one vector at a time: 27 minutes at a million photos on two
    cores, where matrix products take about a minute."""
    from scipy.sparse import csr_matrix

    n = len(vectors)
    rows, cols, dists = [], [], []
    for row, col, sims in close_by_lists(index, vectors, 1.0 - eps):
        rows.append(row)
        cols.append(col)
        dists.append(np.clip(1.0 - sims, 1e-9, None).astype(np.float32))
    row, col = np.concatenate(rows), np.concatenate(cols)
    one_side = csr_matrix((np.concatenate(dists), (row, col)), shape=(n, n))
    graph = one_side.maximum(one_side.T).tocsr()  # duplicates were summed: maximum keeps one side's
    graph.sort_indices()
    return graph


def close_by_lists(
    index: faiss.IndexIVF, vectors: np.ndarray, least: float, wanted: np.ndarray | None = None, probes: int = PROBES
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(rows, their neighbours' rows, similarities) of every pair at least `least` alike, a
    block at a time, grouped by row (each row's pairs all in one block): each list's photos
    (those `wanted`, a boolean mask over the rows, when given) against the photos of the
    `probes` lists whose centres are nearest its own, as one matrix product."""
    centres = index.quantizer.reconstruct_n(0, index.nlist)
    closeness = centres @ centres.T
    np.fill_diagonal(closeness, np.inf)  # a list is always compared with itself
    probes = min(probes, index.nlist)
    near = np.argpartition(-closeness, probes - 1, axis=1)[:, :probes]
    members = list_members(index)
    for i, listed in enumerate(members):
        own = listed if wanted is None else listed[wanted[listed]]
        if not len(own):
            continue
        others = np.concatenate([members[j] for j in near[i]])
        theirs = vectors[others].T
        step = max(1, BLOCK_BYTES // (4 * len(others)))  # a list crowded with copies stays in bounds
        for start in range(0, len(own), step):
            chunk = own[start : start + step]
            sims = vectors[chunk] @ theirs
            r, c = np.nonzero(sims >= least)
            yield chunk[r], others[c], sims[r, c]


def list_members(index: faiss.IndexIVF) -> list[np.ndarray]:
    """The rows in each of the index's lists."""
    lists = index.invlists
    assert lists is not None  # an index `index_for` made holds its lists
    return [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy() for i in range(index.nlist)]
