"""Change stamps (`app.catalog.change_stamps`): drawn again by triggers on each write to what
they stand for and on nothing else; what estimated places are made from is one of them, and a
remembered answer is made again only when its stamps moved."""

from __future__ import annotations

from sqlalchemy import text

from app.catalog import change_stamps
from app.catalog.change_stamps import FACES, IMAGE_VECTORS, REGION_PASS, TIMES, VECTORS, remembered, stamps
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


def _moves(engine, what: str, sql: str) -> bool:
    before = stamps(engine, what)
    with engine.begin() as conn:
        conn.execute(text(sql))
    return stamps(engine, what) != before


def test_each_stamp_moves_with_what_it_stands_for_and_nothing_else(tmp_path):
    engine = _catalog(tmp_path)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES ('/p/a.jpg', '/p', 1, 5, 1)")
        )
    assert _moves(engine, TIMES, "UPDATE files SET path = '/p/b.jpg' WHERE image_id = 1"), "a rename"
    assert _moves(engine, TIMES, "UPDATE files SET mtime_ns = 6 WHERE image_id = 1"), "a file time"
    assert not _moves(engine, TIMES, "UPDATE images SET camera = 'X' WHERE id = 1"), "not a time"
    assert not _moves(engine, TIMES, "UPDATE files SET mtime_ns = 6, size = 2 WHERE image_id = 1"), "the same time"
    assert _moves(engine, REGION_PASS, "UPDATE images SET objects_by = 'det-1' WHERE id = 1"), "objects looked for"
    object_region = (
        "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence, vector) "
        "VALUES (9, 1, 'object', 0, 0, 1, 1, 1, x'00')"
    )
    assert not _moves(engine, IMAGE_VECTORS, object_region), "an object is not a whole image"
    assert _moves(engine, VECTORS, "UPDATE regions SET vector = NULL WHERE id = 9"), "the vector file changes"
    assert not _moves(engine, VECTORS, "UPDATE regions SET label = 'cat' WHERE id = 9"), "a label is no vector"
    assert _moves(engine, IMAGE_VECTORS, "UPDATE regions SET vector = NULL WHERE id = 2"), "a photo lost its vector"
    # A cascade (the image goes, its regions and files with it) draws them too.
    assert _moves(engine, VECTORS, "DELETE FROM images WHERE id = 3")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence) VALUES (7, 1, 'face', 0, 0, 1, 1, 1)"
            )
        )
    assert _moves(engine, FACES, "INSERT INTO face_descriptors(region_id, vector) VALUES (7, x'00')")
    assert _moves(engine, FACES, "DELETE FROM regions WHERE id = 7"), "a face gone with its region"


def test_a_write_rolled_back_leaves_the_stamps_and_a_reopened_catalog_keeps_them(tmp_path):
    engine = _catalog(tmp_path)
    before = stamps(engine, *change_stamps.STAMPED)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE images SET taken_at = 1 WHERE id = 1"))
            raise RuntimeError("killed mid-write")
    except RuntimeError:
        pass
    assert stamps(engine, *change_stamps.STAMPED) == before
    engine.dispose()
    assert stamps(open_catalog(tmp_path / "catalog.sqlite"), *change_stamps.STAMPED) == before


def test_a_remembered_answer_is_made_again_only_when_its_stamps_moved(tmp_path):
    engine = _catalog(tmp_path)
    made: list[str] = []

    def make() -> str:
        made.append("made")
        return f"answer {len(made)}"

    def ask(writable: bool = True) -> str:
        return remembered(engine, "test", stamps(engine, TIMES), make, writable)

    assert ask() == "answer 1" and ask() == "answer 1" and len(made) == 1
    with engine.begin() as conn:
        conn.execute(text("UPDATE images SET taken_at = 5 WHERE id = 2"))
    assert ask() == "answer 2" and ask() == "answer 2"
    with engine.begin() as conn:
        conn.execute(text("UPDATE images SET taken_at = 6 WHERE id = 2"))
    assert ask(writable=False) == "answer 3" and ask(writable=False) == "answer 4", "nothing kept read-only"


def test_image_tallies_follow_new_photos_and_the_region_pass_read_only_too(tmp_path):
    from app.catalog.image_tallies import image_tallies

    engine = _catalog(tmp_path)
    assert image_tallies(engine) == image_tallies(engine)
    assert (image_tallies(engine).images, image_tallies(engine).videos) == (3, 0)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at, duration) "
                "VALUES (4, 'd', 1, 1, 1, 'DNG', 0, NULL), (5, 'e', 1, 1, 1, 'MP4', 0, 12.5)"
            )
        )
    found = image_tallies(engine)
    assert (found.images, found.videos, found.raw, found.objects_done) == (5, 1, 1, 0)
    with engine.begin() as conn:
        conn.execute(text("UPDATE images SET objects_by = 'det-1', faces_by = 'f-1' WHERE id IN (1, 2)"))
    engine.dispose()
    read_only = open_catalog(tmp_path / "catalog.sqlite", read_only=True)  # it cannot remember them
    for _twice in range(2):
        found = image_tallies(read_only)
        assert (found.images, found.objects_done, found.faces_done, found.text_done) == (5, 2, 2, 0)
