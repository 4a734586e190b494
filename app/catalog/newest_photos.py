"""The newest photos of a library, found without sorting all of them: the gallery's first page.

A photo's date is when it was taken where that is a plausible date, else its newest file's
modification time (`sql_helpers.taken_or`); sorting a million photos by that expression took
0.74 s here. Instead, the newest dated photos come from a walk down the index on the date taken;
the undated ones (scans, screenshots, clocks set wrong) from a bounded walk down the index on
file times, or, where that walk cannot settle which are newest (few undated photos among many
recent files), from each undated photo's own files. The newest of both are the newest of all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, exists, select

from app.catalog.schema import FileRow, ImageRow
from app.catalog.sql_helpers import listed, newest_file_time, plausibly_taken, undated
from app.core.dates import latest_plausible

FILES_PER_PHOTO = 20  # file rows walked per photo wanted before the undated are read one by one

Newest = list[tuple[float, int]]  # (date in seconds, image id)


def newest_ids(conn: Connection, limit: int) -> list[int]:
    """The ids of the `limit` newest images that have a file, newest first (the same date, the
    lower id first): the first rows of the gallery's date order."""
    latest = latest_plausible()
    taken = ImageRow.taken_at
    has_file = exists().where(FileRow.image_id == ImageRow.id)
    dated_stmt = (
        select(taken, ImageRow.id)
        .where(plausibly_taken(latest), has_file)
        .order_by(taken.desc(), ImageRow.id)
        .limit(limit)
    )
    dated = [(float(when), int(i)) for when, i in conn.execute(dated_stmt) if when is not None]
    older = dated[-1][0] if len(dated) == limit else None  # nothing older is among the newest
    without_date = undated(latest)
    found = _walked(conn, limit, without_date, older)
    if found is None:
        found = _one_by_one(conn, limit, without_date)
    return [i for _when, i in sorted(dated + found, key=lambda row: (-row[0], row[1]))[:limit]]


def _walked(conn: Connection, limit: int, undated: ColumnElement[bool], older: float | None) -> Newest | None:
    """The newest undated images from the newest file rows (down to `older`, a date no newer
    image can be under), or None where the walk ended before it could tell."""
    walk = limit * FILES_PER_PHOTO
    stmt = select(FileRow.image_id, FileRow.mtime_ns).order_by(FileRow.mtime_ns.desc()).limit(walk)
    if older is not None:
        stmt = stmt.where(FileRow.mtime_ns >= math.floor(older * 1e9) - 1_000)  # seconds x 1e9: not exact
    rows = conn.execute(stmt).all()
    newest: dict[int, int] = {}
    for image_id, mtime_ns in rows:  # newest first: an image's first row is its newest file
        newest.setdefault(int(image_id), int(mtime_ns))
    ended = len(rows) == walk  # files older than the last row were not read
    last = int(rows[-1][1]) if rows else 0
    among = _among(conn, newest, undated)
    kept = [(m / 1e9, i) for i, m in newest.items() if i in among and not (ended and m <= last)]
    return kept if not ended or len(kept) >= limit else None


def _among(conn: Connection, ids: Iterable[int], chosen: ColumnElement[bool]) -> set[int]:
    return set(conn.execute(select(ImageRow.id).where(ImageRow.id.in_(listed(ids)), chosen)).scalars())


def _one_by_one(conn: Connection, limit: int, undated: ColumnElement[bool]) -> Newest:
    """The newest undated images, each dated by its own newest file (through the index on
    dates taken, which lists the undated): costs what the undated photos number."""
    newest_file = newest_file_time().label("when")
    stmt = select(newest_file, ImageRow.id).where(undated).order_by(newest_file.desc(), ImageRow.id).limit(limit)
    return [(float(when), int(i)) for when, i in conn.execute(stmt) if when is not None]
