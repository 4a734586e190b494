"""A position the place data names nothing for (a photo taken at sea) is looked up once, not on
every index run; it is looked up again when the photo's position changes, or without the
remembered file; the places named are the same either way."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.catalog.database import open_catalog
from app.core.paths import LibraryPaths
from app.indexing import geocoding, nowhere_positions
from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool

AT_SEA = (-30.0, -25.0)  # the South Atlantic: nothing within geocoding.MAX_KM
LISBON = (38.7223, -9.1393)


def _shot(path, seed: int, where: tuple[float, float]):  # type: ignore[no-untyped-def]
    lat, lon = where
    save_jpeg(path, photo(seed, (160, 120)))
    exiftool(
        path,
        f"-GPSLatitude={abs(lat)}",
        f"-GPSLatitudeRef={'N' if lat >= 0 else 'S'}",
        f"-GPSLongitude={abs(lon)}",
        f"-GPSLongitudeRef={'E' if lon >= 0 else 'W'}",
    )
    return path


@pytest.fixture
def asked(monkeypatch):  # type: ignore[no-untyped-def]
    """How many positions each index run asked the place data to name."""
    counts: list[int] = []
    real = geocoding.Geocoder.names

    def names(self, latitudes, longitudes):  # type: ignore[no-untyped-def]
        counts.append(len(latitudes))
        return real(self, latitudes, longitudes)

    monkeypatch.setattr(geocoding.Geocoder, "names", names)
    return counts


def _places(library_dir) -> dict[str, str]:  # type: ignore[no-untyped-def]
    engine = open_catalog(LibraryPaths(library_dir).catalog)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.path, p.city FROM files f LEFT JOIN image_places p ON p.image_id = f.image_id ORDER BY f.path"
            )
        ).all()
    engine.dispose()
    return {path.rsplit("/", 1)[-1]: city for path, city in rows}


def test_a_position_named_nothing_is_not_asked_again_until_it_moves(cli, tmp_path, library_dir, asked):
    _shot(tmp_path / "one" / "sea.jpg", 1, AT_SEA)
    _shot(tmp_path / "one" / "tram.jpg", 2, LISBON)
    assert cli("index", tmp_path / "one").code == 0
    assert asked == [2]
    assert _places(library_dir) == {"sea.jpg": None, "tram.jpg": "Lisbon"}
    assert (library_dir / "analysis" / nowhere_positions.FILE).exists()

    _shot(tmp_path / "two" / "more sea.jpg", 3, AT_SEA)
    assert cli("index", tmp_path / "two").code == 0
    assert asked == [2, 1], "only the new photo is asked; the one at sea is remembered"
    assert cli("index", tmp_path / "two").code == 0
    assert asked == [2, 1], "nothing new: the place data is not even loaded"

    engine = open_catalog(LibraryPaths(library_dir).catalog)
    with engine.begin() as conn:  # the photo's position corrected (as a sidecar's would)
        conn.execute(
            text(
                "UPDATE images SET latitude = :lat, longitude = :lon WHERE id = "
                "(SELECT image_id FROM files WHERE path LIKE '%/one/sea.jpg')"
            ),
            {"lat": LISBON[0], "lon": LISBON[1]},
        )
    engine.dispose()
    assert cli("index", tmp_path / "two").code == 0
    assert asked == [2, 1, 1], "its position moved: asked again"
    assert _places(library_dir)["sea.jpg"] == "Lisbon"

    (library_dir / "analysis" / nowhere_positions.FILE).unlink()
    assert cli("index", tmp_path / "two").code == 0
    assert asked == [2, 1, 1, 1], "without the file: the one still at sea is asked once more"
    assert _places(library_dir) == {"more sea.jpg": None, "sea.jpg": "Lisbon", "tram.jpg": "Lisbon"}
