"""Building an IVF index from a library's own vectors, tuned against exact search.

Past a size (config), exact search gets slow; an inverted-file index trained on the library's
vectors answers in milliseconds. `nprobe` is calibrated at build time on queries drawn from
the data until recall@10 against exact search reaches the target.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import faiss
import numpy as np

from app.core.unit_vectors import unit_rows

log = logging.getLogger(__name__)

RECALL_TARGET = 0.97
# Retrain once the library holds about twice the vectors the lists were trained for: lists
# grow with the library (slower searches) and new folders sit on centroids fitted to old ones.
RETRAIN_GROWTH = 1.4  # nlist grows with sqrt(n): 1.4x the nlist is ~2x the vectors


@dataclass(frozen=True)
class IvfBuild:
    index: faiss.Index
    nlist: int
    nprobe: int
    recall_at_10: float


def choose_nlist(n: int) -> int:
    return int(min(4096, max(16, 2 * math.sqrt(n))))


def needs_retraining(nlist: int, ntotal: int) -> bool:
    """Whether an IVF index with `nlist` lists has outgrown its training at `ntotal` vectors."""
    return choose_nlist(ntotal) >= RETRAIN_GROWTH * nlist


def trained_ivf(
    vectors: np.ndarray, nlist: int, niter: int, rng: np.random.Generator, seed: int = 0, encoding: int | None = None
) -> faiss.IndexIVF:
    """An empty inner-product IVF index whose `nlist` lists are trained (k-means, `niter`
    rounds) on a sample of 40 vectors per list: search's index and clustering's radius graph.
    `encoding` (a `faiss.ScalarQuantizer` type) stores the vectors in fewer bits, each less
    its list's centre (trained on the same sample); None keeps them whole (float32)."""
    n, dim = vectors.shape
    train = vectors[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
    index: faiss.IndexIVF
    if encoding is None:
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist, encoding, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = niter
    index.cp.seed = seed
    index.train(train)
    return index


# How a library's vectors are stored in its IVF index, smallest first: 8 bits a dimension (a
# quarter of float32: 0.5 GB at a million photos), else float16 where 8 bits cannot reach the
# recall target at a quarter of the lists probed. Exact search compares float32, as the catalog.
ENCODINGS = (("sq8", faiss.ScalarQuantizer.QT_8bit), ("fp16", faiss.ScalarQuantizer.QT_fp16))


def build_ivf(ids: np.ndarray, vectors: np.ndarray, seed: int = 0) -> IvfBuild:
    n = len(vectors)
    nlist = choose_nlist(n)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    for k, (name, encoding) in enumerate(ENCODINGS):
        rng = np.random.default_rng(seed)
        index = trained_ivf(vectors, nlist, 12, rng, seed, encoding)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.add_with_ids(vectors, ids)
        last = k == len(ENCODINGS) - 1
        nprobe, recall = calibrate_nprobe(index, ids, vectors, rng, exact, nlist if last else max(1, nlist // 4))
        if recall >= RECALL_TARGET or last:
            break
        log.info("IVF with %s vectors reached recall@10 %.3f only; trying the next encoding", name, recall)
    index.nprobe = nprobe
    log.info("built IVF (%s): %d vectors, nlist %d, nprobe %d, recall@10 %.3f", name, n, nlist, nprobe, recall)
    return IvfBuild(index, nlist, nprobe, recall)


def calibrate_nprobe(
    index: faiss.IndexIVF,
    ids: np.ndarray,
    vectors: np.ndarray,
    rng: np.random.Generator,
    exact: faiss.Index | None = None,
    most: int | None = None,
) -> tuple[int, float]:
    """The smallest power-of-two nprobe (up to `most`, else every list) whose recall@10 against
    exact search (`exact`, over `vectors`) meets the target; with the recall it reached."""
    n, dim = vectors.shape
    sample = vectors[rng.choice(n, size=min(n, 200), replace=False)]
    # Queries as far from their source as a text query is from the photos it finds
    # (cosine ~0.45), so the calibration is not flattered by near-duplicates.
    queries = sample + rng.normal(scale=2.0 / np.sqrt(dim), size=sample.shape).astype(np.float32)
    queries = unit_rows(queries)
    if exact is None:
        exact = faiss.IndexFlatIP(dim)
        exact.add(vectors)
    _, rows = exact.search(queries, 10)
    truth = ids[rows]
    most = min(index.nlist, most or index.nlist)
    nprobe, recall = 1, 0.0
    while True:
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        recall = recall_at_k(truth, found)
        if recall >= RECALL_TARGET or nprobe >= most:
            return nprobe, recall
        nprobe = min(most, nprobe * 2)


def recall_at_k(truth: np.ndarray, found: np.ndarray) -> float:
    """Share of the true neighbours (rows of ids) that `found` retrieved."""
    hits = sum(len(set(t.tolist()) & set(f.tolist())) for t, f in zip(truth, found, strict=True))
    return hits / truth.size
