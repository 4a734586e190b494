"""Repository functions over the catalog: each opens one short transaction.

Writers are serialised by the library's lock file; readers may run at any time (WAL).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Engine, Text, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.path_text import encode_path
from app.catalog.records import (
    CatalogCounts,
    FileLink,
    ImageInfo,
    KnownFailure,
    KnownFile,
    NewImage,
    RegionInfo,
)
from app.catalog.schema import FailureRow, FileRow, ImageRow, Meta, RegionRow

_CHUNK = 500  # stay far below SQLite's limit on bound parameters


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def path_under(column: ColumnElement[str] | QueryableAttribute[str], roots: Sequence[str]) -> ColumnElement[bool]:
    """Paths equal to or below any of `roots` (no LIKE, so '%' and '_' in names are safe).
    `column` is a `PathText` column: the prefix is compared in its stored (encoded) form."""
    from sqlalchemy import false, literal, or_

    if not roots:
        return false()
    clauses = []
    for root in roots:
        prefix = encode_path(root.rstrip("/") + "/")
        clauses.append(func.substr(column, 1, len(prefix)) == literal(prefix, Text))
        clauses.append(column == root)
    return or_(*clauses)


# --- meta ---------------------------------------------------------------------------------


def get_meta(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Meta.value).where(Meta.key == key)).scalar_one_or_none()


def set_meta(engine: Engine, key: str, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(Meta).where(Meta.key == key))
        conn.execute(insert(Meta).values(key=key, value=value))


def delete_meta(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(Meta).where(Meta.key == key))


# --- what is known under some folders ---------------------------------------------------------


def files_under(engine: Engine, roots: Sequence[str]) -> dict[str, KnownFile]:
    stmt = select(FileRow.id, FileRow.path, FileRow.size, FileRow.mtime_ns, FileRow.image_id, FileRow.ctime_ns)
    with engine.connect() as conn:
        rows = conn.execute(stmt.where(path_under(FileRow.path, roots))).all()
    return {r.path: KnownFile(r.id, r.path, r.size, r.mtime_ns, r.image_id, r.ctime_ns) for r in rows}


_FAILURE_COLUMNS = (FailureRow.path, FailureRow.size, FailureRow.mtime_ns, FailureRow.reason, FailureRow.kind)


def failures_under(engine: Engine, roots: Sequence[str]) -> dict[str, KnownFailure]:
    with engine.connect() as conn:
        rows = conn.execute(select(*_FAILURE_COLUMNS).where(path_under(FailureRow.path, roots))).all()
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


def _upsert_file(conn, path: str, size: int, mtime_ns: int, ctime_ns: int | None, image_id: int) -> None:  # type: ignore[no-untyped-def]
    values = dict(size=size, mtime_ns=mtime_ns, ctime_ns=ctime_ns, image_id=image_id)
    updated = conn.execute(update(FileRow).where(FileRow.path == path).values(**values)).rowcount
    if not updated:
        conn.execute(insert(FileRow).values(path=path, folder=_folder(path), **values))


def _forget_failures(conn, paths: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
    for chunk in _chunks(list(paths)):
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
        for chunk in _chunks(list(failures)):
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
        for chunk in _chunks([f.path for f in failures if not f.retry]):
            conn.execute(delete(FileRow).where(FileRow.path.in_(chunk)))


def remove_paths(engine: Engine, paths: Sequence[str]) -> list[int]:
    """Forget files (and failures) at `paths`; drop images left with no file.

    Returns the ids of the regions whose vectors must leave the vector index.
    """
    with engine.begin() as conn:
        for chunk in _chunks(list(paths)):
            conn.execute(delete(FileRow).where(FileRow.path.in_(chunk)))
            conn.execute(delete(FailureRow).where(FailureRow.path.in_(chunk)))
        return _delete_orphan_images(conn)


def remove_images(engine: Engine, image_ids: Sequence[int]) -> list[int]:
    """Forget images (with all their files and regions); returns the removed region ids."""
    with engine.begin() as conn:
        for chunk in _chunks(list(image_ids)):
            conn.execute(delete(FileRow).where(FileRow.image_id.in_(chunk)))
        return _delete_orphan_images(conn)


def drop_orphan_images(engine: Engine) -> list[int]:
    """Remove images no file holds any more (the end of a finished run); returns their region ids."""
    with engine.begin() as conn:
        return _delete_orphan_images(conn)


def _delete_orphan_images(conn) -> list[int]:  # type: ignore[no-untyped-def]
    orphans = select(ImageRow.id).where(~select(FileRow.id).where(FileRow.image_id == ImageRow.id).exists())
    orphan_ids = list(conn.execute(orphans).scalars())
    region_ids: list[int] = []
    for chunk in _chunks(orphan_ids):
        found = list(conn.execute(select(RegionRow.id).where(RegionRow.image_id.in_(chunk))).scalars())
        region_ids += found
        _forget_region_text(conn, found)
        conn.execute(delete(RegionRow).where(RegionRow.image_id.in_(chunk)))
        conn.execute(delete(ImageRow).where(ImageRow.id.in_(chunk)))
    return region_ids


def _forget_region_text(conn, region_ids: Sequence[int]) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    for chunk in _chunks(list(region_ids)):
        conn.execute(
            text("DELETE FROM region_text WHERE region_id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": list(chunk)},
        )


# --- reading ------------------------------------------------------------------------------


def counts(engine: Engine) -> CatalogCounts:
    with engine.connect() as conn:

        def count(stmt) -> int:  # type: ignore[no-untyped-def]
            return int(conn.execute(stmt).scalar_one())

        return CatalogCounts(
            images=count(select(func.count()).select_from(ImageRow)),
            files=count(select(func.count()).select_from(FileRow)),
            regions=count(select(func.count()).select_from(RegionRow)),
            vectors=count(select(func.count()).select_from(RegionRow).where(RegionRow.vector.is_not(None))),
            failures=count(select(func.count()).select_from(FailureRow)),
        )


def vector_region_ids(engine: Engine) -> np.ndarray:
    with engine.connect() as conn:
        ids = conn.execute(select(RegionRow.id).where(RegionRow.vector.is_not(None))).scalars().all()
    return np.asarray(ids, dtype=np.int64)


def region_vectors(engine: Engine, region_ids: Sequence[int], dim: int) -> np.ndarray:
    """The stored vectors of `region_ids`, in that order, as a float32 matrix."""
    out = np.empty((len(region_ids), dim), dtype=np.float32)
    position = {rid: i for i, rid in enumerate(region_ids)}
    with engine.connect() as conn:
        for chunk in _chunks(list(region_ids)):
            rows = conn.execute(select(RegionRow.id, RegionRow.vector).where(RegionRow.id.in_(chunk)))
            for rid, blob in rows:
                if blob is not None:
                    out[position[rid]] = np.frombuffer(blob, dtype=np.float32)
    return out


def regions(engine: Engine, region_ids: Sequence[int]) -> dict[int, RegionInfo]:
    found: dict[int, RegionInfo] = {}
    with engine.connect() as conn:
        for chunk in _chunks(list(region_ids)):
            rows = conn.execute(
                select(
                    RegionRow.id,
                    RegionRow.image_id,
                    RegionRow.kind,
                    RegionRow.label,
                    RegionRow.x0,
                    RegionRow.y0,
                    RegionRow.x1,
                    RegionRow.y1,
                    RegionRow.confidence,
                    RegionRow.text,
                ).where(RegionRow.id.in_(chunk))
            )
            for r in rows:
                found[r.id] = RegionInfo(
                    r.id, r.image_id, r.kind, r.label, (r.x0, r.y0, r.x1, r.y1), r.confidence, r.text
                )
    return found


def images(engine: Engine, image_ids: Sequence[int]) -> dict[int, ImageInfo]:
    found: dict[int, ImageInfo] = {}
    with engine.connect() as conn:
        for chunk in _chunks(list(image_ids)):
            paths: dict[int, list[str]] = {}
            for image_id, path in conn.execute(
                select(FileRow.image_id, FileRow.path).where(FileRow.image_id.in_(chunk)).order_by(FileRow.path)
            ):
                paths.setdefault(image_id, []).append(path)
            columns = select(
                ImageRow.id,
                ImageRow.content_hash,
                ImageRow.width,
                ImageRow.height,
                ImageRow.byte_size,
                ImageRow.format,
                ImageRow.taken_at,
                ImageRow.camera,
            )
            for r in conn.execute(columns.where(ImageRow.id.in_(chunk))):
                found[r.id] = ImageInfo(
                    r.id,
                    r.content_hash,
                    r.width,
                    r.height,
                    r.byte_size,
                    r.format,
                    r.taken_at,
                    r.camera,
                    paths.get(r.id, []),
                )
    return found


def image_id_for_path(engine: Engine, path: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(FileRow.image_id).where(FileRow.path == path)).scalar_one_or_none()


def image_region_ids(engine: Engine, image_id: int, kind: str = "image") -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(RegionRow.id).where(RegionRow.image_id == image_id, RegionRow.kind == kind)).scalars()
        )


def failures(engine: Engine) -> list[KnownFailure]:
    with engine.connect() as conn:
        rows = conn.execute(select(*_FAILURE_COLUMNS).order_by(FailureRow.path)).all()
    return [KnownFailure(r.path, r.size, r.mtime_ns, r.reason, r.kind or "file") for r in rows]


def integrity_ok(engine: Engine) -> bool:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("PRAGMA quick_check")).scalar_one() == "ok"


def gallery_rows(engine: Engine, order: str = "date") -> list[tuple[int, str, str, float]]:
    """(image_id, first path, content hash, date) for every image, for the gallery.

    Date is EXIF date taken, else the file's modification time; `order` is date (newest
    first) or name.
    """
    first_path = (
        select(FileRow.image_id, func.min(FileRow.path).label("path"), func.max(FileRow.mtime_ns).label("mtime_ns"))
        .group_by(FileRow.image_id)
        .subquery()
    )
    stmt = select(ImageRow.id, first_path.c.path, ImageRow.content_hash, ImageRow.taken_at, first_path.c.mtime_ns).join(
        first_path, first_path.c.image_id == ImageRow.id
    )
    with engine.connect() as conn:
        rows = [(r[0], r[1], r[2], r[3] if r[3] is not None else r[4] / 1e9) for r in conn.execute(stmt)]
    if order == "name":
        rows.sort(key=lambda r: r[1].rsplit("/", 1)[-1].lower())
    else:
        rows.sort(key=lambda r: -r[3])
    return rows


def regions_of_image(engine: Engine, image_id: int) -> list[RegionInfo]:
    with engine.connect() as conn:
        ids = list(
            conn.execute(select(RegionRow.id).where(RegionRow.image_id == image_id).order_by(RegionRow.id)).scalars()
        )
    found = regions(engine, ids)
    return [found[i] for i in ids if i in found]
