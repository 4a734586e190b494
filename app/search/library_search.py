"""What a library does with a search request (`Library.search`, `Library.similar`): names of
people in the words keep only their photos, the request is checked, the query is composed from
words and/or a photo, and ranked over the library's vectors."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from app.catalog import lookups
from app.core.errors import UserError
from app.core.unit_vectors import unit
from app.search.compose import check_search_request, compose_query
from app.search.query import SearchFilters, check_threshold
from app.search.ranking import DEFAULT_WEIGHTS, RankingOptions
from app.search.results import SearchHit
from app.vectors.store import VectorStore


@dataclass(frozen=True)
class SearchSources:
    """Where a search gets its vectors: the library's store (or a UserError saying why there is
    none to search), and the encoders of words and of a photo file."""

    store: Callable[[], VectorStore]
    text_vectors: Callable[[Sequence[str]], np.ndarray]
    image_vector: Callable[[Path | str], np.ndarray]


def search_library(
    engine: Engine,
    sources: SearchSources,
    text: str | None,
    image: Path | str | None,
    top_k: int,
    threshold: float | None,
    weights: Mapping[str, float] | None,
    image_weight: float,
    filters: SearchFilters | None,
    auto_cut: bool,
    person: str | None,
) -> list[SearchHit]:
    from app.catalog.people import person_names
    from app.search.people_filter import images_with_everyone, people_hits, split_names
    from app.search.vector_search import search

    names, text = split_names(text, person_names(engine)) if text else ([], text)
    if person is not None and person.strip():
        names.append(person)
    if names:
        check_threshold(threshold)
        allowed = images_with_everyone(engine, names)
        if not (text and text.strip()) and image is None:
            if top_k < 1:
                raise UserError("the number of results must be at least 1")
            return people_hits(engine, allowed, names, top_k)
        filters = replace(filters or SearchFilters(), images=frozenset(allowed))
    check_search_request(text, image is not None, top_k, threshold, image_weight)
    store = sources.store()
    image_vector = sources.image_vector(image) if image is not None else None
    query = compose_query(text, image_vector, sources.text_vectors, store.dim, image_weight)
    options = RankingOptions(top_k, threshold, auto_cut, {**DEFAULT_WEIGHTS, **(weights or {})})
    return search(engine, store, query, options, filters)


def similar_in_library(
    engine: Engine,
    sources: SearchSources,
    path: Path | str,
    top_k: int,
    filters: SearchFilters | None,
    threshold: float | None,
) -> list[SearchHit]:
    from app.search.vector_search import QueryVectors, search

    if top_k < 1:
        raise UserError("the number of results must be at least 1")
    check_threshold(threshold)
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
    options = RankingOptions(top_k, threshold, False, {"image": 1.0, "object": 0.0, "text": 0.0})
    return search(engine, store, query, options, filters, exclude)
