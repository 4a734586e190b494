"""Places end to end (#30): photos stamped with GPS by exiftool as cameras write it, on both
sides of the equator and the antimeridian, named offline (city, region, country), listed by
`places`, and used as a filter by `search` and `similar`; photos indexed before GPS was read get
theirs on the next run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from app.analysis import estimated_places
from app.catalog import lookups
from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool

SHOTS = {
    "lisbon1.jpg": ("38.7223", "N", "9.1393", "W"),
    "lisbon2.jpg": ("38.7139", "N", "9.1334", "W"),
    "reykjavik.jpg": ("64.1466", "N", "21.9426", "W"),
    "fiji west.jpg": ("17.7134", "S", "178.065", "E"),  # east of the antimeridian's other side
    "fiji lau.jpg": ("18.2", "S", "178.8", "W"),
    "quito.jpg": ("0.1807", "S", "78.4678", "W"),
    "no fix.jpg": ("0", "N", "0", "E"),
    "open sea.jpg": ("0", "N", "160", "W"),
}


@pytest.fixture
def trip(tmp_path: Path) -> Path:
    folder = tmp_path / "trip"
    for i, (name, (lat, lat_ref, lon, lon_ref)) in enumerate(SHOTS.items()):
        path = save_jpeg(folder / name, photo(70 + i, (320, 240)))
        exiftool(
            path,
            f"-GPSLatitude={lat}",
            f"-GPSLatitudeRef={lat_ref}",
            f"-GPSLongitude={lon}",
            f"-GPSLongitudeRef={lon_ref}",
        )
    save_jpeg(folder / "no gps.jpg", photo(99, (320, 240)))
    return folder


def _names(results: list[dict]) -> set[str]:
    return {Path(r["path"]).name for r in results}


def test_places_are_named_listed_and_filter_searches(cli, trip, library_dir):
    report = cli("index", trip, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0, report.err
    assert report.json["places"] == 6, "no fix, the open sea and no GPS: no place"

    places = cli("places", "--json")
    assert places.code == 0, places.err
    found = {(p["city"], p["country"]): p for p in places.json["places"]}
    assert set(found) == {
        ("Lisbon", "Portugal"),
        ("Reykjavík", "Iceland"),
        ("Ba", "Fiji"),
        ("Tubou", "Fiji"),
        ("Quito", "Ecuador"),
    }
    lisbon = found[("Lisbon", "Portugal")]
    assert lisbon["count"] == 2 and lisbon["estimated"] == 0 and lisbon["region"] == "Lisbon"
    assert lisbon["lat"] == pytest.approx(38.7181, abs=1e-3) and lisbon["lon"] == pytest.approx(-9.13635, abs=1e-3)
    assert len(lisbon["image_ids"]) == 2
    assert found[("Quito", "Ecuador")]["lat"] < 0, "south of the equator"
    assert "Lisbon, Lisbon, Portugal" in cli("places").out

    lisbon_only = cli("search", "a street at dusk", "--place", "lisbon", "--json")
    assert lisbon_only.code == 0, lisbon_only.err
    assert _names(lisbon_only.json["results"]) == {"lisbon1.jpg", "lisbon2.jpg"}
    assert _names(cli("search", "a street at dusk", "--place", "FIJI", "--json").json["results"]) == {
        "fiji west.jpg",
        "fiji lau.jpg",
    }, "a country, either side of the antimeridian"
    iceland = cli("search", "a street at dusk", "--place", "reykjavik", "--json").json["results"]
    assert _names(iceland) == {"reykjavik.jpg"}, "Reykjavík, accents aside"
    alike = cli("similar", trip / "lisbon1.jpg", "--place", "Portugal", "--json").json["results"]
    assert _names(alike) == {"lisbon2.jpg"}

    nowhere = cli("search", "a street at dusk", "--place", "Atlantis", "--json")
    assert nowhere.code != 0 and "Traceback" not in nowhere.err
    assert "Atlantis" in nowhere.json["error"] and "places" in nowhere.json["error"]

    status = cli("status", "--json").json
    assert (status["places"], status["places_estimated"]) == (6, 0)


def test_photos_indexed_before_gps_was_read_get_their_place(cli, trip, library_dir):
    assert cli("index", trip, "--no-detect", "--no-ocr").code == 0
    db = sqlite3.connect(library_dir / "catalog.sqlite")
    with db:  # as a catalog from before places leaves them
        db.execute("UPDATE images SET latitude = NULL, longitude = NULL, altitude = NULL, gps_read = NULL")
        db.execute("DELETE FROM image_places")
    db.close()
    assert cli("status", "--json").json["places"] == 0
    again = cli("index", trip, "--no-detect", "--no-ocr", "--json").json
    assert again["embedded"] == 0 and again["places"] == 6
    assert cli("status", "--json").json["places"] == 6


def test_a_photo_without_gps_gets_the_place_of_its_event_marked_estimated(cli, tmp_path, monkeypatch):
    folder = tmp_path / "day out"
    shots = {
        "gps 1.jpg": ("2024:05:01 10:00:00", ("38.7223", "N", "9.1393", "W")),
        "no gps.jpg": ("2024:05:01 10:20:00", None),
        "gps 2.jpg": ("2024:05:01 10:40:00", ("38.7139", "N", "9.1334", "W")),
        "a week later.jpg": ("2024:05:08 09:00:00", None),
    }
    for i, (name, (when, gps)) in enumerate(shots.items()):
        path = save_jpeg(folder / name, photo(120 + i, (320, 240)))
        tags = [f"-DateTimeOriginal={when}"]
        if gps is not None:
            lat, lat_ref, lon, lon_ref = gps
            tags += [
                f"-GPSLatitude={lat}",
                f"-GPSLatitudeRef={lat_ref}",
                f"-GPSLongitude={lon}",
                f"-GPSLongitudeRef={lon_ref}",
            ]
        exiftool(path, *tags)
    assert cli("index", folder, "--no-detect", "--no-ocr").code == 0

    (lisbon,) = cli("places", "--json").json["places"]
    assert (lisbon["city"], lisbon["count"], lisbon["estimated"]) == ("Lisbon", 3, 1)
    assert "(1 estimated)" in cli("places").out
    status = cli("status", "--json").json
    assert (status["places"], status["places_estimated"]) == (3, 1) and status["analysis"]["places"] == "fresh"
    found = cli("search", "a street at dusk", "--place", "Lisbon", "--json").json["results"]
    assert _names(found) == {"gps 1.jpg", "no gps.jpg", "gps 2.jpg"}, "the estimated photo is found there too"
    assert {p.name for p in folder.iterdir()} == set(shots), "nothing written beside the photos"
    with Image.open(folder / "no gps.jpg") as unchanged:
        assert not unchanged.getexif().get_ifd(0x8825), "the estimate never enters the file"

    # Estimates are made again only when what they come from changed (status at a million
    # photos must not remake a million of them): a photo moved into the day is placed by it.
    exiftool(folder / "a week later.jpg", "-DateTimeOriginal=2024:05:01 10:30:00")
    assert cli("index", folder, "--no-detect", "--no-ocr").code == 0
    quick = estimated_places.REMADE_BY_STATUS
    monkeypatch.setattr(estimated_places, "REMADE_BY_STATUS", 3)  # as if this were a large library
    status = cli("status", "--json").json  # says they are stale, and remakes nothing (40 s at a million)
    assert status["analysis"]["places"] == "stale" and status["places_estimated"] == 1
    monkeypatch.setattr(estimated_places, "REMADE_BY_STATUS", quick)
    read = []
    monkeypatch.setattr(lookups, "image_times", lambda engine, real=lookups.image_times: read.append(1) or real(engine))
    (lisbon,) = cli("places", "--json").json["places"]
    assert read == [1], "the photos' times are read once for the events and the estimates (4 s at a million)"
    assert (lisbon["count"], lisbon["estimated"]) == (4, 2)
    assert cli("status", "--json").json["places_estimated"] == 2

    # A search within a place needs the estimates current, not counted (every photo's place
    # read: 0.09 s at a million photos).
    counted = []
    real_count = estimated_places.count_placed
    monkeypatch.setattr(estimated_places, "count_placed", lambda engine: counted.append(1) or real_count(engine))
    found = cli("search", "a street at dusk in Lisbon", "--json").json
    assert found["understood"]["place"] == "Lisbon" and len(found["results"]) == 4
    assert counted == [], "current: neither made again nor counted"


def test_a_catalog_another_writer_holds_leaves_the_estimates_as_they_were(cli, tmp_path, library_dir):
    """The window's analysis process makes the estimates while the window may be indexing: a
    catalog held past the wait keeps the estimates made before, and they are made next time."""
    from dataclasses import replace

    from sqlalchemy import event

    from app.analysis.library_analysis import AnalysisInputs
    from app.catalog.database import open_catalog
    from app.library import Library

    folder = tmp_path / "day out"
    for i, (name, when, gps) in enumerate(
        [("gps.jpg", "01 10:00", True), ("no gps.jpg", "01 10:20", False), ("a week later.jpg", "08 09:00", False)]
    ):
        path = save_jpeg(folder / name, photo(140 + i, (320, 240)))
        tags = [f"-DateTimeOriginal=2024:05:{when}:00"]
        if gps:
            tags += ["-GPSLatitude=38.7223", "-GPSLatitudeRef=N", "-GPSLongitude=9.1393", "-GPSLongitudeRef=W"]
        exiftool(path, *tags)
    assert cli("index", folder, "--no-detect", "--no-ocr").code == 0
    assert cli("status", "--json").json["places_estimated"] == 1
    exiftool(folder / "a week later.jpg", "-DateTimeOriginal=2024:05:01 10:30:00")  # now in the day's event
    assert cli("index", folder, "--no-detect", "--no-ocr").code == 0

    catalog = library_dir / "catalog.sqlite"
    engine = open_catalog(catalog)
    event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=200"))
    library = Library(library_dir)
    writer = sqlite3.connect(catalog, isolation_level=None)
    try:
        inputs = replace(AnalysisInputs.of(library), engine=engine)
        writer.execute("BEGIN IMMEDIATE")  # another writer holds the catalog
        assert estimated_places.estimate_places(inputs) == 1, "kept as they were, without an error"
        writer.execute("ROLLBACK")
        assert not estimated_places.estimates_current(inputs), "made again next time"
        assert estimated_places.estimate_places(inputs) == 2
    finally:
        writer.close()
        library.close()
        engine.dispose()
