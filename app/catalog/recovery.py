"""A damaged catalog: what SQLite says is wrong, what can still be read, and a rebuild from it.

Recovery first tries SQLite's own remedy for damaged indexes (REINDEX, on a copy); when rows
themselves are damaged, it copies every row that can still be read into a fresh catalog, table
by table, narrowing each unreadable stretch of row ids down to the rows that fail. The damaged
file is kept beside the new one, never deleted. Vectors live in the catalog's rows, so the
FAISS file is rebuilt from what was saved; photos whose rows were lost are simply indexed
again by the next run (their thumbnails are still there).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# Tables copied row by row, parents first (files and regions point at images). People, their
# faces, taught names, albums, marks and tags are the user's own work: a repair keeps every row
# of them it can read.
TABLES = (
    "meta",
    "images",
    "files",
    "regions",
    "failures",
    "pending_vectors",
    "face_descriptors",
    "people",
    "face_people",
    "face_refusals",
    "concepts",
    "concept_examples",
    "concept_vectors",
    "kept_marks",
    "albums",
    "album_photos",
    "photo_marks",
    "tags",
    "photo_tags",
)
# Rows whose parent was lost cannot stand (what each table points at).
_ORPHANS = (
    "DELETE FROM files WHERE image_id NOT IN (SELECT id FROM images)",
    "DELETE FROM regions WHERE image_id NOT IN (SELECT id FROM images)",
    "DELETE FROM pending_vectors WHERE region_id NOT IN (SELECT id FROM regions)",
    "DELETE FROM face_descriptors WHERE region_id NOT IN (SELECT id FROM regions)",
    "DELETE FROM face_people WHERE region_id NOT IN (SELECT id FROM regions) OR person_id NOT IN (SELECT id FROM people)",
    "DELETE FROM face_refusals WHERE region_id NOT IN (SELECT id FROM regions) OR person_id NOT IN (SELECT id FROM people)",
    "DELETE FROM concept_examples WHERE region_id NOT IN (SELECT id FROM regions) OR concept_id NOT IN (SELECT id FROM concepts)",
    "DELETE FROM concept_vectors WHERE concept_id NOT IN (SELECT id FROM concepts)",
    "DELETE FROM kept_marks WHERE person_id NOT IN (SELECT id FROM people) OR concept_id NOT IN (SELECT id FROM concepts)",
    "DELETE FROM album_photos WHERE album_id NOT IN (SELECT id FROM albums)",
    "DELETE FROM photo_tags WHERE tag_id NOT IN (SELECT id FROM tags)",
)
_MAX_FAILED_PROBES = 2000


@dataclass
class CatalogCheck:
    """What `PRAGMA integrity_check` says, and how many rows of each table can be read."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    readable: dict[str, int] = field(default_factory=dict)
    unreadable_spans: dict[str, int] = field(default_factory=dict)  # row-id stretches that failed

    def to_json(self) -> dict:
        return {
            "sqlite_ok": self.ok,
            "problems": self.problems[:20],
            "readable_rows": self.readable,
            "unreadable_row_spans": self.unreadable_spans,
        }


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def check(path: Path) -> CatalogCheck:
    """Look without changing anything."""
    result = CatalogCheck(ok=False)
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        result.problems.append(f"cannot open: {exc}")
        return result
    try:
        try:
            rows = conn.execute("PRAGMA integrity_check(50)").fetchall()
            result.problems = [_text(r[0]) for r in rows if _text(r[0]) != "ok"]
            result.ok = not result.problems
        except sqlite3.Error as exc:
            result.problems.append(str(exc))
        for table in TABLES:
            reader = _RowReader(conn, table)
            result.readable[table] = sum(1 for _ in reader)
            if reader.bad:
                result.unreadable_spans[table] = reader.bad
    finally:
        conn.close()
    return result


