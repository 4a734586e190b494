"""Events' topics counted over flat arrays give what a Counter per event gave (most photos
first, a tie to the cluster met first, clusters of one name together, a share and two photos
at least), and cluster centroids are each group's mean."""

from __future__ import annotations

from collections import Counter

import numpy as np

from app.analysis.event_topics import TOPIC_SHARE, TOPICS, StoredEvents, event_topics
from app.analysis.naming import group_centroids
from app.analysis.packed_clusters import PackedClusters
from app.analysis.results import Cluster, Clustering


def _counted(events: list[dict], clustering: Clustering) -> list[list[str]]:
    """The Counter per event that `event_topics` replaced."""
    cluster_of = {image_id: c.name for c in clustering.clusters for image_id in c.image_ids}
    topics = []
    for event in events:
        counts = Counter(cluster_of[i] for i in event["image_ids"] if i in cluster_of)
        least = max(2, TOPIC_SHARE * len(event["image_ids"]))
        topics.append([name for name, count in counts.most_common(TOPICS) if count >= least])
    return topics


def test_topics_over_arrays_are_those_a_counter_per_event_gave():
    rng = np.random.default_rng(7)
    photos = rng.permutation(4_000) + 1
    cuts = np.sort(rng.choice(np.arange(1, len(photos)), size=300, replace=False))
    events = [
        {"start": 0.0, "end": 1.0, "image_ids": part.tolist(), "paths": [f"/p/{i}.jpg" for i in part]}
        for part in np.split(photos, cuts)
    ]
    names = ["beach", "dogs", "beach", "city · night", "food", "dogs"]  # one name for two clusters
    clusters = []
    members = rng.permutation(photos)[:3_000]
    for number, part in enumerate(np.array_split(members, 40)):
        clusters.append(Cluster(number, names[number % len(names)], len(part), [], sorted(part.tolist())))
    clustering = Clustering(clusters, 0, [])
    found = event_topics(StoredEvents("v", events), PackedClusters.of_clustering(clustering))
    assert found == _counted(events, clustering)
    assert sum(len(t) == 2 for t in found) > 10 and sum(not t for t in found) > 10, "both kinds are tried"
    assert event_topics(StoredEvents("v", events), PackedClusters.of_clustering(Clustering([], 0, []))) == [
        [] for _ in events
    ]


def test_a_tie_goes_to_the_cluster_met_first_in_the_event():
    events = [{"start": 0.0, "end": 1.0, "image_ids": [5, 1, 6, 2, 7, 3], "paths": [""] * 6}]
    clustering = Clustering([Cluster(0, "a", 3, [], [1, 2, 3]), Cluster(1, "b", 3, [], [5, 6, 7])], 0, [])
    assert (
        event_topics(StoredEvents("v", events), PackedClusters.of_clustering(clustering))
        == [["b", "a"]]
        == _counted(events, clustering)
    )


def test_centroids_are_each_groups_mean_in_single_precision():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(5_000, 16)).astype(np.float16)
    groups = [part.tolist() for part in np.array_split(rng.permutation(len(vectors))[:4_000], 300)]
    expected = np.vstack([vectors[g].astype(np.float64).mean(axis=0) for g in groups])
    found = group_centroids(vectors, groups)
    assert found.dtype == np.float32 and np.allclose(found, expected, atol=1e-5)
    assert group_centroids(vectors, []).shape == (0, 16)
