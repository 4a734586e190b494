"""Opening the catalog: engine settings (WAL, foreign keys) and step-by-step migrations.

The schema version lives in SQLite's `user_version`; each migration moves it up by one inside
a transaction, so an interrupted upgrade is simply redone on the next open.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text

from app.catalog.schema import Base
from app.core.errors import UserError

log = logging.getLogger(__name__)


def _migrate_0_to_1(conn: Connection) -> None:
    from app.catalog.schema import FailureRow, FileRow, ImageRow, Meta, RegionRow

    Base.metadata.create_all(
        conn, tables=[t.__table__ for t in (Meta, ImageRow, FileRow, RegionRow, FailureRow)]  # type: ignore[attr-defined]
    )


def _migrate_1_to_2(conn: Connection) -> None:
    """Vectors of a model being switched to, kept apart until the switch completes."""
    from app.catalog.schema import PendingVectorRow

    Base.metadata.create_all(conn, tables=[PendingVectorRow.__table__])  # type: ignore[list-item]


def _migrate_2_to_3(conn: Connection) -> None:
    """Full-text index of the words found in photos (OCR), for exact keyword search."""
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS region_text USING fts5("
            "text, region_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
        )
    )
    conn.execute(
        text("INSERT INTO region_text(text, region_id) SELECT text, id FROM regions WHERE text IS NOT NULL")
    )


def _migrate_3_to_4(conn: Connection) -> None:
    """Per image, which detector and OCR versions made its regions (the region pass resumes
    from these and skips what the same versions already did)."""
    have = {row[1] for row in conn.execute(text("PRAGMA table_info(images)"))}
    for column in ("objects_by", "text_by"):
        if column not in have:  # a catalog created by this version has them from step 1
            conn.execute(text(f"ALTER TABLE images ADD COLUMN {column} VARCHAR"))


MIGRATIONS: list[Callable[[Connection], None]] = [_migrate_0_to_1, _migrate_1_to_2, _migrate_2_to_3, _migrate_3_to_4]
SCHEMA_VERSION = len(MIGRATIONS)


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode never corrupts the database on a crash; it may lose the last commit
    # on power loss, which the pipeline simply redoes.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    try:
        migrate(engine)
    except sqlite3.DatabaseError as exc:  # pragma: no cover - raw driver error
        raise UserError(f"the catalog {path} is not a valid database: {exc}") from exc
    except Exception as exc:
        if "file is not a database" in str(exc) or "malformed" in str(exc):
            raise UserError(f"the catalog {path} is damaged: {exc.__cause__ or exc}") from exc
        raise
    return engine


def schema_version(conn: Connection) -> int:
    return int(conn.execute(text("PRAGMA user_version")).scalar_one())


def migrate(engine: Engine) -> None:
    with engine.begin() as conn:
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise UserError(
                f"this library was written by a newer Photo Organizer (schema {version}, "
                f"this version reads up to {SCHEMA_VERSION}); please upgrade the app"
            )
        for step in range(version, SCHEMA_VERSION):
            log.info("migrating catalog schema %d -> %d", step, step + 1)
            MIGRATIONS[step](conn)
            conn.execute(text(f"PRAGMA user_version={step + 1}"))
