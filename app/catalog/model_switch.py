"""Catalog functions for switching a library to another model (re-embedding in the background).

New vectors wait in `pending_vectors` while the old ones keep serving searches; one
transaction makes them the library's vectors when every region has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select

from app.catalog.schema import FileRow, ImageRow, Meta, PendingVectorRow, RegionRow


@dataclass(frozen=True)
class RegionToReembed:
    region_id: int
    kind: str
    bbox: tuple[float, float, float, float]
    text: str | None
    content_hash: str
    path: str | None
    time: float | None = None  # a video's frame: where in it


def regions_to_reembed(engine: Engine, limit: int) -> list[RegionToReembed]:
    """Regions with a vector from the current model but none yet from the pending one."""
    first_path = select(func.min(FileRow.path)).where(FileRow.image_id == RegionRow.image_id).scalar_subquery()
    stmt = (
        select(
            RegionRow.id,
            RegionRow.kind,
            RegionRow.x0,
            RegionRow.y0,
            RegionRow.x1,
            RegionRow.y1,
            RegionRow.text,
            ImageRow.content_hash,
            first_path,
            RegionRow.time,
        )
        .join(ImageRow, ImageRow.id == RegionRow.image_id)
        .where(RegionRow.vector.is_not(None))
        .where(~select(PendingVectorRow.region_id).where(PendingVectorRow.region_id == RegionRow.id).exists())
        .order_by(RegionRow.image_id, RegionRow.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            RegionToReembed(r[0], r[1], (r[2], r[3], r[4], r[5]), r[6], r[7], r[8], r[9]) for r in conn.execute(stmt)
        ]


def count_reembed_left(engine: Engine) -> tuple[int, int]:
    """(regions still to re-embed, regions in all)."""
    with engine.connect() as conn:
        total = int(
            conn.execute(select(func.count()).select_from(RegionRow).where(RegionRow.vector.is_not(None))).scalar_one()
        )
        done = int(conn.execute(select(func.count()).select_from(PendingVectorRow)).scalar_one())
    return total - done, total


def add_pending_vectors(engine: Engine, rows: Sequence[tuple[int, bytes]]) -> None:
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(PendingVectorRow), [{"region_id": rid, "vector": blob} for rid, blob in rows])


def clear_pending_vectors(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(PendingVectorRow))


def complete_model_switch(
    engine: Engine, model_key: str, dim: int, meta_model: str, meta_dim: str, meta_pending: str
) -> None:
    """Make the pending vectors the library's vectors, in one transaction."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE regions SET vector = (SELECT p.vector FROM pending_vectors p WHERE p.region_id = regions.id) "
                "WHERE id IN (SELECT region_id FROM pending_vectors)"
            )
        )
        conn.execute(text("DELETE FROM pending_vectors"))
        for key, value in ((meta_model, model_key), (meta_dim, str(dim))):
            conn.execute(delete(Meta).where(Meta.key == key))
            conn.execute(insert(Meta).values(key=key, value=value))
        conn.execute(delete(Meta).where(Meta.key == meta_pending))
