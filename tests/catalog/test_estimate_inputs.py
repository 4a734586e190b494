"""What estimated places are made from, fingerprinted in SQL: the same catalog gives the same
fingerprint, and any change estimates depend on gives another."""

from __future__ import annotations

from sqlalchemy import text

from app.catalog.database import open_catalog
from app.catalog.places import estimate_inputs


def _catalog(tmp_path):
    engine = open_catalog(tmp_path / "catalog.sqlite")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, taken_at, added_at, latitude, "
                "longitude) VALUES (:i, :h, 1, 1, 1, 'JPEG', :t, 0, :lat, :lon)"
            ),
            [
                {"i": 1, "h": "a" * 64, "t": 1000.0, "lat": 38.7, "lon": -9.1},
                {"i": 2, "h": "b" * 64, "t": 2000.0, "lat": None, "lon": None},
                {"i": 3, "h": "c" * 64, "t": 3000.0, "lat": None, "lon": None},
            ],
        )
        conn.execute(
            text(
                "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence, vector) VALUES (:i, :i, 'image', 0, 0, 1, 1, 1, x'00')"
            ),
            [{"i": i} for i in (1, 2, 3)],
        )
        conn.execute(
            text(
                "INSERT INTO image_places(image_id, city, region, country, country_code, estimated, by) "
                "VALUES (1, 'Lisbon', 'Lisbon', 'Portugal', 'PT', 0, 'data-1')"
            )
        )
    return engine


def _changes(engine, sql: str) -> bool:
    before = estimate_inputs(engine)
    with engine.begin() as conn:
        conn.execute(text(sql))
    return estimate_inputs(engine) != before


def test_the_same_catalog_gives_the_same_fingerprint_and_estimates_do_not_count(tmp_path):
    engine = _catalog(tmp_path)
    assert estimate_inputs(engine) == estimate_inputs(engine)
    assert not _changes(
        engine,
        "INSERT INTO image_places(image_id, city, region, country, country_code, estimated, by) "
        "VALUES (2, 'Lisbon', 'Lisbon', 'Portugal', 'PT', 1, 'event')",
    ), "its own output is not an input"


def test_each_input_of_an_estimate_changes_the_fingerprint(tmp_path):
    engine = _catalog(tmp_path)
    assert _changes(engine, "UPDATE images SET taken_at = 3000.0 WHERE id = 2"), "a time"
    assert _changes(
        engine, "UPDATE images SET taken_at = CASE id WHEN 2 THEN 3000.0 ELSE 2000.0 END WHERE id IN (2, 3)"
    ), "two times swapped"
    assert _changes(engine, "UPDATE images SET latitude = 40.0, longitude = -8.0 WHERE id = 3"), "a position"
    assert _changes(engine, "DELETE FROM regions WHERE id = 3"), "a photo's vector"
    assert _changes(engine, "UPDATE image_places SET by = 'data-2' WHERE image_id = 1"), "the place data"
    assert _changes(engine, "UPDATE image_places SET city = 'Sintra' WHERE image_id = 1"), "a place's name"
