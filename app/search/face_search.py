"""Find similar on a face: photos holding a face near this one in the face descriptors' own
space (Euclidean; the same person lies within about 0.5), closest first."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine

from app.catalog import lookups
from app.core.errors import UserError
from app.search.results import SearchHit
from app.vectors.store import VectorStore

SAME_PERSON = 0.55  # a little looser than joining a person: this is a search, shown ranked


def similar_faces(engine: Engine, store: VectorStore, region_id: int, top_k: int = 200) -> list[SearchHit]:
    # The store ranks by inner product; for distance, rank all stored faces by their real
    # Euclidean distance (face counts are small next to photos: a few per photo at most).
    ids, vectors = store.all_vectors()
    at = np.flatnonzero(ids == region_id)
    if len(at) == 0:
        raise UserError(f"no face with region id {region_id}")
    distances = np.linalg.norm(vectors - vectors[at[0]], axis=1)
    order = np.argsort(distances)
    regions = lookups.regions(engine, [int(ids[i]) for i in order if distances[i] <= SAME_PERSON])
    infos = lookups.images(engine, sorted({r.image_id for r in regions.values()}))
    hits: list[SearchHit] = []
    seen: set[int] = set()
    for i in order:
        distance = float(distances[i])
        if distance > SAME_PERSON or len(hits) >= top_k:
            break
        region = regions.get(int(ids[i]))
        if region is None or region.image_id in seen:
            continue
        info = infos.get(region.image_id)
        if info is None or not info.paths:
            continue
        seen.add(region.image_id)
        why = "the same face" if int(ids[i]) == region_id else f"a similar face (distance {distance:.2f})"
        hits.append(SearchHit(region.image_id, info.paths[0], round(1.0 - distance, 4), region, why, info.content_hash))
    return hits
