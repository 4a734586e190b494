"""Catalog schema, migrations and pragmas."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

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
