"""Retrieval and clustering quality on a labelled set (the thesis' and the IPOL report's
measures): mAP@k for image->image and text->image, DBSCAN purity and noise share, a k-means
classification report (cluster -> majority class), and the silhouette score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from app.analysis import load_sklearn
from app.analysis.clustering import NOISE, RadiusGraph, kmeans_pca

KS = (5, 10, 20, 50)


def average_precision(relevant: np.ndarray, k: int, total_relevant: int) -> float:
    """AP@k of one ranked list (`relevant` is a boolean per rank)."""
    hits = relevant[:k]
    if total_relevant == 0:
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / min(k, total_relevant))


def map_image_to_image(vectors: np.ndarray, labels: np.ndarray, ks: Sequence[int] = KS) -> dict[str, float]:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)  # a photo is not its own answer
    counts = Counter(labels.tolist())
    out: dict[str, float] = {}
    order = np.argsort(-sims, axis=1)
    for k in ks:
        aps = [average_precision(labels[order[i]] == labels[i], k, counts[labels[i]] - 1) for i in range(len(labels))]
        out[str(k)] = round(float(np.mean(aps)), 4)
    return out


def map_text_to_image(
    text_vectors: np.ndarray, class_ids: Sequence[int], vectors: np.ndarray, labels: np.ndarray, ks: Sequence[int] = KS
) -> dict[str, float]:
    sims = text_vectors @ vectors.T
    counts = Counter(labels.tolist())
    order = np.argsort(-sims, axis=1)
    out: dict[str, float] = {}
    for k in ks:
        aps = [average_precision(labels[order[i]] == c, k, counts[c]) for i, c in enumerate(class_ids)]
        out[str(k)] = round(float(np.mean(aps)), 4)
    return out


def purity(cluster_labels: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Share of clustered points in their cluster's majority class; noise share; cluster count."""
    clustered = cluster_labels != NOISE
    majority = 0
    for c in set(cluster_labels[clustered].tolist()):
        majority += Counter(labels[cluster_labels == c].tolist()).most_common(1)[0][1]
    n_clustered = int(clustered.sum())
    return {
        "purity": round(majority / n_clustered, 4) if n_clustered else 0.0,
        "noise_share": round(1 - n_clustered / len(labels), 4) if len(labels) else 0.0,
        "clusters": len(set(cluster_labels[clustered].tolist())),
    }


def kmeans_report(vectors: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> dict:
    """k-means with k = number of classes; each cluster predicts its majority class."""
    load_sklearn()
    from sklearn.metrics import classification_report, silhouette_score

    k = len(set(labels.tolist()))
    clusters = kmeans_pca(vectors, k=k).labels
    predicted = np.empty_like(labels)
    for c in set(clusters.tolist()):
        members = clusters == c
        predicted[members] = Counter(labels[members].tolist()).most_common(1)[0][0]
    report = classification_report(
        labels, predicted, labels=list(range(len(names))), target_names=list(names), output_dict=True, zero_division=0
    )
    silhouette = float(silhouette_score(vectors, clusters, metric="cosine")) if 1 < k < len(labels) else 0.0
    per_class = {
        name: {m: round(float(report[name][m]), 4) for m in ("precision", "recall", "f1-score")} for name in names
    }
    return {
        "k": k,
        "accuracy": round(float(report["accuracy"]), 4),
        "per_class": per_class,
        "silhouette": round(silhouette, 4),
    }


SWEEP = (0.25, 0.5, 0.75, 1.5, 2.0, 4.0)  # multiples of the radius used
FIXED = (0.05, 0.1, 0.15, 0.2, 0.3)  # the thesis' 0.2 and its neighbours


def radius_sweep(vectors: np.ndarray, labels: np.ndarray, eps: float, min_samples: int) -> list[dict]:
    """Purity, noise and cluster count at radii around the one used and at fixed radii, from
    one neighbour graph at the largest of them: is the chosen radius a good one here?"""
    radii = sorted({round(eps * m, 6) for m in (*SWEEP, 1.0)} | set(FIXED))
    graph = RadiusGraph.build(vectors, max(radii), min_samples)
    return [{"eps": r, **purity(graph.labels_at(r, min_samples), labels)} for r in radii]


def evaluate_vectors(
    vectors: np.ndarray,
    labels: np.ndarray,
    names: Sequence[str],
    text_vectors: np.ndarray,
    eps: float | None = None,
    min_samples: int = 2,
) -> dict:
    chosen = RadiusGraph.build(vectors, eps, min_samples).clustering(min_samples)
    assert chosen.radius is not None
    db = purity(chosen.labels, labels)
    km = kmeans_report(vectors, labels, names)
    return {
        "images": int(len(labels)),
        "classes": len(names),
        "map_image_to_image": map_image_to_image(vectors, labels),
        "map_text_to_image": map_text_to_image(text_vectors, list(range(len(names))), vectors, labels),
        "dbscan": {
            "eps": round(chosen.radius.eps, 6),
            "radius": chosen.radius.to_json(),
            "min_samples": min_samples,
            **db,
            "sweep": radius_sweep(vectors, labels, chosen.radius.eps, min_samples),
        },
        "kmeans": {k: v for k, v in km.items() if k != "silhouette"},
        "silhouette": km["silhouette"],
    }
