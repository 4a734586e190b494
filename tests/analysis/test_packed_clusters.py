"""The window's clusters as arrays (`PackedClusters`) hold what the records held, cross to the
window in a small pickle, and keep a person's names by the rule the sets per cluster kept."""

from __future__ import annotations

import pickle
import pickletools

import numpy as np

from app.analysis.packed_clusters import KEEP_NAME_OVERLAP, PackedClusters, kept_names
from app.analysis.results import Cluster, Clustering


def _overlap(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _named_one_by_one(custom: list[dict], clusters: list[list[int]]) -> dict[int, str]:
    """The rule as it was: each cluster takes its best-sharing name (the first on a tie)."""
    kept = {}
    for g, ids in enumerate(clusters):
        best = max(custom, key=lambda named: _overlap(set(ids), set(named["image_ids"])))
        if _overlap(set(ids), set(best["image_ids"])) >= KEEP_NAME_OVERLAP:
            kept[g] = best["name"]
    return kept


def _objects(pickled: bytes) -> int:
    return sum(1 for _op in pickletools.genops(pickled))


def _clusters(rng: np.random.Generator, photos: int, count: int) -> list[list[int]]:
    members = rng.permutation(photos)[: photos * 3 // 4] + 1
    return [sorted(part.tolist()) for part in np.array_split(members, count) if len(part)]


def test_kept_names_are_those_the_sets_per_cluster_kept():
    rng = np.random.default_rng(11)
    for photos, count, named in ((2_000, 150, 40), (300, 20, 1), (50, 5, 6)):
        clusters = _clusters(rng, photos, count)
        custom = []
        for k in range(named):
            base = clusters[rng.integers(len(clusters))]
            # A cluster as it was named: some of its photos left, some came (other clusters' too).
            stay = [i for i in base if rng.random() < 0.75]
            came = rng.integers(1, photos, size=rng.integers(0, 1 + len(base) // 2)).tolist()
            custom.append({"image_ids": sorted(set(stay + came)), "name": f"name {k}"})
        custom.append({"image_ids": list(clusters[0]), "name": "the same as the first"})  # a tie, then an exact match
        custom.append({"image_ids": list(clusters[0]), "name": "named later"})
        ids = np.fromiter((i for c in clusters for i in c), np.int64)
        bounds = np.r_[0, np.cumsum([len(c) for c in clusters])]
        found = kept_names(custom, ids, bounds)
        assert found == _named_one_by_one(custom, clusters)
        assert found[0] == "the same as the first"
        assert named >= count or len(found) < len(clusters), "some clusters keep no name"
    assert kept_names([], np.arange(3), np.array([0, 3])) == {}
    assert kept_names([{"image_ids": [1], "name": "x"}], np.empty(0, np.int64), np.zeros(1, np.int64)) == {}


def test_the_window_gets_the_records_back_from_a_small_pickle():
    rng = np.random.default_rng(5)
    clusters = _clusters(rng, 20_000, 1_200)
    clustering = Clustering(
        [Cluster(g, f"group {g % 7}", len(ids), [f"/p/{i}.jpg" for i in ids], ids) for g, ids in enumerate(clusters)],
        noise=40,
        noise_paths=["/p/x.jpg"],
        params={"strictness": 0.4},
        radius={"eps": 0.2},
        noise_ids=list(range(100_000, 100_040)),
    )
    packed = PackedClusters.of_clustering(clustering)
    carried = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
    as_records = pickle.dumps(clustering, protocol=pickle.HIGHEST_PROTOCOL)
    # What costs in pickling is the objects: the ids are one array, and no path goes.
    assert _objects(carried) < 3 * len(clusters) < _objects(as_records) / 10
    window = pickle.loads(carried).clustering()
    assert [(c.id, c.name, c.size, c.image_ids) for c in window.clusters] == [
        (c.id, c.name, c.size, c.image_ids) for c in clustering.clusters
    ]
    assert all(c.paths == [] and isinstance(c.image_ids[0], int) for c in window.clusters)
    assert window.noise_ids == clustering.noise_ids and window.noise_paths == [] and window.noise == 40
    assert window.params == clustering.params and window.radius == clustering.radius


def test_names_a_person_gave_are_kept_and_marked():
    clustering = Clustering([Cluster(0, "dogs", 4, [], [1, 2, 3, 4]), Cluster(1, "cats", 2, [], [7, 8])], 0, [])
    packed = PackedClusters.of_clustering(clustering)
    named = packed.named([{"image_ids": [1, 2, 3], "name": "Rex"}, {"image_ids": [9], "name": "Tom"}])
    window = named.clustering()
    assert [(c.name, c.renamed) for c in window.clusters] == [("Rex", True), ("cats", False)]
    assert packed.named([]) is packed


def test_an_older_cache_without_noise_ids_keeps_the_noise_paths():
    data = {"clusters": [{"id": 0, "name": "a", "size": 2, "paths": ["/a", "/b"], "image_ids": [1, 2]}]}
    window = PackedClusters.of_json({**data, "noise": 1, "noise_paths": ["/c"]}).clustering()
    assert window.noise_ids is None and window.noise_paths == ["/c"] and window.clusters[0].image_ids == [1, 2]
