"""From nearest regions to ranked images: group per image (best region), explain, cut."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from app.catalog import repository
from app.catalog.records import RegionInfo
from app.vectors.store import VectorStore


@dataclass(frozen=True)
class SearchHit:
    image_id: int
    path: str
    score: float
    region: RegionInfo
    why: str

    def to_json(self) -> dict:
        r = self.region
        return {
            "path": self.path,
            "image_id": self.image_id,
            "score": round(self.score, 4),
            "region": {"kind": r.kind, "label": r.label, "bbox": [round(v, 4) for v in r.bbox], "text": r.text},
            "why": self.why,
        }


def explain(region: RegionInfo, how: str) -> str:
    if region.kind == "text" and region.text:
        return f'ocr: "{region.text}"'
    if region.kind == "object" and region.label:
        return f"object: {region.label}"
    return how


def nearest_images(
    engine: Engine,
    store: VectorStore,
    query: np.ndarray,
    top_k: int,
    threshold: float | None = None,
    exclude_images: set[int] | None = None,
    how: str = "whole image",
) -> list[SearchHit]:
    """The `top_k` images whose best region is nearest to `query` (cosine)."""
    if store.ntotal == 0 or top_k <= 0:
        return []
    exclude_images = exclude_images or set()
    # Over-fetch: several regions may belong to one image, and some images are excluded.
    fetch = min(store.ntotal, max(top_k * 4 + len(exclude_images), 32))
    scores, ids = store.search(query.reshape(1, -1), fetch)
    pairs = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
    regions = repository.regions(engine, [i for i, _ in pairs])
    best: dict[int, tuple[float, RegionInfo]] = {}
    for region_id, score in pairs:
        region = regions.get(region_id)
        if region is None or region.image_id in exclude_images:
            continue
        if threshold is not None and score < threshold:
            continue
        if region.image_id not in best or score > best[region.image_id][0]:
            best[region.image_id] = (score, region)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:top_k]
    infos = repository.images(engine, [image_id for image_id, _ in ranked])
    hits = []
    for image_id, (score, region) in ranked:
        info = infos.get(image_id)
        if info is None or not info.paths:
            continue
        hits.append(SearchHit(image_id, info.paths[0], score, region, explain(region, how)))
    return hits
