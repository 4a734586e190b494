"""Clustering whole-image (or region) vectors: DBSCAN on cosine distance over the sparse
radius graph (the default, eps 0.2 and min_samples 2 as in the thesis), HDBSCAN, and k-means
with PCA reduction choosing k by silhouette with the elbow curve reported (the IPOL report)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from app.analysis import load_sklearn
from app.analysis.neighbours import radius_graph
from app.core.unit_vectors import unit_rows

NOISE = -1


@dataclass(frozen=True)
class ClusterParams:
    algorithm: str = "dbscan"  # dbscan | hdbscan | kmeans
    eps: float = 0.2
    min_samples: int = 2
    k: int | None = None  # kmeans: None chooses by silhouette
    max_k: int = 30

    def key(self) -> str:
        if self.algorithm == "dbscan":
            return f"dbscan-eps{self.eps:g}-min{self.min_samples}"
        if self.algorithm == "hdbscan":
            return f"hdbscan-min{self.min_samples}"
        return f"kmeans-k{self.k or 'auto'}-max{self.max_k}"


@dataclass
class Clustering:
    labels: np.ndarray  # one per vector; NOISE for the unclustered
    details: dict = field(default_factory=dict)


def cluster(vectors: np.ndarray, params: ClusterParams) -> Clustering:
    n = len(vectors)
    if n == 0:
        return Clustering(np.empty(0, dtype=np.int64))
    if params.algorithm == "dbscan":
        return Clustering(dbscan(vectors, params.eps, params.min_samples))
    if params.algorithm == "hdbscan":
        return Clustering(hdbscan(vectors, params.min_samples))
    if params.algorithm == "kmeans":
        return kmeans_pca(vectors, params.k, params.max_k)
    raise ValueError(f"unknown algorithm {params.algorithm!r}")


def dbscan(vectors: np.ndarray, eps: float = 0.2, min_samples: int = 2) -> np.ndarray:
    load_sklearn()
    from sklearn.cluster import DBSCAN

    graph = radius_graph(vectors, eps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn notes the precomputed graph's format
        return DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit_predict(graph).astype(np.int64)


def reduce(vectors: np.ndarray, dims: int = 50, seed: int = 0) -> np.ndarray:
    load_sklearn()
    from sklearn.decomposition import PCA

    n, d = vectors.shape
    k = min(dims, n, d)
    if k >= d or n < 3:
        return vectors
    return PCA(n_components=k, random_state=seed).fit_transform(vectors).astype(np.float32)


def hdbscan(vectors: np.ndarray, min_samples: int = 2) -> np.ndarray:
    load_sklearn()
    from sklearn.cluster import HDBSCAN

    if len(vectors) < 3:
        return np.full(len(vectors), NOISE, dtype=np.int64)
    reduced = reduce(vectors)
    reduced = unit_rows(reduced)
    model = HDBSCAN(min_cluster_size=max(2, min_samples), min_samples=min_samples, copy=True)
    return model.fit_predict(reduced).astype(np.int64)


def kmeans_pca(vectors: np.ndarray, k: int | None = None, max_k: int = 30, seed: int = 0) -> Clustering:
    load_sklearn()
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(vectors)
    if n < 3:
        return Clustering(np.zeros(n, dtype=np.int64), {"k": 1})
    reduced = reduce(vectors)
    if k is not None:
        labels = KMeans(n_clusters=min(k, n), n_init=4, random_state=seed).fit_predict(reduced)
        return Clustering(labels.astype(np.int64), {"k": min(k, n)})
    inertia: dict[int, float] = {}
    silhouette: dict[int, float] = {}
    best: tuple[float, int, np.ndarray] | None = None
    for candidate in range(2, min(max_k, n - 1) + 1):
        model = KMeans(n_clusters=candidate, n_init=3, random_state=seed).fit(reduced)
        inertia[candidate] = float(model.inertia_)
        score = float(silhouette_score(reduced, model.labels_, sample_size=min(n, 5000), random_state=seed))
        silhouette[candidate] = score
        if best is None or score > best[0]:
            best = (score, candidate, model.labels_)
    assert best is not None
    return Clustering(
        best[2].astype(np.int64),
        {"k": best[1], "silhouette": silhouette, "inertia": inertia, "elbow_k": elbow(inertia)},
    )


def elbow(inertia: dict[int, float]) -> int | None:
    """The k farthest below the straight line joining the first and last inertia."""
    if len(inertia) < 3:
        return None
    ks = np.array(sorted(inertia), dtype=float)
    ys = np.array([inertia[int(k)] for k in ks])
    line = ys[0] + (ys[-1] - ys[0]) * (ks - ks[0]) / (ks[-1] - ks[0])
    return int(ks[int(np.argmax(line - ys))])
