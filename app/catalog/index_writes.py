"""What an indexing run reads and writes in the catalog, each in one short transaction: the
files known under its roots, new images with their files and whole-image vectors, copies and
moves linked to known images, and files that could not be read.

Writers are serialised by the library's lock file; readers may run at any time (WAL)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from app.catalog.lookups import FAILURE_COLUMNS
from app.catalog.records import (
    FileLink,
    KnownFailure,
    KnownFile,
    NewImage,
)
from app.catalog.schema import FailureRow, FileRow, ImageRow, RegionRow
from app.catalog.sql_helpers import chunks, path_under


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
    ends a run).
    """
    now = time.time()
    written: list[tuple[int, int]] = []
    with engine.begin() as conn:
        by_hash: dict[str, int] = {}
        for position, img in enumerate(images):
            image_id = by_hash.get(img.facts.content_hash)
            if image_id is None:
                image_id = conn.execute(
                    select(ImageRow.id).where(ImageRow.content_hash == img.facts.content_hash)
                ).scalar_one_or_none()
            if image_id is None:
                image_id = conn.execute(
                    insert(ImageRow)
                    .values(
                        content_hash=img.facts.content_hash,
                        byte_size=img.facts.byte_size,
                        width=img.facts.width,
                        height=img.facts.height,
                        format=img.facts.format,
                        taken_at=img.facts.taken_at,
                        camera=img.facts.camera,
                        added_at=now,
                    )
                    .returning(ImageRow.id)
                ).scalar_one()
                region_id = conn.execute(
                    insert(RegionRow).values(image_id=image_id, kind="image", vector=img.vector).returning(RegionRow.id)
                ).scalar_one()
                written.append((region_id, position))
            by_hash[img.facts.content_hash] = image_id
            _upsert_file(conn, img.path, img.size, img.mtime_ns, img.ctime_ns, image_id)
        _forget_failures(conn, [img.path for img in images])
    return written, by_hash


def _upsert_file(conn: Connection, path: str, size: int, mtime_ns: int, ctime_ns: int | None, image_id: int) -> None:
    values = dict(size=size, mtime_ns=mtime_ns, ctime_ns=ctime_ns, image_id=image_id)
    updated = conn.execute(update(FileRow).where(FileRow.path == path).values(**values)).rowcount
    if not updated:
        conn.execute(insert(FileRow).values(path=path, folder=_folder(path), **values))


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
            else:
                _upsert_file(conn, link.path, link.size, link.mtime_ns, link.ctime_ns, link.image_id)
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
