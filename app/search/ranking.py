"""From a query vector to ranked images.

Nearest regions come from FAISS (only among the filtered ids when filters apply); each
region's similarity is multiplied by its kind's (or object label's) weight and lowered by its
likeness to any `-term`; exact keyword hits in photo text get a bonus; regions group per image
by the best one; a threshold and an optional cut at the largest score gap finish the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from app.catalog.records import RegionInfo
from app.core.durations import clock

DEFAULT_WEIGHTS: Mapping[str, float] = {"image": 1.0, "object": 1.0, "text": 1.0}
NEGATIVE_PENALTY = 0.5
KEYWORD_BONUS = 0.15


@dataclass
class Candidate:
    region: RegionInfo
    similarity: float
    score: float = 0.0
    why: str = ""


@dataclass(frozen=True)
class RankingOptions:
    top_k: int = 20
    threshold: float | None = None
    auto_cut: bool = False
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


def region_weight(region: RegionInfo, weights: Mapping[str, float]) -> float:
    if region.label and region.label.lower() in weights:
        return weights[region.label.lower()]
    kind = "image" if region.kind == "frame" else region.kind  # a video's frame is a whole picture
    return weights.get(kind, DEFAULT_WEIGHTS.get(kind, 1.0))


def explain(region: RegionInfo, how: str) -> str:
    if region.kind == "text" and region.text:
        return f'ocr: "{region.text}"' + _moment(region)
    if region.kind == "object" and (region.text or region.label):
        return f"object: {region.text or region.label}"  # the detector's class: dog, car, ...
    if region.kind == "frame" and region.time is not None:
        return f"frame at {clock(region.time)}"
    return how


def score_candidates(
    candidates: list[Candidate],
    weights: Mapping[str, float],
    negative_similarity: np.ndarray | None,
    keyword_regions: set[int],
    how: str,
) -> None:
    for i, c in enumerate(candidates):
        c.score = c.similarity * region_weight(c.region, weights)
        c.why = explain(c.region, how)
        if negative_similarity is not None and negative_similarity.size:
            c.score -= NEGATIVE_PENALTY * float(max(0.0, negative_similarity[i].max()))
        if c.region.region_id in keyword_regions:
            c.score += KEYWORD_BONUS
            said = "description" if c.region.kind == "image" else "ocr keyword"  # another app's caption, or OCR
            c.why = f'{said}: "{c.region.text}"' + _moment(c.region)


def _moment(region: RegionInfo) -> str:
    """Where in a video a region was found (" at 0:42"); nothing for a photo's."""
    return f" at {clock(region.time)}" if region.time is not None else ""


def best_per_image(candidates: list[Candidate]) -> list[Candidate]:
    best: dict[int, Candidate] = {}
    for c in candidates:
        held = best.get(c.region.image_id)
        if held is None or c.score > held.score:
            best[c.region.image_id] = c
    return sorted(best.values(), key=lambda c: -c.score)


def cut_at_largest_gap(scores: list[float], min_keep: int = 1) -> int:
    """How many leading results to keep: up to the largest drop, when that drop stands out."""
    if len(scores) <= min_keep + 1:
        return len(scores)
    gaps = np.array([scores[i] - scores[i + 1] for i in range(len(scores) - 1)])
    start = min_keep - 1
    i = start + int(np.argmax(gaps[start:]))
    if gaps[i] > 3 * float(np.median(gaps)) and gaps[i] > 0.01:
        return i + 1
    return len(scores)


def rank(candidates: list[Candidate], options: RankingOptions) -> list[Candidate]:
    ranked = best_per_image(candidates)
    if options.threshold is not None:
        ranked = [c for c in ranked if c.score >= options.threshold]
    ranked = ranked[: options.top_k]
    if options.auto_cut:
        ranked = ranked[: cut_at_largest_gap([c.score for c in ranked])]
    return ranked
