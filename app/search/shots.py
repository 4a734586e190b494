"""One result per shot: a RAW and its JPEG (`core.raw_pairs`) are one photo in results, as in
the gallery: shown as the JPEG, naming its RAW (`SearchHit.pair`), with the better score of the
two. A search never finds the shot it was asked about through the other file of its pair."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine

from app.catalog import lookups
from app.catalog.media_lookups import raw_pairs_among
from app.core.raw_pairs import may_pair
from app.search.results import SearchHit


def one_per_shot(engine: Engine, hits: list[SearchHit], asked_about: int | None = None) -> list[SearchHit]:
    """`hits` (best first) with each pair once; `asked_about`: the image a search by example
    was made from, whose partner is left out too."""
    if not any(may_pair(hit.path) for hit in hits):
        return hits
    paths = [hit.path for hit in hits]
    if asked_about is not None:
        info = lookups.images(engine, [asked_about]).get(asked_about)
        paths += info.paths if info is not None else []
    pairs = raw_pairs_among(engine, paths)
    if not pairs:
        return hits
    shown_as = {**pairs.raws, **{shown: shown for shown in pairs.raw_of}}
    skipped = {shown_as[asked_about]} if asked_about in shown_as else set()
    hashes = {i: info.content_hash for i, info in lookups.images(engine, list(pairs.raw_of)).items()}
    out: list[SearchHit] = []
    for hit in hits:
        shown = shown_as.get(hit.image_id, hit.image_id)
        if shown in skipped:
            continue
        skipped.add(shown)
        if shown in pairs.raw_of:
            hit = replace(
                hit,
                image_id=shown,
                path=pairs.shown_path[shown],
                content_hash=hashes.get(shown, hit.content_hash),
                pair=pairs.raw_of[shown][1],
            )
        out.append(hit)
    return out
