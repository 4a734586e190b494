"""Running a search: query vectors in, ranked and explained images out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine

from app.catalog import lookups, search_lookups
from app.core.unit_vectors import unit
from app.search.query import STOP_WORDS, SearchFilters
from app.search.ranking import Candidate, RankingOptions, rank, score_candidates
from app.search.results import SearchHit
from app.vectors.store import VectorStore


@dataclass(frozen=True)
class QueryVectors:
    positive: np.ndarray
    negatives: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.float32))
    keywords: tuple[str, ...] = ()
    how: str = "whole image"


def keywords_of(*texts: str) -> tuple[str, ...]:
    words = []
    for t in texts:
        words += [w.strip(".,;:!?'\"").lower() for w in t.split()]
    return tuple(w for w in words if w and w not in STOP_WORDS)


def search(
    engine: Engine,
    store: VectorStore,
    query: QueryVectors,
    options: RankingOptions,
    filters: SearchFilters | None = None,
    exclude_images: set[int] | None = None,
) -> list[SearchHit]:
    exclude_images = exclude_images or set()
    if store.ntotal == 0:
        return []
    allowed: np.ndarray | None = None
    if filters is not None and filters.active:
        allowed = search_lookups.region_ids_matching(engine, filters.catalog)
        if len(allowed) == 0:
            return []
    # Over-fetch: several regions may belong to one image, and some images are excluded.
    fetch = min(store.ntotal, options.top_k * 8 + 64 + len(exclude_images))
    scores, ids = store.search(query.positive, fetch, allowed)
    similarity = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    keyword_hits = search_lookups.keyword_regions(engine, query.keywords) if query.keywords else set()
    if allowed is not None:
        keyword_hits &= set(allowed.tolist())
    missing = [r for r in keyword_hits if r not in similarity]
    if missing:  # blend exact keyword hits in even when the vector search missed them
        vectors = store.reconstruct_many(missing)
        for region_id, vector in zip(missing, vectors, strict=True):
            similarity[region_id] = float(vector @ unit(query.positive))

    infos = lookups.regions(engine, list(similarity))
    candidates = [
        Candidate(infos[rid], sim)
        for rid, sim in similarity.items()
        if rid in infos and infos[rid].image_id not in exclude_images
    ]
    negative: np.ndarray | None = None
    if query.negatives.size and candidates:
        stored = store.reconstruct_many([c.region.region_id for c in candidates])
        negative = stored @ query.negatives.T
    score_candidates(candidates, options.weights, negative, keyword_hits, query.how)
    ranked = rank(candidates, options)
    images = lookups.images(engine, [c.region.image_id for c in ranked])
    hits = []
    for c in ranked:
        info = images.get(c.region.image_id)
        if info is not None and info.paths:
            path = _path_within(info.paths, filters)
            hits.append(SearchHit(c.region.image_id, path, c.score, c.region, c.why, info.content_hash))
    return hits


def _path_within(paths: list[str], filters: SearchFilters | None) -> str:
    if filters is not None and filters.folder:
        prefix = filters.folder.rstrip("/") + "/"
        for path in paths:
            if path.startswith(prefix):
                return path
    return paths[0]
