"""The gallery's first page (the newest photos, found through the indexes on dates taken and file
times) is exactly the first rows of the whole gallery's date order, whatever the mix of dated,
undated and wrongly dated photos, ties, photos with several files and photos with none."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import app.catalog.newest_photos as newest_photos
from app.catalog import lookups
from app.catalog.database import open_catalog
from tests.helpers.mixed_dates import NOW, mixed_date_library


def gallery_rows(engine, order, limit=None):  # type: ignore[no-untyped-def]
    return lookups.gallery_rows(engine, "/thumbnails", order, limit)


@pytest.mark.parametrize(
    ("seed", "undated", "files_new"),
    [(1, 0.0, 0.0), (2, 1.0, 0.5), (3, 0.45, 0.2), (4, 0.02, 1.0), (5, 0.6, 0.0), (6, 0.1, 0.9)],
)
@pytest.mark.parametrize("walk", [20, 1])  # 1: the walk rarely settles, the undated are read one by one
def test_the_newest_page_is_the_first_rows_of_the_date_order(tmp_path, monkeypatch, seed, undated, files_new, walk):
    monkeypatch.setattr(newest_photos, "FILES_PER_PHOTO", walk)
    engine = mixed_date_library(tmp_path / "catalog.sqlite", seed, 1500, undated, files_new)
    whole = gallery_rows(engine, "date")
    for page in (1, 7, 20, 40, 50, 100, 250, 400, 600, 1400, 2000):
        assert gallery_rows(engine, "date", page) == whole[:page]


def test_a_page_of_an_empty_library_is_empty_and_a_name_order_has_no_page(tmp_path):
    engine = open_catalog(tmp_path / "catalog.sqlite")
    assert gallery_rows(engine, "date", 10) == []
    with pytest.raises(ValueError, match="date order"):
        gallery_rows(engine, "name", 10)


def test_undated_photos_copied_at_one_moment_come_lowest_id_first(tmp_path, monkeypatch):
    """Ten undated photos whose files share one time: a walk over the newest three files sees
    the last three, but the page's three are the first three (the same date, lower id first)."""
    monkeypatch.setattr(newest_photos, "FILES_PER_PHOTO", 1)
    engine = open_catalog(tmp_path / "catalog.sqlite")
    with engine.begin() as conn:
        for i in range(1, 11):
            conn.execute(
                text(
                    "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at) "
                    "VALUES (:i, :h, 1, 1, 1, 'JPEG', 0)"
                ),
                {"i": i, "h": f"{i:064d}"},
            )
            conn.execute(
                text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/p', 1, :m, :i)"),
                {"p": f"/p/{i}.jpg", "m": int(NOW * 1e9), "i": i},
            )
    assert [row[0] for row in gallery_rows(engine, "date", 3)] == [1, 2, 3]


def test_a_catalog_from_before_the_date_indexes_gains_them(tmp_path):
    engine = open_catalog(tmp_path / "catalog.sqlite")
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_images_taken_at"))
        conn.execute(text("DROP INDEX ix_files_mtime"))
        conn.execute(text("PRAGMA user_version = 14"))
    engine.dispose()
    engine = open_catalog(tmp_path / "catalog.sqlite")
    with engine.connect() as conn:
        indexes = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
        walk = " ".join(
            str(row[-1])
            for row in conn.execute(
                text("EXPLAIN QUERY PLAN SELECT image_id FROM files ORDER BY mtime_ns DESC LIMIT 5")
            )
        )
    assert {"ix_images_taken_at", "ix_files_mtime"} <= indexes
    assert "ix_files_mtime" in walk and "TEMP B-TREE" not in walk, walk
