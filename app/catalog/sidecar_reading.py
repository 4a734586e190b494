"""Sidecars another app changed after this library read them: their stars, favourite or reject
count again when newer than the decision here, their tags add, and named faces wait for People
(`xmp_faces`). Which sidecar was read when is kept in `sidecars.seen_ns`."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.catalog.schema import FileRow, ImageRow, PhotoMarkRow, RegionRow, SidecarRow, XmpFaceRow
from app.catalog.sql_helpers import path_under
from app.catalog.xmp_decisions import take_xmp_decisions
from app.core.xmp_read import XmpFacts


def seen_under(engine: Engine, roots: Sequence[str]) -> dict[str, tuple[str, int | None]]:
    """photo path -> (its content hash, the mtime of its sidecar when last read) under `roots`."""
    stmt = (
        select(FileRow.path, ImageRow.content_hash, SidecarRow.seen_ns)
        .join(ImageRow, ImageRow.id == FileRow.image_id)
        .outerjoin(SidecarRow, SidecarRow.path == FileRow.path)
        .where(path_under(FileRow.path, roots))
    )
    with engine.connect() as conn:
        return {p: (h, s) for p, h, s in conn.execute(stmt)}


def take_changed(engine: Engine, path: str, content_hash: str, xmp: XmpFacts, sidecar_ns: int) -> None:
    """Another app's newer word on a photo, in one transaction."""
    now = time.time()
    with engine.begin() as conn:
        mark = conn.execute(select(PhotoMarkRow.changed_at).where(PhotoMarkRow.content_hash == content_hash)).first()
        if mark is not None and mark[0] < sidecar_ns / 1e9 and (xmp.rating is not None or xmp.pick is not None):
            rejected = int((xmp.rating or 0) < 0 or xmp.pick == 1)
            values = {"stars": max(0, xmp.rating or 0), "rejected": rejected, "favourite": int(xmp.pick == 3)}
            conn.execute(
                update(PhotoMarkRow).where(PhotoMarkRow.content_hash == content_hash).values(**values, changed_at=now)
            )
        known = set(conn.execute(select(XmpFaceRow.name).where(XmpFaceRow.content_hash == content_hash)).scalars())
        fresh = XmpFacts(
            xmp.rating, xmp.pick, xmp.tags, xmp.label, None, tuple(f for f in xmp.faces if f.name not in known)
        )
        take_xmp_decisions(conn, [(content_hash, fresh)])  # stars where none yet, tags, named faces
        if xmp.description:
            _describe(conn, content_hash, xmp.description)
        values_seen = {"seen_ns": sidecar_ns, "changed_at": now}
        statement = sqlite_insert(SidecarRow).values(path=path, state="seen", **values_seen)
        conn.execute(statement.on_conflict_do_update(index_elements=[SidecarRow.path], set_=values_seen))


def mark_seen(engine: Engine, seen: Sequence[tuple[str, int]]) -> None:
    """Sidecars read (or written) as they are now: not read again until they change."""
    if not seen:
        return
    now = time.time()
    with engine.begin() as conn:
        for path, ns in seen:
            statement = sqlite_insert(SidecarRow).values(path=path, state="seen", seen_ns=ns, changed_at=now)
            conn.execute(statement.on_conflict_do_update(index_elements=[SidecarRow.path], set_={"seen_ns": ns}))


def _describe(conn: Connection, content_hash: str, description: str) -> None:
    """The photo's description (its whole-image region's text), found by its words."""
    whole = (
        select(RegionRow.id)
        .join(ImageRow, ImageRow.id == RegionRow.image_id)
        .where(ImageRow.content_hash == content_hash, RegionRow.kind == "image")
    )
    for region_id in conn.execute(whole).scalars().all():
        conn.execute(update(RegionRow).where(RegionRow.id == region_id).values(text=description))
        conn.execute(text("DELETE FROM region_text WHERE region_id = :r"), {"r": region_id})
        conn.execute(
            text("INSERT INTO region_text(text, region_id) VALUES (:t, :r)"), {"t": description, "r": region_id}
        )
