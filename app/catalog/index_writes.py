"""What an indexing run reads and writes in the catalog, each in one short transaction: the
files known under its roots, new images with their files and whole-image vectors, copies and
moves linked to known images, and files that could not be read.

Writers are serialised by the library's lock file; readers may run at any time (WAL)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.catalog.decision_carry import carry_over, edited_in_place
from app.catalog.lookups import FAILURE_COLUMNS
from app.catalog.records import (
    FileLink,
    ImageFacts,
    KnownFailure,
    KnownFile,
    NewImage,
)
from app.catalog.schema import FailureRow, FileRow, ImageRow, RegionRow
from app.catalog.sql_helpers import chunks, path_under
from app.catalog.xmp_decisions import take_xmp_decisions


def files_under(engine: Engine, roots: Sequence[str]) -> dict[str, KnownFile]:
    stmt = select(FileRow.id, FileRow.path, FileRow.size, FileRow.mtime_ns, FileRow.image_id, FileRow.ctime_ns)
    with engine.connect() as conn:
        rows = conn.execute(stmt.where(path_under(FileRow.path, roots))).all()
    return {r.path: KnownFile(r.id, r.path, r.size, r.mtime_ns, r.image_id, r.ctime_ns) for r in rows}


def failures_under(engine: Engine, roots: Sequence[str]) -> dict[str, KnownFailure]:
    with engine.connect() as conn:
        rows = conn.execute(select(*FAILURE_COLUMNS).where(path_under(FailureRow.path, roots))).all()
    return {r.path: KnownFailure(r.path, r.size, r.mtime_ns, r.reason, r.kind or "file") for r in rows}


def all_image_hashes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {h: i for h, i in conn.execute(select(ImageRow.content_hash, ImageRow.id))}


# --- writing ------------------------------------------------------------------------------


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def add_embedded_images(engine: Engine, images: Sequence[NewImage]) -> tuple[list[tuple[int, int]], dict[str, int]]:
    """Insert images, their files and whole-image regions with vectors in one transaction.

    Returns (region_id, position in `images`) for each vector written and the image id of
    every hash in the batch. An image whose hash arrived twice in the batch (two copies) is
    stored once, with both files. An image a path held before keeps its row and regions even
    when it has no file left: a move may still link it later in the run (`drop_orphan_images`
    ends a run). Each table gets one statement for the batch (a GPU commits hundreds of
    photos a second).
    """
    now = time.time()
    with engine.begin() as conn:
        by_hash = _image_ids(conn, list(dict.fromkeys(img.facts.content_hash for img in images)))
        first: dict[str, int] = {}  # new content: the position it first comes at
        for position, img in enumerate(images):
            if img.facts.content_hash not in by_hash:
                first.setdefault(img.facts.content_hash, position)
        new = list(first.values())
        written: list[tuple[int, int]] = []
        if new:
            image_ids = _inserted(
                conn,
                insert(ImageRow).returning(ImageRow.id, sort_by_parameter_order=True),
                [_image_values(images[p].facts, now) for p in new],
            )
            by_hash.update((images[p].facts.content_hash, i) for p, i in zip(new, image_ids, strict=True))
            region_ids = _inserted(
                conn,
                insert(RegionRow).returning(RegionRow.id, sort_by_parameter_order=True),
                [
                    {"image_id": i, "kind": "image", "vector": images[p].vector, "text": _description(images[p].facts)}
                    for p, i in zip(new, image_ids, strict=True)
                ],
            )
            written = list(zip(region_ids, new, strict=True))
            described = [(r, _description(images[p].facts)) for r, p in written if _description(images[p].facts)]
            for region_id, said in described:  # another app's description: found by its words
                conn.execute(
                    text("INSERT INTO region_text(text, region_id) VALUES (:t, :r)"), {"t": said, "r": region_id}
                )
        files = [
            FileLink(img.path, img.size, img.mtime_ns, img.ctime_ns, by_hash[img.facts.content_hash], None)
            for img in images
        ]
        _upsert_files(conn, files)  # an edit carries this library's decisions over first
        decided = [(images[p].facts.content_hash, images[p].facts.xmp) for p in new if images[p].facts.xmp]
        take_xmp_decisions(conn, [(h, x) for h, x in decided if x is not None])
        _forget_failures(conn, [img.path for img in images])
    return written, by_hash


def _image_ids(conn: Connection, hashes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(hashes):
        rows = conn.execute(select(ImageRow.content_hash, ImageRow.id).where(ImageRow.content_hash.in_(chunk)))
        found.update((content_hash, image_id) for content_hash, image_id in rows)
    return found


def _description(facts: ImageFacts) -> str | None:
    return facts.xmp.description if facts.xmp is not None else None


def _image_values(facts: ImageFacts, now: float) -> dict[str, object]:
    return {
        "content_hash": facts.content_hash,
        "byte_size": facts.byte_size,
        "width": facts.width,
        "height": facts.height,
        "format": facts.format,
        "taken_at": facts.taken_at,
        "camera": facts.camera,
        "duration": facts.duration,
        "latitude": facts.place.latitude if facts.place is not None else None,
        "longitude": facts.place.longitude if facts.place is not None else None,
        "altitude": facts.place.altitude if facts.place is not None else None,
        "gps_read": 1,
        "added_at": now,
    }


def _inserted(conn: Connection, statement: Any, rows: list[dict[str, object]]) -> list[int]:
    """The ids of rows inserted in one statement, in the order given."""
    return [int(i) for i in conn.execute(statement, rows).scalars()]


def _upsert_files(conn: Connection, links: Sequence[FileLink]) -> None:
    """Each path now holds its image: a known path keeps its row (and id), a new one gets one."""
    if not links:
        return
    carry_over(conn, edited_in_place(conn, {link.path: link.image_id for link in links}))
    statement = sqlite_insert(FileRow)
    statement = statement.on_conflict_do_update(
        index_elements=[FileRow.path],
        set_={c: statement.excluded[c] for c in ("size", "mtime_ns", "ctime_ns", "image_id")},
    )
    conn.execute(
        statement,
        [
            {
                "path": link.path,
                "folder": _folder(link.path),
                "size": link.size,
                "mtime_ns": link.mtime_ns,
                "ctime_ns": link.ctime_ns,
                "image_id": link.image_id,
            }
            for link in links
        ],
    )


def _forget_failures(conn: Connection, paths: Sequence[str]) -> None:
    for chunk in chunks(list(paths)):
        conn.execute(delete(FailureRow).where(FailureRow.path.in_(chunk)))


def forget_failures(engine: Engine, paths: Sequence[str]) -> None:
    with engine.begin() as conn:
        _forget_failures(conn, paths)


def link_files(engine: Engine, links: Sequence[FileLink]) -> None:
    """Point paths at images already in the catalog; a move renames the old file row. Images
    left with no file stay until `drop_orphan_images` (a later link may be their move)."""
    with engine.begin() as conn:
        for link in links:
            if link.replaces_path is not None:
                conn.execute(delete(FileRow).where(FileRow.path == link.path))
                conn.execute(
                    update(FileRow)
                    .where(FileRow.path == link.replaces_path)
                    .values(
                        path=link.path,
                        folder=_folder(link.path),
                        size=link.size,
                        mtime_ns=link.mtime_ns,
                        ctime_ns=link.ctime_ns,
                        image_id=link.image_id,
                    )
                )
        _upsert_files(conn, [link for link in links if link.replaces_path is None])
        _forget_failures(conn, [link.path for link in links])


def set_change_times(engine: Engine, times: Sequence[tuple[int, int]]) -> None:
    """Record (file id, ctime_ns) for files recorded before change times were kept."""
    if times:
        with engine.begin() as conn:
            conn.execute(
                update(FileRow).where(FileRow.id == bindparam("fid")).values(ctime_ns=bindparam("ct")),
                [{"fid": fid, "ct": ct} for fid, ct in times],
            )


def record_failures(engine: Engine, failures: Sequence[KnownFailure]) -> None:
    """Record why paths could not be indexed. A bad file no longer holds the image it used to
    (its row goes; the image waits for `drop_orphan_images`); one the environment kept us from
    reading keeps its row and photo until a run can read it."""
    now = time.time()
    with engine.begin() as conn:
        for chunk in chunks(list(failures)):
            conn.execute(delete(FailureRow).where(FailureRow.path.in_([f.path for f in chunk])))
            conn.execute(
                insert(FailureRow),
                [
                    dict(
                        path=f.path,
                        folder=_folder(f.path),
                        size=f.size,
                        mtime_ns=f.mtime_ns,
                        reason=f.reason,
                        kind=f.kind,
                        at=now,
                    )
                    for f in chunk
                ],
            )
        for chunk in chunks([f.path for f in failures if not f.retry]):
            conn.execute(delete(FileRow).where(FileRow.path.in_(chunk)))
