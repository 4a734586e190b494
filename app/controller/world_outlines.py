"""The country outlines the Places map draws (`resources/world-outlines.json`, Natural Earth,
made by scripts/make_world_outlines.py), in Web Mercator world coordinates, and as many points
as each zoom level can show: at level z the world is 256·2^z pixels wide, and points closer than
a pixel there are one point (a whole-world view draws a few thousand, not 100,000)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.core.web_mercator import to_world

OUTLINES = Path(__file__).resolve().parent.parent.parent / "resources" / "world-outlines.json"
TILE_PX = 256  # the world's width in pixels at level 0


@dataclass(frozen=True)
class Outline:
    """A country: its rings (each an (n, 2) array of world x, y; holes are rings too, filled
    even-odd) and the box around them (x0, y0, x1, y1)."""

    name: str
    rings: tuple[np.ndarray, ...]
    box: tuple[float, float, float, float]


@lru_cache(maxsize=1)
def world_outlines(path: Path = OUTLINES) -> tuple[Outline, ...]:
    """Every country at full detail (read once per process)."""
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    outlines = []
    for country in data["countries"]:
        rings = []
        for flat in country["rings"]:
            lonlat = np.asarray(flat, np.float64).reshape(-1, 2)
            x, y = to_world(lonlat[:, 1], lonlat[:, 0])
            rings.append(np.column_stack((x, y)))
        if rings:
            outlines.append(_outline(country["name"], rings))
    return tuple(outlines)


def _outline(name: str, rings: list[np.ndarray]) -> Outline:
    every = np.concatenate(rings)
    low, high = every.min(axis=0), every.max(axis=0)
    return Outline(name, tuple(rings), (float(low[0]), float(low[1]), float(high[0]), float(high[1])))


@lru_cache(maxsize=24)
def outlines_at_level(level: int) -> tuple[Outline, ...]:
    """The outlines as level `level` draws them: each point snapped to the pixel grid there,
    repeats dropped, rings that shrink below a triangle (islands smaller than a pixel) gone."""
    pixel = 1.0 / (TILE_PX * 2**level)
    shown = []
    for outline in world_outlines():
        rings = [ring for ring in (_snapped(r, pixel) for r in outline.rings) if len(ring) >= 3]
        if rings:
            shown.append(_outline(outline.name, rings))
    return tuple(shown)


def _snapped(ring: np.ndarray, step: float) -> np.ndarray:
    snapped = np.round(ring / step)
    keep = np.ones(len(snapped), bool)
    keep[1:] = np.any(snapped[1:] != snapped[:-1], axis=1)
    return snapped[keep] * step


def point_count(outlines: tuple[Outline, ...]) -> int:
    return sum(len(ring) for outline in outlines for ring in outline.rings)
