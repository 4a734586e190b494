"""The sparse radius-neighbour graph DBSCAN runs on, built with FAISS range search.

Memory grows with the number of neighbours within the radius, never with n x n. Up to
`EXACT_LIMIT` vectors the search is exact; beyond it an IVF index with a generous probe count
finds the close neighbours that matter at DBSCAN radii (cosine distance <= 0.2 or so).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import faiss
import numpy as np

from app.vectors.ivf import trained_ivf

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix  # imported where used: `status` and searches need no SciPy

EXACT_LIMIT = 20_000
QUERY_CHUNK = 20_000


def index_for(vectors: np.ndarray) -> faiss.Index:
    """An exact inner-product index up to `EXACT_LIMIT` vectors, else a generous IVF one."""
    n, dim = vectors.shape
    if n <= EXACT_LIMIT:
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        return flat
    nlist = int(2 * math.sqrt(n))
    index = trained_ivf(vectors, nlist, 10, np.random.default_rng(0), seed=1234)  # FAISS's default seed, as before
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
