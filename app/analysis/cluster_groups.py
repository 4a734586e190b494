"""A clustering's labels made into what `clusters` caches and returns: its groups largest
first, each with its photos' ids and first paths and its name, worked out over flat arrays.

At a million photos a move of the strictness slider makes 57,000 groups: a list, a set and a
dictionary per group took 1.3 s and a mean vector per group 1.1 s. Here each group is a slice
of one array, and a group's name is made once per slider (`NameMemory`): with `min_samples` 2
the groups at one radius nest inside those at a larger one, so a group with the same first
photo and the same size as one named before is that group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.analysis.clustering import NOISE
from app.analysis.naming import concept_names, group_centroids


@dataclass(frozen=True)
class Groups:
    """The labelled rows, group after group (largest first, then by first row; a group's id
    is its place here), each group's rows in row order; group g is rows[bounds[g]:bounds[g + 1]]."""

    rows: np.ndarray
    bounds: np.ndarray
    noise: np.ndarray  # the rows in no group

    @classmethod
    def of(cls, labels: np.ndarray) -> Groups:
        labels = np.asarray(labels)
        noise = np.flatnonzero(labels == NOISE)
        rows = np.flatnonzero(labels != NOISE)
        rows = rows[np.argsort(labels[rows], kind="stable")]  # each group's rows together, in row order
        if not len(rows):
            return cls(rows, np.zeros(1, dtype=np.int64), noise)
        starts = np.flatnonzero(np.r_[True, labels[rows][1:] != labels[rows][:-1]])
        sizes = np.diff(np.r_[starts, len(rows)])
        order = np.lexsort((rows[starts], -sizes))  # largest first, then by first row
        place = np.empty(len(order), dtype=np.int64)
        place[order] = np.arange(len(order))
        rows = rows[np.argsort(np.repeat(place, sizes), kind="stable")]
        return cls(rows, np.r_[0, np.cumsum(sizes[order])], noise)

    def __len__(self) -> int:
        return len(self.bounds) - 1

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.bounds)

    def lists(self) -> list[list[int]]:
        flat = self.rows.tolist()
        return slices_of(flat, self.bounds)

    def group_of_each_row(self) -> np.ndarray:
        """Each of `rows`' group."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.sizes)


class NameMemory:
    """The concept names given to groups of one neighbour graph, by (first row, size): kept by
    the slider between its moves. Only for groups that nest (DBSCAN with `min_samples` 2 over
    one graph); at most `LIMIT` names are kept."""

    LIMIT = 1_000_000

    def __init__(self) -> None:
        self.names: dict[tuple[int, int], str] = {}

    def keep(self, keys: list[tuple[int, int]], names: list[str]) -> None:
        if len(self.names) + len(keys) > self.LIMIT:
            self.names.clear()
        self.names.update(zip(keys, names, strict=True))


def concept_names_of(
    groups: Groups,
    vectors: np.ndarray,
    vocabulary: Callable[[], np.ndarray],
    concepts: Sequence[str],
    memory: NameMemory | None = None,
) -> list[str]:
    """Each group's concept name (its mean vector's nearest concepts), those in `memory` as
    named before; the vocabulary is read only when a group needs naming."""
    firsts = groups.rows[groups.bounds[:-1]].tolist() if len(groups) else []
    keys = list(zip(firsts, groups.sizes.tolist(), strict=True))
    known = memory.names if memory is not None else {}
    unnamed = [g for g, key in enumerate(keys) if key not in known]
    names = [known.get(key, "") for key in keys]
    if unnamed:
        rows = [groups.rows[groups.bounds[g] : groups.bounds[g + 1]] for g in unnamed]
        made = concept_names(group_centroids(vectors, rows), vocabulary(), concepts)
        for g, name in zip(unnamed, made, strict=True):
            names[g] = name
        if memory is not None:
            memory.keep([keys[g] for g in unnamed], made)
    return names


@dataclass(frozen=True)
class MemberIds:
    """Each group's photos (a photo once per group however many of its regions the group
    holds): their ids, sorted, group after group; group g's are ids[bounds[g]:bounds[g + 1]]."""

    ids: np.ndarray
    bounds: np.ndarray
    noise: np.ndarray  # the photos in no group, sorted
    in_row_order: np.ndarray  # each photo's first row in its group, as a place in `Groups.rows`, in row order


def member_ids(groups: Groups, image_ids: np.ndarray) -> MemberIds:
    group_of = groups.group_of_each_row()
    ids = image_ids[groups.rows]
    if len(image_ids) < 2 or bool(np.all(image_ids[1:] > image_ids[:-1])):
        # A photo a row, in the order of their ids (whole photos, as read): each group's ids
        # are sorted already, and each row is its photo's first.
        firsts = in_row_order = np.arange(len(ids))
    else:
        # A group's first row of each photo in it: sorted by group, photo and row, the first of each.
        order = np.lexsort((np.arange(len(ids)), ids, group_of))
        distinct = np.r_[True, (group_of[order][1:] != group_of[order][:-1]) | (ids[order][1:] != ids[order][:-1])]
        firsts = order[distinct] if len(order) else order
        in_row_order = np.sort(firsts)  # rows are group after group, in row order in each
    bounds = np.r_[0, np.cumsum(np.bincount(group_of[firsts], minlength=len(groups)))]
    return MemberIds(ids[firsts], bounds, np.unique(image_ids[groups.noise]), in_row_order)


@dataclass(frozen=True)
class Members:
    """Each group's photos: their ids, sorted, and their first paths, in row order (a photo
    once per group however many of its regions the group holds)."""

    image_ids: list[list[int]]
    paths: list[list[str]]
    noise_paths: list[str]
    noise_ids: list[int]  # sorted


def members_of(groups: Groups, image_ids: np.ndarray, row_paths: np.ndarray, known: MemberIds | None = None) -> Members:
    """`row_paths`: each row's photo's first path (None: the photo has no file); `known`:
    `member_ids` of these groups, where made before."""
    found = known if known is not None else member_ids(groups, image_ids)
    group_of = groups.group_of_each_row()[found.in_row_order]
    paths = row_paths[groups.rows[found.in_row_order]]
    has_path = paths != None  # noqa: E711  (element by element)
    path_bounds = np.r_[0, np.cumsum(np.bincount(group_of[has_path], minlength=len(groups)))]
    noise = [p for p in row_paths[groups.noise].tolist() if p is not None]
    return Members(
        slices_of(found.ids.tolist(), found.bounds),
        slices_of(paths[has_path].tolist(), path_bounds),
        list(dict.fromkeys(noise)),
        found.noise.tolist(),
    )


def row_paths_of(image_ids: np.ndarray, first_paths: dict[int, str]) -> np.ndarray:
    """Each row's photo's first path (None where it has none), as an array to index."""
    found = np.empty(len(image_ids), dtype=object)
    found[:] = [first_paths.get(i) for i in image_ids.tolist()]
    return found


def slices_of(flat: list, bounds: np.ndarray) -> list[list]:
    edges = bounds.tolist()
    return [flat[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
