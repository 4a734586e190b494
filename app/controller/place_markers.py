"""The Places map's markers: photos with a position, clustered for each zoom level. At level z
(the world 256·2^z pixels wide) photos in the same cell of a 64-pixel grid are one marker at
their mean position, and two markers closer than half a cell (a grid line between them) are
merged, so no two markers overlap much at any zoom. Built once per change of the photos, off
the GUI thread; drawing a frame then only picks the markers in view."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.controller.world_outlines import TILE_PX
from app.core.web_mercator import to_world

MARKER_CELL_PX = 64  # markers are at least about this far apart on screen
MAX_LEVEL = 19  # a few metres a pixel: photos taken from the same spot stay one marker


@dataclass(frozen=True)
class MarkerLevel:
    """The markers of one zoom level: position (world x, y) and photo count of each, and for each
    photo the marker it is in."""

    x: np.ndarray
    y: np.ndarray
    counts: np.ndarray
    member_of: np.ndarray  # per photo: index into x, y, counts


@dataclass(frozen=True)
class PlaceMarkers:
    image_ids: np.ndarray  # the photos with a position
    x: np.ndarray  # their world coordinates
    y: np.ndarray
    levels: tuple[MarkerLevel, ...]  # index = zoom level, 0..MAX_LEVEL

    @classmethod
    def build(cls, image_ids: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> PlaceMarkers:
        x, y = to_world(lat, lon)
        ids = np.asarray(image_ids, np.int64)
        return cls(ids, x, y, tuple(_cluster(x, y, level) for level in range(MAX_LEVEL + 1)))

    @classmethod
    def empty(cls) -> PlaceMarkers:
        nothing = np.zeros(0)
        return cls.build(np.zeros(0, np.int64), nothing, nothing)

    def __len__(self) -> int:
        return len(self.image_ids)

    def level(self, zoom: float) -> int:
        """The level whose markers a zoom (fractional levels while zooming) shows."""
        return int(min(MAX_LEVEL, max(0, np.floor(zoom))))

    def in_view(self, level: int, box: tuple[float, float, float, float]) -> np.ndarray:
        """Indices of the level's markers inside `box` (world x0, y0, x1, y1)."""
        markers = self.levels[level]
        x0, y0, x1, y1 = box
        return np.flatnonzero((markers.x >= x0) & (markers.x <= x1) & (markers.y >= y0) & (markers.y <= y1))

    def photos(self, level: int, marker: int) -> np.ndarray:
        """The image ids of one marker, in id order."""
        return np.sort(self.image_ids[self.levels[level].member_of == marker])

    def bounds(self, image_ids: np.ndarray | None = None) -> tuple[float, float, float, float] | None:
        """The world box around these photos (all of them when None); None when none has a position."""
        chosen = np.ones(len(self.image_ids), bool) if image_ids is None else np.isin(self.image_ids, image_ids)
        if not chosen.any():
            return None
        x, y = self.x[chosen], self.y[chosen]
        return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def _cluster(x: np.ndarray, y: np.ndarray, level: int) -> MarkerLevel:
    # Imported where used, off the GUI thread: at the window's start SciPy took 0.27 s of a
    # million photos' first gallery (1.9 s), for a view not yet opened.
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    if len(x) == 0:
        return MarkerLevel(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int32))
    cell = MARKER_CELL_PX / (TILE_PX * 2.0**level)
    columns = np.floor(x / cell).astype(np.int64)
    rows = np.floor(y / cell).astype(np.int64)
    _keys, member_of = np.unique(columns * (1 << 31) + rows, return_inverse=True)
    member_of = member_of.ravel()
    cx, cy, counts = _means(x, y, member_of)
    # Photos either side of a grid line would be two markers on top of each other: markers closer
    # than half a cell merge (with all they touch), again until none are (a merged marker sits at
    # its photos' mean, which may bring it near another).
    for _round in range(16):
        pairs = cKDTree(np.column_stack((cx, cy))).query_pairs(cell / 2, output_type="ndarray")
        if len(pairs) == 0:
            break
        n = len(cx)
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        _count, merged = connected_components(graph, directed=False)
        member_of = merged[member_of]
        cx, cy, counts = _means(x, y, member_of)
    return MarkerLevel(cx, cy, counts, member_of.astype(np.int32))


def _means(x: np.ndarray, y: np.ndarray, member_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = np.bincount(member_of)
    return np.bincount(member_of, x) / counts, np.bincount(member_of, y) / counts, counts.astype(np.int64)
