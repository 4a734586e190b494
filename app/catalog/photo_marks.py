"""Favourites, stars (0-5) and rejects, kept by a photo's content (as albums are)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.catalog.albums import image_hashes
from app.catalog.schema import FileRow, ImageRow, PhotoMarkRow
from app.catalog.sql_helpers import chunks
from app.core.errors import UserError

MOST_STARS = 5


@dataclass(frozen=True)
class PhotoMarks:
    favourite: bool = False
    stars: int = 0
    rejected: bool = False

    @property
    def packed(self) -> int:
        """As one small int (a gallery row is a plain tuple): stars, then favourite, then reject bits."""
        return self.stars | (8 if self.favourite else 0) | (16 if self.rejected else 0)

    @classmethod
    def unpacked(cls, packed: int) -> PhotoMarks:
        return cls(bool(packed & 8), packed & 7, bool(packed & 16))


def checked_stars(stars: int) -> int:
    if not isinstance(stars, int) or isinstance(stars, bool) or not 0 <= stars <= MOST_STARS:
        raise UserError(f"stars go from 0 to {MOST_STARS} (0 takes them away), not {stars!r}")
    return stars


def set_marks(engine: Engine, image_ids: Sequence[int], **values: int) -> int:
    """Set `favourite`, `stars` or `rejected` on photos; returns how many photos."""
    allowed = {"favourite", "stars", "rejected"}
    assert values and set(values) <= allowed, values
    if "stars" in values:
        checked_stars(values["stars"])
    with engine.begin() as conn:
        hashes = list(dict.fromkeys(image_hashes(conn, image_ids).values()))
        now = time.time()
        for chunk in chunks(hashes):
            statement = sqlite_insert(PhotoMarkRow).values(
                [{"content_hash": h, "changed_at": now, **{k: int(v) for k, v in values.items()}} for h in chunk]
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[PhotoMarkRow.content_hash],
                    set_={**{k: statement.excluded[k] for k in values}, "changed_at": now},
                )
            )
    return len(hashes)


def marks_of(engine: Engine, image_ids: Sequence[int]) -> dict[int, PhotoMarks]:
    """The marks of these photos (those with none are left out)."""
    found: dict[int, PhotoMarks] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(image_ids)):
            stmt = (
                select(ImageRow.id, PhotoMarkRow.favourite, PhotoMarkRow.stars, PhotoMarkRow.rejected)
                .join(PhotoMarkRow, PhotoMarkRow.content_hash == ImageRow.content_hash)
                .where(ImageRow.id.in_(chunk))
            )
            for image_id, favourite, stars, rejected in conn.execute(stmt):
                found[image_id] = PhotoMarks(bool(favourite), int(stars), bool(rejected))
    return found


def all_marks(engine: Engine) -> dict[int, PhotoMarks]:
    """Every marked photo of the library, by image id (the gallery's badges: one query)."""
    stmt = (
        select(ImageRow.id, PhotoMarkRow.favourite, PhotoMarkRow.stars, PhotoMarkRow.rejected)
        .join(PhotoMarkRow, PhotoMarkRow.content_hash == ImageRow.content_hash)
        .where(ImageRow.id.in_(select(FileRow.image_id)))
    )
    with engine.connect() as conn:
        return {
            image_id: PhotoMarks(bool(favourite), int(stars), bool(rejected))
            for image_id, favourite, stars, rejected in conn.execute(stmt)
            if favourite or stars or rejected
        }


def images_marked(
    engine: Engine, min_stars: int | None = None, favourites: bool = False, rejected: bool = False
) -> frozenset[int]:
    """Photos with at least `min_stars`, that are favourites, or rejected (all that are asked)."""
    stmt = select(ImageRow.id).join(PhotoMarkRow, PhotoMarkRow.content_hash == ImageRow.content_hash)
    if min_stars is not None:
        stmt = stmt.where(PhotoMarkRow.stars >= checked_stars(min_stars))
    if favourites:
        stmt = stmt.where(PhotoMarkRow.favourite != 0)
    if rejected:
        stmt = stmt.where(PhotoMarkRow.rejected != 0)
    with engine.connect() as conn:
        return frozenset(conn.execute(stmt).scalars())
