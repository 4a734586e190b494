"""The 3D map's points as arrays, made in the background once per projection, so that drawing
them and colouring them again by the clusters showing (the strictness slider, new names) cost
the GUI thread array work only, at 100k points too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from app.analysis.results import MapPoints
from app.controller.browse_state import NOT_GROUPED


@dataclass(frozen=True)
class MapLayout:
    """Each point's position (n, 3), image id, path and thumbnail, in one order."""

    positions: np.ndarray
    image_ids: np.ndarray
    paths: list[str]
    thumbnails: list[str]
    _order: np.ndarray = field(repr=False)  # sorts image_ids, to find a point by its image

    @classmethod
    def of(cls, points: MapPoints, thumbnails: Mapping[int, str]) -> MapLayout:
        rows = points.points
        positions = np.array([(p.x, p.y, p.z) for p in rows], dtype=np.float32).reshape(-1, 3)
        image_ids = np.fromiter((p.image_id for p in rows), dtype=np.int64, count=len(rows))
        return cls(
            positions,
            image_ids,
            [p.path for p in rows],
            [thumbnails.get(p.image_id, "") for p in rows],
            np.argsort(image_ids, kind="stable"),
        )

    def __len__(self) -> int:
        return len(self.image_ids)

    def groups(self, members: Mapping[int, Sequence[int]]) -> np.ndarray:
        """Each point's group (`NOT_GROUPED` where none) from each group's image ids."""
        out = np.full(len(self), NOT_GROUPED, dtype=np.int64)
        sizes = [len(ids) for ids in members.values()]
        if not len(self) or not sum(sizes):
            return out
        ids = np.fromiter(chain.from_iterable(members.values()), dtype=np.int64, count=sum(sizes))
        group_of = np.repeat(np.fromiter(members.keys(), dtype=np.int64, count=len(members)), sizes)
        sorted_ids = self.image_ids[self._order]
        at = np.minimum(np.searchsorted(sorted_ids, ids), len(self) - 1)
        found = sorted_ids[at] == ids  # photos added since the map was made have no point yet
        out[self._order[at[found]]] = group_of[found]
        return out
