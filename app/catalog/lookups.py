"""Reads for status, search results, the viewer and the gallery: counts (people and taught
names among them), images and regions by id, a path's image, stored vectors, recorded
failures."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from typing import cast as cast_rows

import numpy as np
from sqlalchemy import ColumnElement, Engine, Integer, cast, func, select

from app.catalog.image_tallies import image_tallies
from app.catalog.newest_photos import newest_ids
from app.catalog.records import (
    CatalogCounts,
    ImageInfo,
    KnownFailure,
    RegionInfo,
)
from app.catalog.schema import (
    ConceptRow,
    FacePersonRow,
    FailureRow,
    FileRow,
    ImageRow,
    PersonRow,
    PlaceRow,
    RegionRow,
)
from app.catalog.sql_helpers import chunks, id_set, listed, stoppable_read, taken_or, vectors_by_id
from app.core.dates import plausible_date, within_dates
from app.core.paths import is_content_hash

FAILURE_COLUMNS = (FailureRow.path, FailureRow.size, FailureRow.mtime_ns, FailureRow.reason, FailureRow.kind)


def counts(engine: Engine) -> CatalogCounts:
    tallies = image_tallies(engine)
    with engine.connect() as conn:

        def count(stmt) -> int:  # type: ignore[no-untyped-def]
            return int(conn.execute(stmt).scalar_one())

        with_faces = select(FacePersonRow.person_id).distinct().subquery()
        people = select(PersonRow.hidden, func.count()).join(with_faces, with_faces.c.person_id == PersonRow.id)
        by_hidden = {bool(hidden): n for hidden, n in conn.execute(people.group_by(PersonRow.hidden))}
        return CatalogCounts(
            images=tallies.images,
            files=count(select(func.count()).select_from(FileRow)),
            regions=count(select(func.count()).select_from(RegionRow)),
            vectors=count(select(func.count()).select_from(RegionRow).where(RegionRow.vector.is_not(None))),
            failures=count(select(func.count()).select_from(FailureRow)),
            people=by_hidden.get(False, 0),
            hidden_people=by_hidden.get(True, 0),
            names=count(select(func.count()).select_from(ConceptRow)),
            videos=tallies.videos,
            raw=tallies.raw,
        )


def vector_region_ids(engine: Engine) -> np.ndarray:
    """The ids of every region with a vector, in no particular order (from the partial index
    of them, never the 2 KB rows)."""
    with engine.connect() as conn:
        return id_set(conn, select(RegionRow.id).where(RegionRow.vector.is_not(None)))


def region_vectors(engine: Engine, region_ids: Sequence[int], dim: int) -> np.ndarray:
    """The stored vectors of `region_ids`, in that order, as a float32 matrix."""
    return vectors_by_id(engine, RegionRow.id, RegionRow.vector, region_ids, dim)


def regions(engine: Engine, region_ids: Sequence[int]) -> dict[int, RegionInfo]:
    found: dict[int, RegionInfo] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(region_ids)):
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
                    RegionRow.time,
                ).where(RegionRow.id.in_(chunk))
            )
            for r in rows:
                found[r.id] = RegionInfo(
                    r.id, r.image_id, r.kind, r.label, (r.x0, r.y0, r.x1, r.y1), r.confidence, r.text, r.time
                )
    return found


def images(engine: Engine, image_ids: Sequence[int]) -> dict[int, ImageInfo]:
    found: dict[int, ImageInfo] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(image_ids)):
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
                ImageRow.duration,
                ImageRow.latitude,
                ImageRow.longitude,
                PlaceRow.city,
                PlaceRow.region,
                PlaceRow.country,
                PlaceRow.estimated,
            ).outerjoin(PlaceRow, PlaceRow.image_id == ImageRow.id)
            for r in conn.execute(columns.where(ImageRow.id.in_(chunk))):
                found[r.id] = ImageInfo(
                    r.id,
                    r.content_hash,
                    r.width,
                    r.height,
                    r.byte_size,
                    r.format,
                    plausible_date(r.taken_at),
                    r.camera,
                    paths.get(r.id, []),
                    r.duration,
                    r.latitude,
                    r.longitude,
                    ", ".join(dict.fromkeys(n for n in (r.city, r.region, r.country) if n)) or None,
                    bool(r.estimated),
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
        rows = conn.execute(select(*FAILURE_COLUMNS).order_by(FailureRow.path)).all()
    return [KnownFailure(r.path, r.size, r.mtime_ns, r.reason, r.kind or "file") for r in rows]


def integrity_ok(engine: Engine) -> bool:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("PRAGMA quick_check")).scalar_one() == "ok"


def _first_path_and_time(of: Sequence[int] | None = None) -> tuple[Any, Any]:
    """A subquery of each image's first path and newest file time (of the images `of` only,
    when given), and its time: EXIF date taken, else that file time (seconds)."""
    chosen = select(
        FileRow.image_id, func.min(FileRow.path).label("path"), func.max(FileRow.mtime_ns).label("mtime_ns")
    )
    if of is not None:
        chosen = chosen.where(FileRow.image_id.in_(listed(of)))
    first_path = chosen.group_by(FileRow.image_id).subquery()
    return first_path, taken_or(first_path.c.mtime_ns / 1e9)


def image_times(engine: Engine) -> list[tuple[int, float, str]]:
    """(image_id, time taken, first path) for every image with a file: EXIF date taken, else
    the newest file time, in seconds."""
    first_path, when = _first_path_and_time()
    stmt = select(ImageRow.id, when, first_path.c.path).join(first_path, first_path.c.image_id == ImageRow.id)
    with engine.connect() as conn:
        return [(int(r[0]), within_dates(float(r[1])), str(r[2])) for r in conn.execute(stmt)]


def dates_taken(engine: Engine, month_days: Sequence[str] | None = None) -> list[tuple[int, float, str]]:
    """(image_id, EXIF date taken, first path) of every image with a file and a plausible date
    taken (file times say when a file was copied, not when a photo was taken); with
    `month_days` ("MM-DD", on this computer's calendar as SQLite reckons it), only the images
    taken on one of them, chosen by SQLite (a few rows out of a million)."""
    chosen: ColumnElement[bool] = ImageRow.taken_at.is_not(None)
    if month_days is not None:
        on = func.strftime("%m-%d", ImageRow.taken_at, "unixepoch", "localtime")
        chosen = chosen & on.in_(sorted(month_days))
    first_path = (
        select(FileRow.image_id, func.min(FileRow.path).label("path"))
        .where(FileRow.image_id.in_(select(ImageRow.id).where(chosen)))
        .group_by(FileRow.image_id)
        .subquery()
    )
    stmt = select(ImageRow.id, ImageRow.taken_at, first_path.c.path).join(
        first_path, first_path.c.image_id == ImageRow.id
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [(int(i), float(t), str(p)) for i, t, p in rows if plausible_date(t) is not None]


def first_paths(engine: Engine) -> dict[int, str]:
    """Every image's first path (in path order), by image id, in one query."""
    first_path, _when = _first_path_and_time()
    with engine.connect() as conn:
        return {int(i): str(p) for i, p in conn.execute(select(first_path.c.image_id, first_path.c.path))}


def gallery_rows(
    engine: Engine,
    thumbnails: str,
    order: str = "date",
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[tuple[int, str, str, int]]:
    """(image_id, first path, thumbnail path, day) for every image, for the gallery; `order` is
    date (EXIF date taken, else the file's modification time; newest first) or name. The day
    is that date on this computer's calendar as YYYYMMDD (the timeline's groups), worked out
    by SQLite as Python's `datetime.fromtimestamp` would.

    The thumbnail's path is in `thumbnails`, as `LibraryPaths.thumbnail` lays them out; rows
    whose content hash is not one are left out (a hostile catalog's rows never name files
    outside). The rows come straight off the driver's cursor. Once `stop()` is true the read
    ends with CancelledError (`stoppable_read`)."""
    if limit is not None and order != "date":  # a name order is sorted below
        raise ValueError("only a date order's first rows can be read alone")
    with engine.connect() as conn:
        newest = None if limit is None else newest_ids(conn, limit)  # not a sort of every photo
        first_path, when = _first_path_and_time(newest)
        day = func.coalesce(cast(func.strftime("%Y%m%d", when, "unixepoch", "localtime"), Integer), 0)
        stmt = (
            select(ImageRow.id, first_path.c.path, ImageRow.content_hash, day)
            .join(first_path, first_path.c.image_id == ImageRow.id)
            .order_by(when.desc(), ImageRow.id)
        )
        with stoppable_read(conn, stop):
            result = conn.execute(stmt)
            try:
                found = cast_rows(Iterable[tuple[int, str, str, int]], result.cursor)  # sqlite3's cursor iterates
                rows = [
                    (i, path, f"{thumbnails}/{h[:2]}/{h}.jpg", day) for i, path, h, day in found if is_content_hash(h)
                ]
            finally:
                result.close()
    if order == "name":
        rows.sort(key=lambda r: r[1].rsplit("/", 1)[-1].lower())
    return rows


def regions_of_image(engine: Engine, image_id: int) -> list[RegionInfo]:
    with engine.connect() as conn:
        ids = list(
            conn.execute(select(RegionRow.id).where(RegionRow.image_id == image_id).order_by(RegionRow.id)).scalars()
        )
    found = regions(engine, ids)
    return [found[i] for i in ids if i in found]


def all_paths(engine: Engine) -> list[str]:
    """Every path the library holds."""
    with engine.connect() as conn:
        return list(conn.execute(select(FileRow.path)).scalars())
