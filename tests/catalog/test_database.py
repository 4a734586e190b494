"""Catalog schema, migrations and pragmas."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from app.catalog.database import SCHEMA_VERSION, open_catalog
from app.core.errors import UserError


def test_new_catalog_is_migrated_to_the_current_version_in_wal_mode(tmp_path):
    engine = open_catalog(tmp_path / "c.sqlite")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA user_version")).scalar_one() == SCHEMA_VERSION
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars())
    assert {"images", "files", "regions", "failures", "meta"} <= tables
    open_catalog(tmp_path / "c.sqlite")  # reopening is a no-op


def test_region_ids_with_vectors_are_read_from_an_index_not_from_the_vectors(tmp_path):
    """At a million photos the regions table holds gigabytes of vectors: listing which regions
    have one (every library opening, status, the analyses) reads the partial index instead."""
    engine = open_catalog(tmp_path / "c.sqlite")
    with engine.connect() as conn:
        for sql in (
            "SELECT id FROM regions WHERE vector IS NOT NULL",
            "SELECT id FROM regions WHERE vector IS NOT NULL AND kind = 'image' ORDER BY id",
        ):
            plan = " ".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            # Either partial index holds exactly the regions with a vector, and the ids.
            assert re.search(r"USING (COVERING )?INDEX ix_regions_(kind|image)_vector", plan), plan


def test_newer_schema_is_refused_clearly(tmp_path):
    db = sqlite3.connect(tmp_path / "c.sqlite")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(UserError, match="newer"):
        open_catalog(tmp_path / "c.sqlite")


def test_damaged_catalog_is_a_user_error(tmp_path):
    (tmp_path / "c.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError):
        open_catalog(tmp_path / "c.sqlite")


def test_a_catalog_from_before_faces_gains_them_and_keeps_its_photos(tmp_path):
    """Version 5 (before people) written as that version wrote it: the images table without
    faces_by and no face tables; opening migrates it in place."""
    db = sqlite3.connect(tmp_path / "c.sqlite")
    db.executescript(
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value TEXT);
        CREATE TABLE images (id INTEGER PRIMARY KEY, content_hash VARCHAR(64) UNIQUE, byte_size INTEGER,
            width INTEGER, height INTEGER, format VARCHAR(16), taken_at FLOAT, camera VARCHAR, added_at FLOAT,
            objects_by VARCHAR, text_by VARCHAR);
        CREATE TABLE regions (id INTEGER PRIMARY KEY, image_id INTEGER REFERENCES images(id) ON DELETE CASCADE,
            kind VARCHAR(16), label VARCHAR, x0 FLOAT, y0 FLOAT, x1 FLOAT, y1 FLOAT, confidence FLOAT, text TEXT,
            vector BLOB);
        CREATE TABLE files (id INTEGER PRIMARY KEY, path VARCHAR UNIQUE, folder VARCHAR, size INTEGER,
            mtime_ns INTEGER, image_id INTEGER REFERENCES images(id) ON DELETE CASCADE);
        INSERT INTO images VALUES (1, 'ab', 10, 4, 3, 'JPEG', NULL, NULL, 0, 'det-1', NULL);
        PRAGMA user_version = 5;
        """
    )
    db.close()
    engine = open_catalog(tmp_path / "c.sqlite")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA user_version")).scalar_one() == SCHEMA_VERSION >= 6
        row = conn.execute(text("SELECT content_hash, objects_by, faces_by FROM images")).one()
        tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars())
    assert tuple(row) == ("ab", "det-1", None), "the photo stays; faces are looked for on the next run"
    assert {"face_descriptors", "people", "face_people", "face_refusals"} <= tables


def test_a_read_only_catalog_serves_more_threads_at_once_than_five(tmp_path):
    # The window reads a read-only library from its GUI thread and six workers at once; each
    # thread's connection must stay open while it reads (a pool of one per thread for five
    # threads closed the oldest one's under its feet, and SQLite crashed the app).
    import threading

    from sqlalchemy import text

    from app.catalog.database import open_catalog

    path = tmp_path / "catalog.sqlite"
    open_catalog(path).dispose()
    engine = open_catalog(path, read_only=True)
    together, errors = threading.Barrier(8), []

    def read() -> None:
        try:
            with engine.connect() as conn:
                together.wait(20)  # all eight hold a connection at once
                conn.execute(text("SELECT count(*) FROM images")).scalar_one()
        except Exception as exc:  # a closed connection, or a barrier broken by one
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    engine.dispose()
    assert not errors, errors[:1]


def test_a_search_within_some_photos_finds_their_regions_with_a_vector_from_an_index(tmp_path):
    """A search within a place's, a person's or an album's photos lists the regions with a
    vector of those photos from the partial index, not from their 2 KB rows; a catalog from
    before it gains it."""
    from app.catalog.search_lookups import CatalogFilters, region_ids_matching

    path = tmp_path / "c.sqlite"
    engine = open_catalog(path)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_regions_image_vector"))
        conn.execute(text("PRAGMA user_version = 15"))
    engine.dispose()
    engine = open_catalog(path)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA user_version")).scalar_one() == SCHEMA_VERSION
        sql = (
            "SELECT regions.id FROM regions JOIN images ON images.id = regions.image_id "
            "WHERE regions.vector IS NOT NULL AND images.id IN (SELECT value FROM json_each('[1, 2]'))"
        )
        plan = " ".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_regions_image_vector" in plan, plan
    assert len(region_ids_matching(engine, CatalogFilters(images=frozenset({1, 2})))) == 0


def test_a_read_only_library_only_indexes_behind_is_read_and_one_further_behind_refused(tmp_path):
    path = tmp_path / "c.sqlite"
    engine = open_catalog(path)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_regions_image_vector"))
        conn.execute(text("DROP INDEX ix_images_taken_at"))
        conn.execute(text("DROP INDEX ix_files_mtime"))
        conn.execute(text("PRAGMA user_version = 14"))
    engine.dispose()
    readable = open_catalog(path, read_only=True)  # two steps behind, both only indexes
    with readable.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM regions")).scalar_one() == 0
        assert conn.execute(text("PRAGMA user_version")).scalar_one() == 14, "not written"
    readable.dispose()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("PRAGMA user_version = 13"))  # 13 to 14 made the change stamps
    engine.dispose()
    with pytest.raises(UserError, match="older Photo Organizer"):
        open_catalog(path, read_only=True)
    with engine.begin() as conn:
        conn.execute(text(f"PRAGMA user_version = {SCHEMA_VERSION + 1}"))
    engine.dispose()
    with pytest.raises(UserError, match="newer Photo Organizer"):
        open_catalog(path, read_only=True)
