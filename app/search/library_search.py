"""What a library does with a search request (`Library.search`, `Library.similar`): names of
people in the words keep only their photos, the request is checked, the query is composed from
words and/or a photo, and ranked over the library's vectors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from app.catalog import lookups
from app.catalog.records import RegionInfo
from app.core.errors import UserError
from app.core.unit_vectors import unit
from app.search.compose import compose_query
from app.search.query import SearchFilters
from app.search.ranking import DEFAULT_WEIGHTS, RankingOptions
from app.search.request import NOTHING_TO_SEARCH, SearchRequest
from app.search.results import SearchHit
from app.search.shots import one_per_shot
from app.search.understanding import Understood, Vocabulary
from app.vectors.store import VectorStore


@dataclass(frozen=True)
class SearchSources:
    """Where a search gets its vectors: the library's store (or a UserError saying why there is
    none to search), and the encoders of words and of a photo file."""

    store: Callable[[], VectorStore]
    text_vectors: Callable[[Sequence[str]], np.ndarray]
    image_vector: Callable[[Path | str], np.ndarray]


def search_library(engine: Engine, sources: SearchSources, request: SearchRequest, depth: int = 0) -> list[SearchHit]:
    """Names of people in the words (or `request.person`) keep only their photos, and the rest
    of the words, the photo or both rank them. `depth`: how many smart albums' searches this
    one runs inside."""
    from app.catalog.people import person_names
    from app.search.people_filter import images_with_everyone, people_hits, split_names
    from app.search.vector_search import search

    if not request.literal:
        request = understood_request(engine, request)[0]
    request = request.checked()
    names, text = split_names(request.words, person_names(engine)) if request.words else ([], None)
    if request.person is not None and request.person.strip():
        names.append(request.person)
    filters = resolved_filters(engine, with_smart_album(engine, sources, request.filters, depth))
    if names:
        allowed = images_with_everyone(engine, names)
        if filters.images is not None:
            allowed &= filters.images
        if not (text and text.strip()) and request.image is None:
            return one_per_shot(engine, people_hits(engine, allowed, names, request.top_k))
        filters = filters.only(allowed)
    elif not (text and text.strip()) and request.image is None:
        if not request.filters.active:
            raise UserError(NOTHING_TO_SEARCH)
        listed = listed_hits(engine, filters, request.filters.describe(), request.top_k)
        return one_per_shot(engine, listed)[: request.top_k]
    store = sources.store()
    image_vector = sources.image_vector(request.image) if request.image is not None else None
    query = compose_query(text, image_vector, sources.text_vectors, store.dim, request.image_weight)
    weights = {**DEFAULT_WEIGHTS, **request.weights}
    options = RankingOptions(_room_for_pairs(request.top_k), request.threshold, request.auto_cut, weights)
    return one_per_shot(engine, search(engine, store, query, options, filters))[: request.top_k]


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
    weights = {"image": 1.0, "object": 0.0, "text": 0.0}
    options = RankingOptions(_room_for_pairs(request.top_k), request.threshold, False, weights)
    filters = resolved_filters(engine, with_smart_album(engine, sources, request.filters, 0))
    found = search(engine, store, query, options, filters, exclude)
    return one_per_shot(engine, found, image_id)[: request.top_k]


def _room_for_pairs(top_k: int) -> int:
    """How many hits to rank so that `top_k` remain once each RAW+JPEG pair is one result (at
    worst every hit is half of a pair, and one more is the partner of the photo asked about)."""
    return 2 * top_k + 1


def library_vocabulary(engine: Engine) -> Vocabulary:
    from app.catalog.albums import album_names
    from app.catalog.people import person_names
    from app.catalog.places import place_names
    from app.catalog.tags import tag_names
    from app.search.query_tokens import fold

    places = {fold(name): (name, wide) for name, wide in place_names(engine)}
    albums = tuple(album_names(engine))
    return Vocabulary(places, tuple(person_names(engine)), albums, tuple(tag_names(engine)))


def understood_request(
    engine: Engine, request: SearchRequest, today: date | None = None
) -> tuple[SearchRequest, Understood | None]:
    """The request with what its words say about when, where, an album or a tag turned into
    filters (and taken out of the words), and what was understood; with nothing understood
    (or `literal`), the request as it was."""
    from app.search.date_words import chosen_languages, date_words
    from app.search.understanding import plain_words, understand

    if request.literal or request.words is None:
        return request, None
    understood = understand(
        request.words, library_vocabulary(engine), date_words(chosen_languages()), today or date.today()
    )
    if not understood.parts:
        return replace(request, literal=True), understood
    filters = request.filters
    if understood.dates is not None:
        after = time.mktime(understood.dates.start.timetuple())
        before = time.mktime(understood.dates.end.timetuple()) - 0.001
        filters = replace(
            filters,
            after=after if filters.after is None else max(after, filters.after),
            before=before if filters.before is None else min(before, filters.before),
        )
    filters = replace(
        filters,
        place=filters.place or understood.place,
        album=filters.album or understood.album,
        tag=filters.tag or understood.tag,
    )
    words = understood.words if understood.words and plain_words(understood.words) else None
    return replace(request, text=words, filters=filters, literal=True), understood


def with_smart_album(engine: Engine, sources: SearchSources, filters: SearchFilters, depth: int) -> SearchFilters:
    """`--album` naming a smart album: the photos its search finds now (a plain album is left
    to `resolved_filters`)."""
    from app.catalog.albums import kept_search
    from app.search.saved_search import MOST_NESTED, search_of

    kept = kept_search(engine, filters.album) if filters.album else None
    if kept is None:
        return filters
    if depth >= MOST_NESTED:
        raise UserError(f"smart albums filter by smart albums more than {MOST_NESTED} deep (or in a circle)")
    hits = search_library(engine, sources, search_of(kept, str(filters.album)), depth + 1)
    return replace(filters.only(frozenset(hit.image_id for hit in hits)), album=None)


def resolved_filters(engine: Engine, filters: SearchFilters) -> SearchFilters:
    """The filters the catalog answers by name (a place, an album, a tag, stars, favourites,
    rejects) as the images that pass them; a place, album or tag no photo has is refused."""
    from app.catalog.albums import images_in_album
    from app.catalog.photo_marks import images_marked
    from app.catalog.places import images_at_place
    from app.catalog.tags import images_tagged

    if filters.place:
        found = images_at_place(engine, filters.place)
        if not found:
            raise UserError(
                f"no photo was taken at a place named {filters.place!r}; `photo-organizer places` lists them"
            )
        filters = replace(filters.only(found), place=None)
    if filters.album:
        filters = replace(filters.only(images_in_album(engine, filters.album)), album=None)
    if filters.tag:
        filters = replace(filters.only(images_tagged(engine, filters.tag)), tag=None)
    if filters.min_stars == 0:  # every photo has at least no stars
        filters = replace(filters, min_stars=None)
    if filters.min_stars is not None or filters.favourites or filters.rejected:
        marked = images_marked(engine, filters.min_stars, filters.favourites, filters.rejected)
        filters = replace(filters.only(marked), min_stars=None, favourites=False, rejected=False)
    return filters


def listed_hits(engine: Engine, filters: SearchFilters, why: str, top_k: int) -> list[SearchHit]:
    """Photos that pass the filters, newest first, when there are no words or photo to rank by."""
    from app.catalog.search_lookups import image_ids_matching

    ids = image_ids_matching(engine, filters.catalog, _room_for_pairs(top_k))
    infos = lookups.images(engine, ids)
    hits = [
        SearchHit(
            image_id,
            infos[image_id].paths[0],
            1.0,
            RegionInfo(0, image_id, "image", None, (0.0, 0.0, 1.0, 1.0), 1.0, None),
            why,
            infos[image_id].content_hash,
        )
        for image_id in ids
        if image_id in infos and infos[image_id].paths
    ]
    return hits
