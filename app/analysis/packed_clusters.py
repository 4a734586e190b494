"""Clusters as flat arrays: the form the window's clusters take from the analysis process, and
the names a person gave clusters, matched to the clusters made since over the same arrays.

At a million photos a move of the strictness slider makes 57,000 clusters. As a record with
lists each, they took 0.3 s to make from DBSCAN's groups, 0.15 s to pickle and 0.3 s to reach
the window and unpickle; as arrays they pickle in a hundredth of a second, and the window makes
its records (`PackedClusters.clustering`) off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

import numpy as np

from app.analysis.cluster_groups import slices_of
from app.analysis.results import Cluster, Clustering

KEEP_NAME_OVERLAP = 0.5  # a person's name stays with a cluster sharing this much (Jaccard) with the one named


@dataclass(frozen=True)
class PackedClusters:
    """Clusters largest first (a cluster's id is its place), each with its photos' ids sorted,
    cluster after cluster: cluster g's are image_ids[bounds[g]:bounds[g + 1]]. No paths: the
    window's gallery has them."""

    names: list[str]
    sizes: np.ndarray  # each cluster's regions (of whole photos: its photos)
    image_ids: np.ndarray
    bounds: np.ndarray
    noise: int  # regions in no cluster
    noise_ids: np.ndarray | None  # the photos in no cluster, sorted (None: a cache that kept their paths only)
    noise_paths: list[str] = field(default_factory=list)  # only where `noise_ids` is None
    renamed: frozenset[int] = frozenset()  # the clusters whose name is a person's own
    algorithm: str = "dbscan"
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] | None = None
    radius: dict[str, Any] | None = None
    seconds: float = 0.0
    cached: bool = False

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> PackedClusters:
        """From the cached form (`clusters`' JSON, with paths)."""
        found = data.get("clusters", [])
        counts = [len(c["image_ids"]) for c in found]
        ids = np.fromiter(chain.from_iterable(c["image_ids"] for c in found), np.int64, sum(counts))
        noise_ids = data.get("noise_ids")
        return cls(
            [str(c["name"]) for c in found],
            np.array([int(c["size"]) for c in found], dtype=np.int64),
            ids,
            np.r_[0, np.cumsum(counts, dtype=np.int64)],
            int(data.get("noise", 0)),
            np.asarray(noise_ids, dtype=np.int64) if isinstance(noise_ids, list) else None,
            [] if isinstance(noise_ids, list) else [str(p) for p in data.get("noise_paths", [])],
            frozenset(g for g, c in enumerate(found) if c.get("renamed")),
            str(data.get("algorithm", "dbscan")),
            dict(data.get("params", {})),
            data.get("details"),
            data.get("radius"),
        )

    @classmethod
    def of_clustering(cls, clustering: Clustering) -> PackedClusters:
        found = [
            {"name": c.name, "size": c.size, "image_ids": c.image_ids, "renamed": c.renamed}
            for c in clustering.clusters
        ]
        return cls.of_json(
            {
                "clusters": found,
                "noise": clustering.noise,
                "noise_ids": clustering.noise_ids,
                "noise_paths": clustering.noise_paths,
                "algorithm": clustering.algorithm,
                "params": clustering.params,
                "details": clustering.details,
                "radius": clustering.radius,
            }
        )

    def clustering(self) -> Clustering:
        """The window's records, its clusters' ids as their places (and no paths)."""
        sizes = self.sizes.tolist()
        members = slices_of(self.image_ids.tolist(), self.bounds)
        clusters = [Cluster(g, name, sizes[g], [], members[g], g in self.renamed) for g, name in enumerate(self.names)]
        noise_ids = self.noise_ids.tolist() if self.noise_ids is not None else None
        return Clustering(
            clusters,
            self.noise,
            list(self.noise_paths),
            self.algorithm,
            dict(self.params),
            self.details,
            self.radius,
            self.seconds,
            self.cached,
            noise_ids,
        )

    def named(self, custom: list[dict]) -> PackedClusters:
        """These clusters, those sharing enough with one a person named (`custom`: each name
        with its cluster's image ids) under that name."""
        kept = kept_names(custom, self.image_ids, self.bounds)
        if not kept:
            return self
        names = [kept.get(g, name) for g, name in enumerate(self.names)]
        return replace(self, names=names, renamed=self.renamed | frozenset(kept))


def kept_names(custom: list[dict], image_ids: np.ndarray, bounds: np.ndarray) -> dict[int, str]:
    """The clusters (by place) a person's name stays with: each takes the name whose cluster
    it shares the most with (Jaccard; the first named on a tie) where that is at least
    `KEEP_NAME_OVERLAP`. `image_ids`, `bounds`: each cluster's distinct photos, cluster after
    cluster. Counted over arrays: one set per cluster took seconds at a million photos."""
    if not custom or len(bounds) < 2:
        return {}
    theirs = [np.unique(np.asarray(c["image_ids"], dtype=np.int64)) for c in custom]
    named_ids = np.concatenate(theirs)
    owner = np.repeat(np.arange(len(custom), dtype=np.int64), [len(t) for t in theirs])
    order = np.argsort(named_ids, kind="stable")
    named_ids, owner = named_ids[order], owner[order]
    low = np.searchsorted(named_ids, image_ids, "left")
    hits = np.searchsorted(named_ids, image_ids, "right") - low  # the names each photo was under
    sizes = np.diff(bounds)
    cluster = np.repeat(np.repeat(np.arange(len(sizes), dtype=np.int64), sizes), hits)
    ends = np.cumsum(hits)
    at = np.repeat(low, hits) + np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - hits, hits)
    pairs, common = np.unique(cluster * len(custom) + owner[at], return_counts=True)
    clusters, names = pairs // len(custom), pairs % len(custom)
    overlap = common / (sizes[clusters] + np.array([len(t) for t in theirs])[names] - common)
    best = np.lexsort((names, -overlap, clusters))  # per cluster: the most shared, then the first named
    first = best[np.r_[True, clusters[best][1:] != clusters[best][:-1]]] if len(best) else best
    kept = first[overlap[first] >= KEEP_NAME_OVERLAP]
    return {int(g): str(custom[k]["name"]) for g, k in zip(clusters[kept].tolist(), names[kept].tolist(), strict=True)}
