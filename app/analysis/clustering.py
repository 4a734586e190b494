"""Clustering whole-image (or region) vectors: DBSCAN on cosine distance over the sparse
radius graph (the default: min_samples 2 as in the thesis, the radius chosen from the data,
see `radius`), HDBSCAN, and k-means with PCA reduction choosing k by silhouette with the
elbow curve reported (the IPOL report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.analysis import load_sklearn
from app.analysis.neighbours import index_for, radius_graph
from app.analysis.radius import Radius, at_strictness, chosen_radius, loosest
from app.core.unit_vectors import unit_rows

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix  # imported where used: `status` and searches need no SciPy

NOISE = -1
DEFAULT_STRICTNESS = 0.5


@dataclass(frozen=True)
class ClusterParams:
    algorithm: str = "dbscan"  # dbscan | hdbscan | kmeans
    eps: float | None = None  # dbscan: None chooses the radius from the data
    min_samples: int = 2
    k: int | None = None  # kmeans: None chooses by silhouette
    max_k: int = 30
    strictness: float = DEFAULT_STRICTNESS  # a chosen radius: 0 loosest (2x) .. 0.5 as chosen .. 1 strictest (0.5x)

    def key(self) -> str:
        """Names the cached result. The default strictness has its own (the map and the events'
        names read it: at a million photos it takes minutes to make again); every other one
        shares one, checked in the result, so moving the slider replaces one cached clustering
        instead of adding one per step, and never the default one."""
        if self.algorithm == "dbscan":
            key = f"dbscan-eps{'auto' if self.eps is None else format(self.eps, 'g')}-min{self.min_samples}"
            return key if self.strictness == DEFAULT_STRICTNESS else f"{key}-moved"
        if self.algorithm == "hdbscan":
            return f"hdbscan-min{self.min_samples}"
        return f"kmeans-k{self.k or 'auto'}-max{self.max_k}"


@dataclass
class Clustering:
    labels: np.ndarray  # one per vector; NOISE for the unclustered
    details: dict = field(default_factory=dict)
    radius: Radius | None = None  # DBSCAN's


def cluster(vectors: np.ndarray, params: ClusterParams) -> Clustering:
    n = len(vectors)
    if n == 0:
        return Clustering(np.empty(0, dtype=np.int64))
    if params.algorithm == "dbscan":
        return dbscan(vectors, params.eps, params.min_samples, params.strictness)
    if params.algorithm == "hdbscan":
        return Clustering(hdbscan(vectors, params.min_samples))
    if params.algorithm == "kmeans":
        return kmeans_pca(vectors, params.k, params.max_k)
    raise ValueError(f"unknown algorithm {params.algorithm!r}")


def dbscan(vectors: np.ndarray, eps: float | None = None, min_samples: int = 2, strictness: float = 0.5) -> Clustering:
    """DBSCAN at radius `eps`, or at the radius chosen from the data (moved by `strictness`)."""
    return RadiusGraph.build(vectors, eps, min_samples, strictness).clustering(min_samples)


@dataclass(frozen=True)
class RadiusGraph:
    """The vectors' neighbour graph out to `reach`, with the radius chosen for them: DBSCAN
    runs from it at any radius up to `reach` without searching the vectors again (the
    strictness slider builds it once at its loosest setting)."""

    graph: csr_matrix
    radius: Radius
    reach: float

    @classmethod
    def build(
        cls, vectors: np.ndarray, eps: float | None, min_samples: int, strictness: float = 0.5, loose: bool = False
    ) -> RadiusGraph:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) == 0:
            radius = Radius(eps or 0.0, "given" if eps is not None else "chosen")
            from scipy.sparse import csr_matrix

            return cls(csr_matrix((0, 0), dtype=np.float32), radius, radius.eps)
        index = index_for(vectors, compact=True)
        radius = chosen_radius(index, vectors, min_samples, strictness) if eps is None else Radius(eps, "given")
        reach = loosest(radius) if loose else radius.eps
        return cls(radius_graph(vectors, reach, index), radius, reach)

    def clustering(self, min_samples: int, strictness: float | None = None) -> Clustering:
        radius = self.radius
        if strictness is not None and radius.how == "chosen":
            radius = at_strictness(radius, strictness)
        return Clustering(self.labels_at(radius.eps, min_samples), radius=radius)

    def labels_at(self, eps: float, min_samples: int) -> np.ndarray:
        return dbscan_on_graph(self.graph, min(eps, self.reach), min_samples)

    def single_linkage(self) -> RadiusGraph:
        """The same clusters at any radius for `min_samples` of 2 or less, from far fewer
        edges (`spanning_forest`): the slider keeps this one."""
        return RadiusGraph(spanning_forest(self.graph), self.radius, self.reach)


def spanning_forest(graph: csr_matrix) -> csr_matrix:
    """A radius graph cut down to a minimum spanning forest of its edges (both ways, with the
    self-distances `dbscan_on_graph` counts). With `min_samples` 2 every photo with a
    neighbour is a core photo, so DBSCAN's clusters at a radius are the connected groups of
    the edges no longer than it, and those are the forest's edges' groups (the cut property):
    a slider move at a million photos reads 2 million edges instead of tens of millions."""
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree

    n = graph.shape[0]
    edges = graph.tocoo()
    other = edges.row != edges.col
    # Shifted by one: SciPy reads a weight of 0 (a photo's exact copy) as no edge, and every
    # spanning tree of a group has as many edges, so the shift changes none of the choices.
    shifted = coo_matrix((edges.data[other].astype(np.float64) + 1.0, (edges.row[other], edges.col[other])), (n, n))
    forest = minimum_spanning_tree(shifted.tocsr()).tocoo()
    dists = (forest.data - 1.0).astype(np.float32)  # back to the float32 distances
    everyone = np.arange(n, dtype=forest.row.dtype)
    rows = np.concatenate([forest.row, forest.col, everyone])
    cols = np.concatenate([forest.col, forest.row, everyone])
    data = np.concatenate([dists, dists, np.zeros(n, dtype=np.float32)])
    return csr_matrix((data, (rows, cols)), shape=(n, n))


def dbscan_on_graph(graph: csr_matrix, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN over a precomputed radius graph (self-distances stored), using its edges no
    longer than `eps`: core photos have at least `min_samples` neighbours counting themselves;
    clusters are the connected groups of core photos; a border photo joins its nearest core
    neighbour's cluster; the rest are NOISE. Labels number clusters by their first photo.

    The same clusters as scikit-learn's DBSCAN (a border photo within reach of two clusters
    may land in the other one there, which takes the first cluster that reaches it), in
    vectorised form: milliseconds for 10,000 photos, so a slider can re-cluster live."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = graph.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    edges = graph.tocoo()
    near = edges.data <= eps
    rows, cols, dists = edges.row[near], edges.col[near], edges.data[near]
    core = np.bincount(rows, minlength=n) >= min_samples
    between_cores = core[rows] & core[cols]
    links = coo_matrix(
        (np.ones(int(between_cores.sum()), dtype=np.float64), (rows[between_cores], cols[between_cores])), (n, n)
    ).tocsr()  # as connected_components takes it: no second conversion there (0.4 s at 1M)
    _count, component = connected_components(links, directed=False)
    labels = np.full(n, NOISE, dtype=np.int64)
    labels[core] = component[core]
    border = ~core[rows] & core[cols]
    if border.any():
        b_rows, b_cols, b_dists = rows[border], cols[border], dists[border]
        order = np.lexsort((b_dists, b_rows))  # per border photo, its nearest core first
        b_rows, b_cols = b_rows[order], b_cols[order]
        first = np.concatenate(([True], b_rows[1:] != b_rows[:-1]))
        labels[b_rows[first]] = labels[b_cols[first]]
    clustered = labels != NOISE
    _values, first_seen, dense = np.unique(labels[clustered], return_index=True, return_inverse=True)
    renumber = np.argsort(np.argsort(first_seen))  # cluster ids in order of their first photo
    labels[clustered] = renumber[dense]
    return labels


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
