"""Small SQL helpers the catalog modules share: parameter-sized chunks, a path-prefix match and
ids read as an array."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, Engine, Select, Text, case, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.path_text import encode_path
from app.catalog.schema import FileRow, ImageRow
from app.core.dates import EARLIEST, latest_plausible
from app.core.errors import CancelledError

CHUNK = 500  # stay far below SQLite's limit on bound parameters
STOP_CHECK_STEPS = 100_000  # SQLite's steps between two looks at a read's `stop`: about a millisecond


def taken_or(file_time: Any) -> ColumnElement[float]:
    """An image's date: when it was taken where that is a plausible date (`app.core.dates`;
    libraries indexed before that check may hold others), else `file_time`."""
    return case((plausibly_taken(latest_plausible()), ImageRow.taken_at), else_=file_time)


def plausibly_taken(latest: float) -> ColumnElement[bool]:
    """An image has a plausible date taken (as `plausible_date`, `latest` being now's limit)."""
    return (ImageRow.taken_at >= EARLIEST) & (ImageRow.taken_at < latest)


def undated(latest: float) -> ColumnElement[bool]:
    """An image's date is its newest file's time: no date taken, or not a plausible one.
    Spelt as three ranges (not a NOT of `plausibly_taken`) so SQLite walks the index on dates
    taken for each."""
    taken = ImageRow.taken_at
    return or_(taken.is_(None), taken < EARLIEST, taken >= latest)


def newest_file_time() -> ColumnElement[Any]:
    """An image's newest file's modification time in seconds (a subquery per image)."""
    return select(func.max(FileRow.mtime_ns)).where(FileRow.image_id == ImageRow.id).scalar_subquery() / 1e9


def id_array(conn: Connection, stmt: Select) -> np.ndarray:
    """The first column of `stmt`'s rows as int64, read straight off the driver's cursor: a
    million ids in a fraction of the time a million result rows take."""
    result = conn.execute(stmt)
    try:
        rows = cast(Iterable[tuple[int]], result.cursor)  # sqlite3's cursor iterates its rows
        return np.fromiter((row[0] for row in rows), dtype=np.int64)
    finally:
        result.close()


def listed(ids: Iterable[int]) -> Select:
    """`ids` as rows of one JSON text SQLite reads (`column.in_(listed(ids))`): any number of
    them, where bound parameters stop at 32,766 (250,000 as Debian builds SQLite)."""
    return select(func.json_each(json.dumps([int(i) for i in ids])).table_valued("value").c.value)


def id_set(conn: Connection, stmt: Select) -> np.ndarray:
    """The first column of `stmt`'s rows (ids), in no particular order, as int64: SQLite joins
    them into one text that numpy parses, a million ids in 0.11 s against 0.3-0.5 s row by row."""
    inner = stmt.subquery()
    joined = conn.execute(select(func.group_concat(next(iter(inner.c))))).scalar()
    return np.fromstring(joined or "", dtype=np.int64, sep=",")


def id_pair_arrays(conn: Connection, stmt: Select) -> tuple[np.ndarray, np.ndarray]:
    """The first two columns of `stmt`'s rows (ids), in no particular order but row by row
    together, as two int64 arrays: parsed from one text as `id_set` reads them."""
    first, second = list(stmt.subquery().c)[:2]
    joined = conn.execute(select(func.group_concat(first.concat(",").concat(second)))).scalar()
    pairs = np.fromstring(joined or "", dtype=np.int64, sep=",").reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
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


def vectors_by_id(
    engine: Engine, id_column: InstrumentedAttribute[int], blob_column: Any, ids: Sequence[int], dim: int
) -> np.ndarray:
    """The float32 blobs of rows `ids` (in that order) as a matrix; a missing or empty blob
    leaves its row as it was allocated."""
    out = np.empty((len(ids), dim), dtype=np.float32)
    position = {rid: i for i, rid in enumerate(ids)}
    with engine.connect() as conn:
        for chunk in chunks(list(ids)):
            for rid, blob in conn.execute(select(id_column, blob_column).where(id_column.in_(chunk))):
                if blob is not None:
                    out[position[rid]] = np.frombuffer(blob, dtype=np.float32)
    return out


@contextlib.contextmanager
def stoppable_read(conn: Connection, stop: Callable[[], bool] | None) -> Iterator[None]:
    """Reads on `conn` that end with CancelledError once `stop()` is true, looked at as SQLite
    works (its sorting included) and as the rows are fetched: a window closed while its worker
    read the gallery's million rows went away at once but its process stayed seconds more. For
    reads only: a write is never cut short, so nothing is half-written."""
    if stop is None:
        yield
        return
    raw = cast(sqlite3.Connection, conn.connection.driver_connection)
    raw.set_progress_handler(lambda: 1 if stop() else 0, STOP_CHECK_STEPS)
    try:
        yield
    except (DBAPIError, sqlite3.Error):
        if stop():
            raise CancelledError("the read was stopped") from None
        raise
    finally:
        raw.set_progress_handler(None, 0)
