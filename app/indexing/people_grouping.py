"""Grouping faces into people, incrementally and conservatively.

Faces already in a person stay there (a person's confirmations are never undone); a new face
joins the person whose nearest face is close enough and clearly nearer than any other person's,
where a person's confirmed faces count first (they pull the decision: siblings and look-alikes
are the known failure, so the join distance is tighter than dlib's usual 0.6). The faces left
over are grouped among themselves by Chinese whispers over a radius graph (FAISS range search,
never an n x n matrix), and each group becomes a new person, a single face included: no face is
left out of every person.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import faiss
import numpy as np
from sqlalchemy import Engine

from app.catalog import people

JOIN_DISTANCE = 0.5  # to join a known person (same person ~0.2-0.45, different people > 0.6)
LINK_DISTANCE = 0.5  # to link two new faces into one new person
AMBIGUITY_MARGIN = 0.04  # a second person this much farther away still makes the join unclear
NEIGHBOURS = 16


@dataclass(frozen=True)
class KnownFaces:
    """Faces that already belong to people: descriptors (float32, n x 128), their person ids
    and whether the person confirmed each (confirmed faces decide first)."""

    descriptors: np.ndarray
    people: np.ndarray
    confirmed: np.ndarray

    @classmethod
    def none(cls, dim: int = 128) -> KnownFaces:
        return cls(np.empty((0, dim), np.float32), np.empty(0, np.int64), np.empty(0, bool))


def place_new_faces(
    new: np.ndarray,
    known: KnownFaces,
    next_person: int,
    refused: Collection[tuple[int, int]] = (),
) -> np.ndarray:
    """A person id for each row of `new`: an existing one it clearly belongs to, or a new one
    (numbered from `next_person`). `refused` holds (row, person) pairs the person said no to."""
    new = np.ascontiguousarray(new, dtype=np.float32)
    out = np.full(len(new), -1, dtype=np.int64)
    if len(new) == 0:
        return out
    if len(known.descriptors):
        out = _join_known(new, known, set(refused))
    left = np.flatnonzero(out < 0)
    for group in _whispers(new[left]):
        out[left[group]] = next_person
        next_person += 1
    return out


def _join_known(new: np.ndarray, known: KnownFaces, refused: set[tuple[int, int]]) -> np.ndarray:
    index = faiss.IndexFlatL2(known.descriptors.shape[1])
    index.add(np.ascontiguousarray(known.descriptors, dtype=np.float32))
    k = min(NEIGHBOURS, index.ntotal)
    squared, rows = index.search(new, k)
    distances = np.sqrt(np.maximum(squared, 0))
    out = np.full(len(new), -1, dtype=np.int64)
    for i in range(len(new)):
        nearest: dict[int, tuple[int, float]] = {}  # person -> (confirmed first: 0, distance)
        for row, distance in zip(rows[i], distances[i], strict=True):
            if row < 0:
                continue
            person = int(known.people[row])
            if (i, person) in refused:
                continue
            rank = (0 if known.confirmed[row] else 1, float(distance))
            if person not in nearest or rank < nearest[person]:
                nearest[person] = rank
        if not nearest:
            continue
        # By distance, then by whether the near face was confirmed.
        ordered = sorted(nearest.items(), key=lambda item: (item[1][1], item[1][0]))
        person, (_confirmed, distance) = ordered[0]
        if distance >= JOIN_DISTANCE:
            continue
        if len(ordered) > 1 and ordered[1][1][1] - distance < AMBIGUITY_MARGIN:
            rival_confirmed = ordered[1][1][0] == 0
            if rival_confirmed == (_confirmed == 0):
                continue  # two people about as close: leave it to grouping, never guess
            if rival_confirmed:
                person = ordered[1][0]  # a confirmed face as close as an unconfirmed one wins
        out[i] = person
    return out


def _whispers(descriptors: np.ndarray) -> list[np.ndarray]:
    """Groups of rows (each a new person), largest first; singletons included."""
    n = len(descriptors)
    if n == 0:
        return []
    index = faiss.IndexFlatL2(descriptors.shape[1])
    index.add(descriptors)
    limits, _squared, neighbours = index.range_search(descriptors, LINK_DISTANCE**2)
    # Unweighted, self-loops included, as dlib's own face clustering builds the graph.
    edges: list[tuple[int, int]] = []
    for i in range(n):
        for j in neighbours[limits[i] : limits[i + 1]]:
            if j >= i:
                edges.append((i, int(j)))
    import dlib

    labels = np.asarray(dlib.chinese_whispers(edges), dtype=np.int64)
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    return sorted(groups, key=lambda rows: (-len(rows), int(rows[0])))


def group_new_faces(engine: Engine) -> int:
    """Place every face not yet in a person (after the region pass, under the writer lock).
    Returns how many faces were placed. Re-indexing with no new face reads no descriptor."""
    if people.faces_without_person(engine) == 0:
        return 0
    groups = people.face_groups(engine)
    new = groups.people < 0
    if not new.any():
        return 0
    known = KnownFaces(groups.descriptors[~new], groups.people[~new], groups.confirmed[~new])
    rows = np.flatnonzero(new)
    row_of_region = {int(groups.region_ids[r]): i for i, r in enumerate(rows)}
    refused = {(row_of_region[r], p) for r, p in people.refusals(engine) if r in row_of_region}
    placed = place_new_faces(groups.descriptors[rows], known, people.next_person_id(engine), refused)
    people.assign(engine, groups.region_ids[rows].tolist(), placed.tolist())
    return len(rows)


def settle_new_faces(engine: Engine) -> int:
    """New faces placed in people, then the names other photo apps gave faces (XMP) given to
    them (`apply_xmp_faces`). Returns how many faces were placed."""
    from app.catalog.xmp_faces import apply_xmp_faces

    placed = group_new_faces(engine)
    apply_xmp_faces(engine)
    return placed
