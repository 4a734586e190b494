"""A read that is no longer wanted (the window closed while its worker read the gallery's rows)
ends within SQLite's steps, its sorting included, and leaves its connection as it found it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.catalog import lookups, sql_helpers
from app.catalog.database import open_catalog
from app.catalog.sql_helpers import stoppable_read
from app.core.errors import CancelledError
from tests.helpers.mixed_dates import mixed_date_library

COUNT = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 3000000) SELECT count(*) FROM n"


def test_a_stopped_read_ends_at_once_and_leaves_its_connection_as_it_was(tmp_path):
    engine = open_catalog(tmp_path / "catalog.sqlite")
    looks: list[int] = []

    def stop() -> bool:
        looks.append(1)
        return len(looks) >= 3  # and stays so

    with engine.connect() as conn:
        with pytest.raises(CancelledError), stoppable_read(conn, stop):
            conn.execute(text(COUNT)).scalar()
        assert len(looks) == 4, "stopped at the third look (a fourth tells a stop from a failure)"
        assert conn.execute(text(COUNT)).scalar() == 3_000_000, "no look is left on the connection"
        with stoppable_read(conn, lambda: False):
            assert conn.execute(text(COUNT)).scalar() == 3_000_000
            with pytest.raises(OperationalError, match="no such table"):
                conn.execute(text("SELECT * FROM nothing_here"))  # other failures are themselves


def test_the_gallerys_read_stops_while_sqlite_sorts_and_reads_whole_otherwise(tmp_path, monkeypatch):
    monkeypatch.setattr(sql_helpers, "STOP_CHECK_STEPS", 100)  # looked at often, for a small catalog
    engine = mixed_date_library(tmp_path / "catalog.sqlite", 1, 300, 0.3, 0.3)
    looks: list[int] = []
    with pytest.raises(CancelledError):
        lookups.gallery_rows(engine, "/thumbnails", "date", stop=lambda: bool(looks.append(1)) or len(looks) > 1)
    assert len(looks) == 3, "stopped at the second look, while SQLite sorted (a third tells it from a failure)"
    whole = lookups.gallery_rows(engine, "/thumbnails", "date", stop=lambda: False)
    assert whole == lookups.gallery_rows(engine, "/thumbnails", "date") and len(whole) > 200
