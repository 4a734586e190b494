"""The catalog lookups search needs: filters (folder, dates, formats) as region ids, and exact
keyword hits in the words found in photos (SQLite FTS5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, and_, select, text
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.date_range import images_between
from app.catalog.schema import FileRow, ImageRow, RegionRow
from app.catalog.sql_helpers import id_set, listed, newest_file_time, path_under, taken_or


@dataclass(frozen=True)
class CatalogFilters:
    """The filters the catalog answers with one query: a folder, a date range (EXIF date taken,
    else the newest file time), formats, and a set of images (a person's, an album's…)."""

    folder: str | None = None
    after: float | None = None
    before: float | None = None
    formats: frozenset[str] = frozenset()
    images: frozenset[int] | None = None


def region_ids_matching(engine: Engine, filters: CatalogFilters) -> np.ndarray:
    """Ids of vector-bearing regions of images that pass the filters (an image passes the folder
    filter when any of its files is below the folder)."""
    with engine.connect() as conn:
        conditions = [RegionRow.vector.is_not(None), *_passing(conn, filters)[0]]
        stmt = select(RegionRow.id).join(ImageRow, ImageRow.id == RegionRow.image_id).where(and_(*conditions))
        return np.sort(id_set(conn, stmt))


def image_ids_matching(engine: Engine, filters: CatalogFilters, limit: int | None = None) -> list[int]:
    """The library's images that pass the filters, newest first (a listing with no words)."""
    with engine.connect() as conn:
        conditions, when = _passing(conn, filters)
        has_file = select(FileRow.id).where(FileRow.image_id == ImageRow.id).exists()
        stmt = select(ImageRow.id).where(has_file, *conditions).order_by(when.desc(), ImageRow.id.desc()).limit(limit)
        return [int(i) for i in conn.execute(stmt).scalars()]


def _passing(conn: Connection, filters: CatalogFilters) -> tuple[list[ColumnElement[bool]], ColumnElement[float]]:
    """The conditions on `ImageRow` for the filters, and the expression of each image's date."""
    when = taken_or(newest_file_time())
    conditions: list[ColumnElement[bool]] = []
    if filters.folder:
        conditions.append(
            select(FileRow.id)
            .where(FileRow.image_id == ImageRow.id, path_under(FileRow.path, [filters.folder]))
            .exists()
        )
    dates = filters.after is not None or filters.before is not None
    within = images_between(conn, filters.after, filters.before) if dates else None
    if within is not None:  # the range's photos, found through the indexes on dates
        conditions.append(ImageRow.id.in_(listed(within.tolist())))
    elif dates:  # a range of very many files: each photo's date worked out
        if filters.after is not None:
            conditions.append(when >= filters.after)
        if filters.before is not None:
            conditions.append(when <= filters.before)
    if filters.formats:
        conditions.append(ImageRow.format.in_(sorted(filters.formats)))
    if filters.images is not None:
        conditions.append(ImageRow.id.in_(listed(sorted(filters.images))))
    return conditions, when


def keyword_regions(engine: Engine, words: Sequence[str]) -> set[int]:
    """Text regions containing every one of `words` (case- and accent-insensitive)."""
    terms = [w.replace('"', "") for w in words if w.replace('"', "").strip()]
    if not terms:
        return set()
    match = " AND ".join(f'"{t}"' for t in terms)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT region_id FROM region_text WHERE region_text MATCH :m"), {"m": match})
        return {int(r[0]) for r in rows}
