"""The 3D map: t-SNE in three dimensions (PCA to 50 first, PCA initialisation, cosine metric).

Perplexity is 10 on small sets (the thesis' setting) and grows with size. Past `SAMPLE_LIMIT`
vectors t-SNE runs on a sample and every other point is placed at the similarity-weighted mean
of its nearest sampled neighbours, which keeps the cost near-linear.
"""

from __future__ import annotations

import faiss
import numpy as np

from app.analysis import load_sklearn
from app.analysis.clustering import reduce
from app.core.unit_vectors import unit_rows

SAMPLE_LIMIT = 5000
NEIGHBOURS = 5


def perplexity_for(n: int) -> float:
    p = 10.0 if n <= 1000 else min(50.0, n / 100.0)
    return max(2.0, min(p, (n - 1) / 3.0))


def learning_rate_for(n: int) -> float:
    """n / (early exaggeration x 4), Belkina et al.'s rule in scikit-learn's units, without the
    floor of 50 that 'auto' adds: on a few hundred photos that floor is several times too large,
    the optimisation stalls at twice the KL divergence, and about 5% of points end up among
    another group (how many depends on the CPU's BLAS kernels)."""
    return max(1.0, n / 48.0)


def project_3d(vectors: np.ndarray, seed: int = 0, sample_limit: int = SAMPLE_LIMIT) -> np.ndarray:
    """(n, 3) coordinates scaled into [-1, 1]."""
    n = len(vectors)
    if n == 0:
        return np.empty((0, 3), dtype=np.float32)
    if n < 5:
        coords = _pca3(vectors)
    else:
        reduced = reduce(np.asarray(vectors, dtype=np.float32), 50, seed)
        if n <= sample_limit:
            coords = _tsne(reduced, seed)
        else:
            rng = np.random.default_rng(seed)
            sample = np.sort(rng.choice(n, size=sample_limit, replace=False))
            sample_coords = _tsne(reduced[sample], seed)
            coords = _place(reduced, sample, sample_coords)
    return _scaled(coords)


def _tsne(x: np.ndarray, seed: int) -> np.ndarray:
    load_sklearn()
    from sklearn.manifold import TSNE

    tsne = TSNE(
        n_components=3,
        perplexity=perplexity_for(len(x)),
        init="pca",
        metric="cosine",
        random_state=seed,
        learning_rate=learning_rate_for(len(x)),
        method="barnes_hut",
    )
    return tsne.fit_transform(x).astype(np.float32)


def _place(reduced: np.ndarray, sample: np.ndarray, sample_coords: np.ndarray) -> np.ndarray:
    unit = unit_rows(reduced)
    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(np.ascontiguousarray(unit[sample]))
    coords = np.empty((len(reduced), 3), dtype=np.float32)
    coords[sample] = sample_coords
    rest = np.setdiff1d(np.arange(len(reduced)), sample)
    for start in range(0, len(rest), 50_000):
        chunk = rest[start : start + 50_000]
        sims, nearest = index.search(np.ascontiguousarray(unit[chunk]), NEIGHBOURS)
        weights = np.clip(sims, 1e-3, None) ** 4  # the nearest neighbour dominates
        weights /= weights.sum(axis=1, keepdims=True)
        coords[chunk] = np.einsum("nk,nkd->nd", weights, sample_coords[nearest])
    return coords


def _pca3(vectors: np.ndarray) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    if len(vectors) < 2:
        return np.zeros((len(vectors), 3), dtype=np.float32)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ vt[:3].T
    return np.pad(coords, ((0, 0), (0, 3 - coords.shape[1]))).astype(np.float32)


def _scaled(coords: np.ndarray) -> np.ndarray:
    """Centred and scaled into [-1, 1] by the 98th percentile, so a few outliers (pinned to
    the edge) do not squeeze the whole library into the middle of the map."""
    coords = coords - np.median(coords, axis=0)
    span = float(np.percentile(np.abs(coords), 98)) if len(coords) > 1 else 0.0
    span = span or float(np.abs(coords).max()) or 1.0
    return np.clip(coords / span, -1.0, 1.0).astype(np.float32)
