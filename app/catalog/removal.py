"""Forgetting files and images (never touching the files themselves): their regions, text and
images left with no file go in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, bindparam, delete, select

from app.catalog.kept_marks import keep_marks
from app.catalog.schema import FailureRow, FileRow, ImageRow, RegionRow
from app.catalog.sql_helpers import chunks


def remove_paths(engine: Engine, paths: Sequence[str]) -> list[int]:
    """Forget files (and failures) at `paths`; drop images left with no file.

    Returns the ids of the regions whose vectors must leave the vector index.
    """
    with engine.begin() as conn:
        for chunk in chunks(list(paths)):
            conn.execute(delete(FileRow).where(FileRow.path.in_(chunk)))
            conn.execute(delete(FailureRow).where(FailureRow.path.in_(chunk)))
        return _delete_orphan_images(conn)


def remove_images(engine: Engine, image_ids: Sequence[int]) -> list[int]:
    """Forget images (with all their files and regions); returns the removed region ids."""
    with engine.begin() as conn:
        for chunk in chunks(list(image_ids)):
            conn.execute(delete(FileRow).where(FileRow.image_id.in_(chunk)))
        return _delete_orphan_images(conn)


def drop_orphan_images(engine: Engine) -> list[int]:
    """Remove images no file holds any more (the end of a finished run); returns their region ids."""
    with engine.begin() as conn:
        return _delete_orphan_images(conn)


def _delete_orphan_images(conn: Connection) -> list[int]:
    orphans = select(ImageRow.id).where(~select(FileRow.id).where(FileRow.image_id == ImageRow.id).exists())
    orphan_ids = list(conn.execute(orphans).scalars())
    region_ids: list[int] = []
    keep_marks(conn, orphan_ids)  # names and examples come back with the same photo
    for chunk in chunks(orphan_ids):
        found = list(conn.execute(select(RegionRow.id).where(RegionRow.image_id.in_(chunk))).scalars())
        region_ids += found
        forget_region_text(conn, found)
        conn.execute(delete(RegionRow).where(RegionRow.image_id.in_(chunk)))
        conn.execute(delete(ImageRow).where(ImageRow.id.in_(chunk)))
    return region_ids


def forget_region_text(conn: Connection, region_ids: Sequence[int]) -> None:
    from sqlalchemy import text

    for chunk in chunks(list(region_ids)):
        conn.execute(
            text("DELETE FROM region_text WHERE region_id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": list(chunk)},
        )


# --- reading ------------------------------------------------------------------------------
