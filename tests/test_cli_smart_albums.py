"""Smart albums (#31): a search saved with `search ... --save-as NAME` is an album that runs its
search each time it is shown, so photos rated, tagged or added later join it; it is listed by
`albums` with its count, filters searches, exports, and refuses what a search cannot keep."""

from __future__ import annotations

import sqlite3

from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool
from tests.test_cli_organise import _names, _refused, library  # noqa: F401  (a fixture)


def _album(cli, name: str) -> dict:  # type: ignore[no-untyped-def]
    return next(a for a in cli("albums", "--json").json["albums"] if a["name"] == name)


def test_a_saved_search_is_a_smart_album_that_updates_itself(cli, library, tmp_path):  # noqa: F811
    cli("rate", library / "beach.jpg", library / "anna.jpg", "--stars", "4")
    saved = cli("search", "--min-stars", "4", "--save-as", "Best", "--json")
    assert saved.code == 0 and saved.json["saved_as"] == "Best", saved.err
    assert _names(saved) == ["anna.jpg", "beach.jpg"]
    assert _album(cli, "Best") == {"name": "Best", "count": 2, "smart": True}

    cli("rate", library / "tram.jpg", "--stars", "5")
    assert _album(cli, "Best")["count"] == 3, "a photo rated later joins it"
    assert _names(cli("search", "--album", "Best", "--json")) == ["anna.jpg", "tram.jpg", "beach.jpg"]
    cli("rate", library / "beach.jpg", "--stars", "1")
    assert _names(cli("search", "--album", "Best", "--json")) == ["anna.jpg", "tram.jpg"], "and leaves it"

    new = tmp_path / "more"
    exiftool(save_jpeg(new / "late.jpg", photo(290, (320, 240))), "-DateTimeOriginal=2024:05:05 10:00:00")
    assert cli("index", new, "--no-detect", "--no-ocr", "--no-faces").code == 0
    cli("rate", new / "late.jpg", "--stars", "4")
    assert "late.jpg" in _names(cli("search", "--album", "Best", "--json")), "a photo added later too"

    words = cli("search", "a sunny day", "--top-k", "3", "--save-as", "Trips/Sunny", "--json")
    assert words.code == 0 and len(words.json["results"]) == 3
    assert _album(cli, "Trips/Sunny") == {"name": "Trips/Sunny", "count": 3, "smart": True}
    assert _names(cli("search", "--album", "Trips/Sunny", "--json")) == _names(words), "the same search, again"
    ranked = _names(cli("search", "a sunny day", "--album", "Best", "--json"))
    assert sorted(ranked) == ["anna.jpg", "late.jpg", "tram.jpg"], "words rank within a smart album"

    out = tmp_path / "out"
    exported = cli("export", out, "--album", "Best", "--json")
    assert exported.code == 0, exported.err
    assert sorted(p.name for p in out.iterdir()) == ["anna.jpg", "late.jpg", "tram.jpg"]


def test_what_a_smart_album_cannot_keep_or_do_is_refused_in_one_line(cli, library, library_dir):  # noqa: F811
    assert cli("search", "--favourites", "--save-as", "Loved").code == 0
    _refused(cli("album", "add", "Loved", library / "beach.jpg", "--json"), "smart album")
    _refused(cli("album", "remove", "Loved", library / "beach.jpg", "--json"), "smart album")
    _refused(cli("search", "--tag", "x", "--save-as", "Loved", "--json"), "already an album")
    _refused(cli("search", "--image", library / "beach.jpg", "--save-as", "Like", "--json"), "example photo")
    _refused(cli("search", "--save-as", "Nothing", "--json"), "give words")
    assert "Like" not in [a["name"] for a in cli("albums", "--json").json["albums"]], "nothing half-done"

    assert cli("search", "--album", "Circle", "--save-as", "Circle").code != 0, "no album Circle yet"
    cli("search", "--album", "Loved", "--save-as", "Circle")
    catalog = library_dir / "catalog.sqlite"
    with sqlite3.connect(catalog) as conn:  # an album saved by hand that names itself
        conn.execute("""UPDATE albums SET query = '{"filters": {"album": "Circle"}}' WHERE name = 'Circle'""")
    _refused(cli("search", "--album", "Circle", "--json"), "circle")
    with sqlite3.connect(catalog) as conn:
        conn.execute("UPDATE albums SET query = 'not json' WHERE name = 'Loved'")
    _refused(cli("search", "--album", "Loved", "--json"), "cannot be read", "Loved")
    listed = cli("albums", "--json")
    assert listed.code == 0 and {"name": "Loved", "count": 0, "smart": True} in listed.json["albums"]
