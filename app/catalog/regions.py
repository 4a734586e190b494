"""Catalog functions for regions beyond the whole image, and the lookups search needs:
filters as region ids, and exact keyword hits in photo text (SQLite FTS5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.repository import _chunks, _forget_region_text, path_under
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
    with engine.begin() as conn:
        return _insert_regions(conn, regions)


def _insert_regions(conn, regions: Sequence[NewRegion]) -> list[int]:  # type: ignore[no-untyped-def]
    ids: list[int] = []
    for r in regions:
        x0, y0, x1, y1 = r.bbox
        region_id = conn.execute(
            insert(RegionRow)
            .values(image_id=r.image_id, kind=r.kind, label=r.label, x0=x0, y0=y0, x1=x1, y1=y1,
                    confidence=r.confidence, text=r.text, vector=r.vector)
            .returning(RegionRow.id)
        ).scalar_one()
        if r.kind == "text" and r.text:
            conn.execute(text("INSERT INTO region_text(text, region_id) VALUES (:t, :r)"), {"t": r.text, "r": region_id})
        ids.append(region_id)
    return ids


# --- the region pass ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionWork:
    """An image whose object and/or text regions are missing or made by another version."""

    image_id: int
    content_hash: str
    path: str
    objects: bool
    text: bool


def images_needing_regions(engine: Engine, objects_by: str | None, text_by: str | None) -> list[RegionWork]:
    """Images (with one of their files) not yet done by these detector / OCR versions; a None
    version means that kind is switched off."""
    wanted = []
    if objects_by is not None:
        wanted.append(or_(ImageRow.objects_by.is_(None), ImageRow.objects_by != objects_by))
    if text_by is not None:
        wanted.append(or_(ImageRow.text_by.is_(None), ImageRow.text_by != text_by))
    if not wanted:
        return []
    stmt = (
        select(ImageRow.id, ImageRow.content_hash, ImageRow.objects_by, ImageRow.text_by, func.min(FileRow.path))
        .join(FileRow, FileRow.image_id == ImageRow.id)
        .where(or_(*wanted))
        .group_by(ImageRow.id)
        .order_by(ImageRow.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        RegionWork(
            image_id=r[0],
            content_hash=r[1],
            path=r[4],
            objects=objects_by is not None and r[2] != objects_by,
            text=text_by is not None and r[3] != text_by,
        )
        for r in rows
    ]


def count_region_state(engine: Engine) -> dict[str, int]:
    """How many images have object / text regions made by any version (for status and the UI)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(func.count(ImageRow.objects_by), func.count(ImageRow.text_by), func.count(ImageRow.id))
        ).one()
    return {"objects_done": int(row[0]), "text_done": int(row[1]), "images": int(row[2])}


@dataclass(frozen=True)
class RegionsDone:
    """One image's finished region work: which kinds were redone, by which versions."""

    image_id: int
    objects_by: str | None  # None: objects were not part of this work
    text_by: str | None


def replace_regions(
    engine: Engine, done: Sequence[RegionsDone], regions: Sequence[NewRegion]
) -> tuple[list[int], list[tuple[int, int]]]:
    """In one transaction: drop the redone kinds' old regions, insert the new ones and mark the
    images done. Returns (removed region ids, (position in `regions`, new id) pairs)."""
    with engine.begin() as conn:
        removed: list[int] = []
        for kind, column in (("object", "objects_by"), ("text", "text_by")):
            image_ids = [d.image_id for d in done if getattr(d, column) is not None]
            for chunk in _chunks(image_ids):
                found = conn.execute(
                    select(RegionRow.id).where(RegionRow.image_id.in_(chunk), RegionRow.kind == kind)
                ).scalars().all()
                if found:
                    _forget_region_text(conn, found)
                    conn.execute(delete(RegionRow).where(RegionRow.id.in_(found)))
                    removed += found
        alive = set(conn.execute(select(ImageRow.id).where(ImageRow.id.in_([d.image_id for d in done]))).scalars())
        keep = [i for i, r in enumerate(regions) if r.image_id in alive]  # an image may have gone meanwhile
        added = list(zip(keep, _insert_regions(conn, [regions[i] for i in keep]), strict=True))
        for d in done:
            values = {k: v for k, v in (("objects_by", d.objects_by), ("text_by", d.text_by)) if v is not None}
            if values and d.image_id in alive:
                conn.execute(update(ImageRow).where(ImageRow.id == d.image_id).values(**values))
    return removed, added


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
    conditions: list[ColumnElement[bool]] = [RegionRow.vector.is_not(None)]
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
                if text_value is not None:
                    out.setdefault(image_id, []).append(text_value)
    return out
