"""The catalog lookups search needs: filters (folder, dates, formats) as region ids, and exact
keyword hits in the words found in photos (SQLite FTS5)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine, and_, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.schema import FileRow, ImageRow, RegionRow
from app.catalog.sql_helpers import path_under, taken_or


def region_ids_matching(
    engine: Engine,
    folder: str | None = None,
    after: float | None = None,
    before: float | None = None,
    formats: frozenset[str] = frozenset(),
    images: frozenset[int] | None = None,
) -> np.ndarray:
    """Ids of vector-bearing regions of images that pass the filters.

    An image passes the folder filter when any of its files is below the folder; its date is
    EXIF date taken, else the newest file time.
    """
    file_time = select(func.max(FileRow.mtime_ns)).where(FileRow.image_id == ImageRow.id).scalar_subquery() / 1e9
    when = taken_or(file_time)
    conditions: list[ColumnElement[bool]] = [RegionRow.vector.is_not(None)]
    if folder:
        conditions.append(
            select(FileRow.id).where(FileRow.image_id == ImageRow.id, path_under(FileRow.path, [folder])).exists()
        )
    if after is not None:
        conditions.append(when >= after)
    if before is not None:
        conditions.append(when <= before)
    if formats:
        conditions.append(ImageRow.format.in_(sorted(formats)))
    if images is not None:
        conditions.append(ImageRow.id.in_(sorted(images)))
    stmt = select(RegionRow.id).join(ImageRow, ImageRow.id == RegionRow.image_id).where(and_(*conditions))
    with engine.connect() as conn:
        return np.asarray(conn.execute(stmt).scalars().all(), dtype=np.int64)


def keyword_regions(engine: Engine, words: Sequence[str]) -> set[int]:
    """Text regions containing every one of `words` (case- and accent-insensitive)."""
    terms = [w.replace('"', "") for w in words if w.replace('"', "").strip()]
    if not terms:
        return set()
    match = " AND ".join(f'"{t}"' for t in terms)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT region_id FROM region_text WHERE region_text MATCH :m"), {"m": match})
        return {int(r[0]) for r in rows}