class _RowReader:
    """Every row of a table that can be read, by row id; a stretch of ids that fails is split
    in halves until the rows that fail are found and skipped (`bad` counts them)."""

    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        self.conn, self.table, self.bad = conn, table, 0

    def _bounds(self) -> tuple[int, int] | None:
        try:
            low, high = self.conn.execute(f"SELECT min(rowid), max(rowid) FROM {self.table}").fetchone()
        except sqlite3.Error:
            return 1, 1 << 24  # the b-tree's edges are unreadable: probe a generous range
        return None if high is None else (int(low), int(high))

    def __iter__(self) -> Iterator[tuple]:
        bounds = self._bounds()
        if bounds is None:
            return
        stack = [bounds]
        failures = 0
        while stack:
            a, b = stack.pop()
            try:
                rows = self.conn.execute(
                    f"SELECT rowid, * FROM {self.table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid", (a, b)
                ).fetchall()
            except sqlite3.Error:
                failures += 1
                if a == b or failures > _MAX_FAILED_PROBES:
                    self.bad += 1  # one row, or a stretch given up on (a table whose root is gone)
                    continue
                middle = (a + b) // 2
                stack += [(middle + 1, b), (a, middle)]
                continue
            yield from rows


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass
class RepairReport:
    method: str  # "reindex" or "rows copied"
    copied: dict[str, int]
    damaged_copy: str

    def to_json(self) -> dict:
        return {"method": self.method, "copied_rows": self.copied, "damaged_catalog_kept_at": self.damaged_copy}


def repair(path: Path) -> RepairReport:
    """Replace a damaged catalog with the best that can be recovered; the damaged file stays
    beside it as catalog.damaged-<time>.sqlite. The caller holds the library's writer lock."""
    from app.catalog.database import open_catalog

    stamp = time.strftime("%Y%m%d-%H%M%S")
    damaged = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    work = path.with_name(f"{path.stem}.repair-{stamp}{path.suffix}")
    shutil.copy2(path, damaged)
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            shutil.copy2(side, Path(str(damaged) + suffix))

    # SQLite's own remedy first: damaged indexes are rebuilt from the tables.
    shutil.copy2(damaged, work)
    for suffix in ("-wal",):
        if Path(str(damaged) + suffix).exists():
            shutil.copy2(Path(str(damaged) + suffix), Path(str(work) + suffix))
    try:
        conn = sqlite3.connect(work)
        conn.execute("REINDEX")
        conn.commit()
        fixed = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    except sqlite3.Error:
        fixed = False
    if fixed and path.stat().st_size > 0:  # an empty file "checks out" but holds no library
        _replace(path, work)
        return RepairReport("reindex", {}, str(damaged))
    _remove_with_sidecars(work)

    # Otherwise every readable row goes into a fresh catalog of this version's schema.
    engine = open_catalog(work)
    engine.dispose()
    source = _connect(damaged)
    target = sqlite3.connect(work)
    target.execute("PRAGMA foreign_keys=OFF")
    copied: dict[str, int] = {}
    try:
        target.execute("DELETE FROM meta")
        for table in TABLES:
            try:
                columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
            except sqlite3.Error:
                continue
            wanted = [_text(c) for c in columns]
            have = {_text(r[1]) for r in target.execute(f"PRAGMA table_info({table})")}
            keep = [i for i, c in enumerate(wanted) if c in have]
            names = ", ".join(wanted[i] for i in keep)
            marks = ", ".join("?" for _ in keep)
            n = 0
            for row in _RowReader(source, table):
                values = row[1:]
                try:
                    target.execute(
                        f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", [values[i] for i in keep]
                    )
                    n += 1
                except sqlite3.Error:
                    continue
            copied[table] = n
        # Rows whose parent was lost cannot stand; the keyword index is rebuilt from the text.
        for orphans in _ORPHANS:
            target.execute(orphans)
        target.execute("DELETE FROM region_text")
        target.execute(
            "INSERT INTO region_text(text, region_id) SELECT text, id FROM regions "
            "WHERE kind IN ('text', 'image') AND text IS NOT NULL"
        )
        target.commit()
    finally:
        source.close()
        target.close()
    _replace(path, work)
    return RepairReport("rows copied", copied, str(damaged))


def _replace(path: Path, work: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    work.replace(path)
    for suffix in ("-wal", "-shm"):
        side = Path(str(work) + suffix)
        if side.exists():
            side.replace(Path(str(path) + suffix))


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
