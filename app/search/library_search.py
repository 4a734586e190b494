"""What a library does with a search request (`Library.search`, `Library.similar`): names of
people in the words keep only their photos, the request is checked, the query is composed from
words and/or a photo, and ranked over the library's vectors."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from app.catalog import lookups
from app.core.errors import UserError
from app.core.unit_vectors import unit
from app.search.compose import compose_query
from app.search.ranking import DEFAULT_WEIGHTS, RankingOptions
from app.search.request import SearchRequest
from app.search.results import SearchHit
from app.search.shots import one_per_shot
from app.vectors.store import VectorStore


@dataclass(frozen=True)
class SearchSources:
    """Where a search gets its vectors: the library's store (or a UserError saying why there is
    none to search), and the encoders of words and of a photo file."""

    store: Callable[[], VectorStore]
    text_vectors: Callable[[Sequence[str]], np.ndarray]
    image_vector: Callable[[Path | str], np.ndarray]


def search_library(engine: Engine, sources: SearchSources, request: SearchRequest) -> list[SearchHit]:
    """Names of people in the words (or `request.person`) keep only their photos, and the rest
    of the words, the photo or both rank them."""
    from app.catalog.people import person_names
    from app.search.people_filter import images_with_everyone, people_hits, split_names
    from app.search.vector_search import search

    request = request.checked()
    names, text = split_names(request.words, person_names(engine)) if request.words else ([], None)
    if request.person is not None and request.person.strip():
        names.append(request.person)
    filters = request.filters
    if names:
        allowed = images_with_everyone(engine, names)
        if not (text and text.strip()) and request.image is None:
            return one_per_shot(engine, people_hits(engine, allowed, names, request.top_k))
        filters = replace(filters, images=frozenset(allowed))
    elif not (text and text.strip()) and request.image is None:
        raise UserError("give words to search for, an image (--image FILE), a person (--person NAME), or a mix")
    store = sources.store()
    image_vector = sources.image_vector(request.image) if request.image is not None else None
    query = compose_query(text, image_vector, sources.text_vectors, store.dim, request.image_weight)
    weights = {**DEFAULT_WEIGHTS, **request.weights}
    options = RankingOptions(request.top_k, request.threshold, request.auto_cut, weights)
    return one_per_shot(engine, search(engine, store, query, options, filters))


def similar_in_library(
    engine: Engine, sources: SearchSources, path: Path | str, request: SearchRequest
) -> list[SearchHit]:
    """Photos like the one at `path` (its stored vector if indexed, else the file's pixels),
    narrowed and cut as `request` says (its words and photo are not used)."""
    from app.search.vector_search import QueryVectors, search

    request = replace(request, text=None, image=path).checked()
    store = sources.store()
    resolved = os.path.abspath(Path(path).expanduser())
    image_id = lookups.image_id_for_path(engine, resolved)
    if image_id is None:
        vector = sources.image_vector(resolved)
        exclude: set[int] = set()
    else:
        region_ids = lookups.image_region_ids(engine, image_id)
        if not region_ids:
            raise UserError(f"{path} is in the library but has no vector yet; index it first")
        vector = store.reconstruct(region_ids[0])
        exclude = {image_id}
    query = QueryVectors(unit(vector), how="similar image")
    options = RankingOptions(request.top_k, request.threshold, False, {"image": 1.0, "object": 0.0, "text": 0.0})
    return one_per_shot(engine, search(engine, store, query, options, request.filters, exclude), image_id)
