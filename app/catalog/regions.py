"""Catalog functions for regions beyond the whole image, and the lookups search needs:
filters as region ids, and exact keyword hits in photo text (SQLite FTS5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, and_, func, insert, select, text

from app.catalog.repository import path_under
from app.catalog.schema import FileRow, ImageRow, RegionRow


@dataclass(frozen=True)
class NewRegion:
    image_id: int
    kind: str  # "object" or "text"
    label: str | None
    bbox: tuple[float, float, float, float]
    confidence: float
    text: str | None
    vector: bytes


def add_regions(engine: Engine, regions: Sequence[NewRegion]) -> list[int]:
    """Insert regions with their vectors (and their text into the keyword index); returns ids."""
    ids: list[int] = []
    with engine.begin() as conn:
        for r in regions:
            x0, y0, x1, y1 = r.bbox
            region_id = conn.execute(
                insert(RegionRow)
                .values(image_id=r.image_id, kind=r.kind, label=r.label, x0=x0, y0=y0, x1=x1, y1=y1,
                        confidence=r.confidence, text=r.text, vector=r.vector)
                .returning(RegionRow.id)
            ).scalar_one()
            if r.text:
                conn.execute(text("INSERT INTO region_text(text, region_id) VALUES (:t, :r)"), {"t": r.text, "r": region_id})
            ids.append(region_id)
    return ids


def region_ids_matching(
    engine: Engine,
    folder: str | None = None,
    after: float | None = None,
    before: float | None = None,
    formats: frozenset[str] = frozenset(),
) -> np.ndarray:
    """Ids of vector-bearing regions of images that pass the filters.

    An image passes the folder filter when any of its files is below the folder; its date is
    EXIF date taken, else the newest file time.
    """
    file_time = select(func.max(FileRow.mtime_ns)).where(FileRow.image_id == ImageRow.id).scalar_subquery() / 1e9
    when = func.coalesce(ImageRow.taken_at, file_time)
    conditions = [RegionRow.vector.is_not(None)]
    if folder:
        conditions.append(select(FileRow.id).where(FileRow.image_id == ImageRow.id, path_under(FileRow.path, [folder])).exists())
    if after is not None:
        conditions.append(when >= after)
    if before is not None:
        conditions.append(when <= before)
    if formats:
        conditions.append(ImageRow.format.in_(sorted(formats)))
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




def _analysis_selection(stmt, on: str):  # type: ignore[no-untyped-def]
    stmt = stmt.where(RegionRow.vector.is_not(None))
    if on == "image":
        stmt = stmt.where(RegionRow.kind == "image")
    elif on == "object":
        stmt = stmt.where(RegionRow.kind == "object")
    elif on == "person":
        stmt = stmt.where(RegionRow.kind == "object", RegionRow.label == "person")
    else:
        raise ValueError(f"unknown region selection {on!r}")
    return stmt.order_by(RegionRow.id)


def analysis_region_ids(engine: Engine, on: str = "image") -> np.ndarray:
    """The ids `vectors_for_analysis` would return, without reading any vector."""
    with engine.connect() as conn:
        return np.asarray(conn.execute(_analysis_selection(select(RegionRow.id), on)).scalars().all(), dtype=np.int64)


def vectors_for_analysis(engine: Engine, on: str = "image") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(region ids, image ids, vectors) of whole images, object regions, or person regions."""
    stmt = _analysis_selection(select(RegionRow.id, RegionRow.image_id, RegionRow.vector), on)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 0), np.float32)
    vectors = np.vstack([np.frombuffer(r[2], dtype=np.float32) for r in rows])
    return np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64), vectors


def texts_by_image(engine: Engine, image_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for start in range(0, len(image_ids), 500):
            chunk = list(image_ids[start : start + 500])
            rows = conn.execute(
                select(RegionRow.image_id, RegionRow.text).where(RegionRow.image_id.in_(chunk), RegionRow.text.is_not(None))
            )
            for image_id, text_value in rows:
                out.setdefault(image_id, []).append(text_value)
    return out
