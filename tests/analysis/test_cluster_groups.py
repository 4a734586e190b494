"""A clustering's groups made over flat arrays (`cluster_groups`) hold what a group-by-group
reading of the labels holds, and the slider's remembered names are the names made afresh."""

from __future__ import annotations

import numpy as np

from app.analysis.cluster_groups import Groups, NameMemory, concept_names_of, members_of, row_paths_of
from app.analysis.clustering import NOISE
from app.analysis.naming import concept_names


def _one_by_one(labels, image_ids, first_paths):  # type: ignore[no-untyped-def]
    """The groups as the clusters were made before: a set and a dictionary per group."""
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(row)
    noise = groups.pop(NOISE, [])
    ordered = sorted(groups.values(), key=lambda rows: (-len(rows), rows[0]))

    def paths(rows: list[int]) -> list[str]:
        found = (first_paths.get(int(image_ids[r])) for r in rows)
        return list(dict.fromkeys(p for p in found if p is not None))

    return (
        [sorted({int(image_ids[r]) for r in rows}) for rows in ordered],
        [paths(rows) for rows in ordered],
        paths(noise),
    )


def test_each_groups_photos_and_paths_are_those_of_its_rows_read_one_by_one():
    rng = np.random.default_rng(3)
    for n, photos in ((0, 1), (1, 1), (9, 4), (4_000, 1_500), (4_000, 4_000), (900, 900)):
        labels = rng.integers(-1, max(1, n // 6), size=n)
        # Object regions share their photo; some photos have no file; ids in no order.
        image_ids = rng.permutation(10 * photos)[:photos][rng.integers(0, photos, size=n)]
        if photos == n:
            image_ids = rng.permutation(n)  # whole-image regions: a photo once
            if n < 1000:
                image_ids = np.sort(rng.choice(3 * n, n, replace=False))  # as read: in the order of their ids
        first_paths = {int(i): f"/photos/{i:05d} é.jpg" for i in np.unique(image_ids) if i % 7}
        members = members_of(Groups.of(labels), image_ids, row_paths_of(image_ids, first_paths))
        assert (members.image_ids, members.paths, members.noise_paths) == _one_by_one(labels, image_ids, first_paths)


def test_a_remembered_name_is_the_name_made_afresh_and_is_not_made_again():
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(300, 16)).astype(np.float16)
    vocabulary = rng.normal(size=(20, 16)).astype(np.float32)
    concepts = [f"concept {i}" for i in range(20)]
    asked: list[int] = []

    def read_vocabulary() -> np.ndarray:
        asked.append(1)
        return vocabulary

    def fresh(groups: Groups) -> list[str]:
        rows = [groups.rows[a:b] for a, b in zip(groups.bounds[:-1], groups.bounds[1:], strict=True)]
        return concept_names(np.vstack([vectors[r].mean(axis=0, dtype=np.float32) for r in rows]), vocabulary, concepts)

    # Nested groupings, as DBSCAN with min_samples 2 makes them at a strict radius, then a looser one.
    strict = np.where(np.arange(300) % 3 == 0, NOISE, np.arange(300) // 10)
    looser = np.where(np.arange(300) < 150, np.arange(300) // 10, np.arange(300) // 50)
    memory = NameMemory()
    for labels in (strict, looser, strict):
        groups = Groups.of(labels)
        assert concept_names_of(groups, vectors, read_vocabulary, concepts, memory) == fresh(groups)
    assert len(asked) == 2, "the strict groups again: every name remembered, the vocabulary not read"
    assert concept_names_of(Groups.of(np.full(5, NOISE)), vectors, read_vocabulary, concepts, memory) == []


def test_concept_names_are_the_nearest_distinct_words_of_each_centroid():
    rng = np.random.default_rng(5)
    vocabulary = rng.normal(size=(50, 16)).astype(np.float32)
    centroids = rng.normal(size=(400, 16)).astype(np.float32)

    def one_by_one(concepts: list[str]) -> list[str]:
        sims = (centroids / np.linalg.norm(centroids, axis=1, keepdims=True)) @ vocabulary.T
        names = []
        for row in sims:
            chosen: list[str] = []
            for i in np.argsort(-row):
                if concepts[i] not in chosen:
                    chosen.append(concepts[i])
                if len(chosen) == 2:
                    break
            names.append(" · ".join(chosen))
        return names

    distinct = [f"concept {i}" for i in range(50)]
    assert concept_names(centroids, vocabulary, distinct) == one_by_one(distinct)
    repeating = ["same"] * 45 + [f"other {i}" for i in range(5)]  # the nearest few are mostly one word
    assert concept_names(centroids, vocabulary, repeating) == one_by_one(repeating)
