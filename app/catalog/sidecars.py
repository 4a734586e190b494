"""The catalog's side of XMP sidecars: what a photo's sidecar should say (its stars, favourite,
reject, tags, and the people named on its faces), which sidecars wait to be written, and how
each write went."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.catalog.schema import (
    FacePersonRow,
    FileRow,
    ImageRow,
    PersonRow,
    PhotoMarkRow,
    PhotoTagRow,
    RegionRow,
    SidecarRow,
    TagRow,
)
from app.catalog.sql_helpers import chunks
from app.core.xmp_read import FaceRegion
from app.core.xmp_write import Decisions


def decisions_of(engine: Engine, image_ids: Sequence[int]) -> dict[int, Decisions]:
    found: dict[int, Decisions] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(dict.fromkeys(image_ids))):
            images = conn.execute(
                select(ImageRow.id, ImageRow.content_hash, ImageRow.width, ImageRow.height).where(
                    ImageRow.id.in_(chunk)
                )
            ).all()
            hashes = {h: i for i, h, _w, _h in images}
            marks = {
                h: (stars, fav, rej)
                for h, stars, fav, rej in conn.execute(
                    select(
                        PhotoMarkRow.content_hash, PhotoMarkRow.stars, PhotoMarkRow.favourite, PhotoMarkRow.rejected
                    ).where(PhotoMarkRow.content_hash.in_(list(hashes)))
                )
            }
            tags: dict[str, list[str]] = {}
            tagged = (
                select(PhotoTagRow.content_hash, TagRow.name)
                .join(TagRow, TagRow.id == PhotoTagRow.tag_id)
                .where(PhotoTagRow.content_hash.in_(list(hashes)))
            )
            for content_hash, name in conn.execute(tagged):
                tags.setdefault(content_hash, []).append(name)
            faces: dict[int, list[FaceRegion]] = {}
            named = (
                select(RegionRow.image_id, PersonRow.name, RegionRow.x0, RegionRow.y0, RegionRow.x1, RegionRow.y1)
                .join(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
                .join(PersonRow, PersonRow.id == FacePersonRow.person_id)
                .where(RegionRow.image_id.in_(chunk), PersonRow.name.is_not(None), RegionRow.kind == "face")
            )
            for image_id, person, x0, y0, x1, y1 in conn.execute(named):
                faces.setdefault(image_id, []).append(FaceRegion(str(person), (x0, y0, x1, y1)))
            for image_id, content_hash, width, height in images:
                stars, favourite, rejected = marks.get(content_hash, (0, 0, 0))
                found[image_id] = Decisions(
                    stars,
                    bool(favourite),
                    bool(rejected),
                    tuple(sorted(tags.get(content_hash, []), key=str.casefold)),
                    tuple(faces.get(image_id, [])),
                    (width, height),
                )
    return found


def files_of(engine: Engine, image_ids: Sequence[int]) -> list[tuple[str, int]]:
    """(path, image id) of every file of these photos."""
    with engine.connect() as conn:
        rows: list[tuple[str, int]] = []
        for chunk in chunks(list(image_ids)):
            rows += [
                (p, i)
                for p, i in conn.execute(select(FileRow.path, FileRow.image_id).where(FileRow.image_id.in_(chunk)))
            ]
    return rows


def mark_pending(engine: Engine, paths: Sequence[str]) -> None:
    if not paths:
        return
    now = time.time()
    with engine.begin() as conn:
        statement = sqlite_insert(SidecarRow)
        statement = statement.on_conflict_do_update(
            index_elements=[SidecarRow.path], set_={"state": "pending", "message": None, "changed_at": now}
        )
        conn.execute(statement, [{"path": p, "state": "pending", "changed_at": now} for p in paths])


def pending(engine: Engine) -> list[tuple[str, int]]:
    """(path, image id) of the sidecars waiting to be written, of files still in the library."""
    stmt = select(SidecarRow.path, FileRow.image_id).join(FileRow, FileRow.path == SidecarRow.path)
    with engine.connect() as conn:
        return [(p, i) for p, i in conn.execute(stmt.where(SidecarRow.state == "pending").order_by(SidecarRow.path))]


def record(engine: Engine, path: str, state: str, sidecar: str | None, digest: str | None, message: str | None) -> None:
    values = {"state": state, "sidecar": sidecar, "digest": digest, "message": message, "changed_at": time.time()}
    with engine.begin() as conn:
        statement = sqlite_insert(SidecarRow).values(path=path, **values)
        conn.execute(statement.on_conflict_do_update(index_elements=[SidecarRow.path], set_=values))


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(SidecarRow.state, func.count()).group_by(SidecarRow.state)).all()
    return {state: int(n) for state, n in rows}


def problems(engine: Engine, most: int = 20) -> list[tuple[str, str, str]]:
    """(photo path, state, why) of sidecars not written, the newest first."""
    stmt = (
        select(SidecarRow.path, SidecarRow.state, SidecarRow.message)
        .where(SidecarRow.state != "written")
        .order_by(SidecarRow.changed_at.desc())
        .limit(most)
    )
    with engine.connect() as conn:
        return [(p, s, m or "") for p, s, m in conn.execute(stmt)]
