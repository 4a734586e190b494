"""Clustering, naming, projection and metrics on vectors with known structure."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from app.analysis import neighbours
from app.analysis.clustering import NOISE, ClusterParams, cluster, dbscan_on_graph, elbow
from app.analysis.evaluation import average_precision, purity
from app.analysis.naming import cluster_name, concept_names, frequent_words
from app.analysis.projection import project_3d


def blobs(k: int = 5, per: int = 40, noise: int = 15, dim: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    points = [centres[i] + rng.normal(scale=0.12, size=(per, dim)) for i in range(k)]
    points.append(rng.normal(size=(noise, dim)) * 3)  # scattered: no two within the radius
    x = np.vstack(points).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = np.concatenate([np.full(per, i) for i in range(k)] + [np.full(noise, NOISE)])
    return x, labels


@pytest.mark.parametrize("exact_limit", [10_000, 50])  # exact range search, then the IVF path
def test_dbscan_on_the_radius_graph_recovers_clusters_and_noise(monkeypatch, exact_limit):
    monkeypatch.setattr(neighbours, "EXACT_LIMIT", exact_limit)
    x, truth = blobs()
    labels = cluster(x, ClusterParams()).labels
    clustered = truth != NOISE
    assert purity(labels[clustered], truth[clustered])["purity"] == 1.0
    assert len(set(labels[clustered].tolist())) == 5
    assert (labels[~clustered] == NOISE).mean() >= 0.9
    graph = neighbours.radius_graph(x, 0.2)
    assert graph.nnz < 50 * len(x), "the graph holds neighbours only, never n x n"


def test_the_graph_built_list_by_list_holds_the_exact_graphs_edges(monkeypatch):
    # Groups whose edges straddle the radius (noise as wide as the groups are apart) in an IVF
    # index of 134 lists: each list's photos meet those of its 16 nearest lists only.
    import faiss

    monkeypatch.setattr(neighbours, "EXACT_LIMIT", 1_000)
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 64))
    groups = [centres[i] + rng.normal(scale=0.5, size=(100, 64)) for i in range(40)]
    x = np.vstack([*groups, rng.normal(size=(500, 64)) * 3]).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    index = neighbours.index_for(x)
    assert isinstance(index, faiss.IndexIVF) and index.nlist > neighbours.PROBES
    flat = faiss.IndexFlatIP(64)
    flat.add(x)
    for eps in (0.1, 0.2, 0.3):
        exact, listed = neighbours.radius_graph(x, eps, flat), neighbours.radius_graph(x, eps, index)
        assert (listed != listed.T).nnz == 0, "symmetric: a pair found from either side is kept"
        missed = exact - exact.multiply(listed.astype(bool))
        assert missed.nnz <= 0.001 * exact.nnz, f"{missed.nnz} of {exact.nnz} edges missed at {eps}"
        extra = listed - listed.multiply(exact.astype(bool))
        assert np.all(np.abs(extra.data - eps) < 1e-5), "only pairs at the radius itself differ (rounding)"
        shared = exact.astype(bool).multiply(listed.astype(bool))
        assert abs((exact - listed).multiply(shared)).max() < 1e-5, "the same distances"
        found, truth = dbscan_on_graph(listed, eps, 2), dbscan_on_graph(exact, eps, 2)
        assert adjusted_rand_score(truth, found) >= 0.999


def test_hdbscan_and_kmeans_alternatives():
    x, truth = blobs(noise=0)
    hd = cluster(x, ClusterParams("hdbscan")).labels
    assert purity(hd, truth)["purity"] >= 0.95
    km = cluster(x, ClusterParams("kmeans", max_k=8))
    assert km.details["k"] == 5, "silhouette picks the true number of groups"
    assert purity(km.labels, truth)["purity"] == 1.0
    assert set(km.details["inertia"]) == set(range(2, 9))
    assert elbow({1: 100.0, 2: 20.0, 3: 15.0, 4: 12.0, 5: 10.0}) == 2


def test_names_from_concepts_and_ocr_words():
    concepts = ["beach", "dog", "receipt"]
    vectors = np.eye(3, dtype=np.float32)
    names = concept_names(np.array([[0.1, 0.9, 0.2], [0.0, 0.2, 1.0]]), vectors, concepts)
    assert names == ["dog · receipt", "receipt · dog"]
    words = frequent_words([["TOTAL 12.50", "Bakery Hansen"], ["BAKERY"], ["total due"], []])
    assert set(words) == {"BAKERY", "TOTAL"}, "HANSEN and DUE appear once: not frequent"
    assert cluster_name("receipt", ["BAKERY"]) == 'receipt · "BAKERY"'


def test_projection_keeps_groups_apart_and_is_deterministic():
    x, truth = blobs(k=4, per=30, noise=0)
    coords = project_3d(x)
    assert coords.shape == (120, 3) and np.abs(coords).max() <= 1.0 + 1e-6
    assert np.allclose(coords, project_3d(x))
    # Four clean blobs separate completely on any CPU (the learning rate once left ~5% mixed,
    # more or less by BLAS kernel); one stray point in 120 is the margin.
    assert _neighbour_agreement(coords, truth) >= 0.99


def test_large_sets_use_a_sample_and_place_the_rest(monkeypatch):
    x, truth = blobs(k=4, per=60, noise=0)
    coords = project_3d(x, sample_limit=150)  # 90 of 240 points placed by their neighbours
    assert coords.shape == (240, 3)
    d = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest5 = np.argsort(d, axis=1)[:, :5]
    majority = np.array([np.bincount(truth[row]).argmax() for row in nearest5])
    assert (majority == truth).mean() >= 0.85, "placed points land among their own group"


def _neighbour_agreement(coords: np.ndarray, truth: np.ndarray) -> float:
    d = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return float((truth[d.argmin(1)] == truth).mean())


def test_metric_definitions():
    assert average_precision(np.array([True, False, True]), 3, 2) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(np.array([False, False]), 2, 1) == 0.0
    p = purity(np.array([0, 0, 0, 1, 1, NOISE]), np.array([1, 1, 2, 3, 3, 3]))
    assert p == {"purity": 0.8, "noise_share": round(1 / 6, 4), "clusters": 2}


def test_groups_of_labels_are_largest_first_then_by_first_photo_with_noise_apart():
    from app.analysis.clustering import NOISE
    from app.analysis.clustering import Clustering as Labels
    from app.analysis.library_analysis import _groups

    def one_by_one(labels: np.ndarray) -> tuple[list[list[int]], list[int]]:
        groups: dict[int, list[int]] = {}
        for row, label in enumerate(labels.tolist()):
            groups.setdefault(label, []).append(row)
        noise = groups.pop(NOISE, [])
        return sorted(groups.values(), key=lambda rows: (-len(rows), rows[0])), noise

    rng = np.random.default_rng(1)
    for n in (0, 1, 7, 5_000):
        labels = rng.integers(-1, max(1, n // 5), size=n)
        ordered, noise, _details = _groups(Labels(labels))
        assert (ordered, noise) == one_by_one(labels)
    assert _groups(Labels(np.full(4, NOISE)))[:2] == ([], [0, 1, 2, 3])
