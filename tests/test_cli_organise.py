"""Albums, stars, favourites, rejects and tags end to end (#31): made from the command line on
photos dated by exiftool, used as filters with and without words (newest first), refused with
one line when the input is wrong (nothing half-done), and kept through what happens to photos:
a move and a rename, an edit in another app, leaving the library and coming back, a repair of
a damaged catalog."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool
from tests.test_damaged_library import _damage_table

TAKEN = {
    "beach.jpg": "2023:07:14 10:00:00",
    "castle.jpg": "2023:07:15 11:00:00",
    "tram.jpg": "2023:07:16 12:00:00",
    "anna.jpg": "2024:01:02 09:00:00",
    "ben.jpg": "2024:02:03 09:00:00",
}


@pytest.fixture
def library(cli, tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    for i, (name, taken) in enumerate(TAKEN.items()):
        exiftool(save_jpeg(folder / name, photo(200 + i, (320, 240))), f"-DateTimeOriginal={taken}")
    report = cli("index", folder, "--no-detect", "--no-ocr", "--no-faces", "--json")
    assert report.code == 0 and report.json["new"] == 5, report.err
    return folder


def _names(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.code == 0, result.err
    return [Path(r["path"]).name for r in result.json["results"]]


def _refused(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code != 0 and "Traceback" not in result.err
    message = result.json["error"] if result.json else result.err
    for word in words:
        assert word in message, message


def test_albums_nested_renamed_deleted_and_filtering(cli, library):
    assert cli("album", "create", "Trips/Lisbon 2023", "--json").json == {"album": "Trips/Lisbon 2023", "created": True}
    added = cli("album", "add", "trips/lisbon 2023", library / "beach.jpg", library / "castle.jpg", "--json")
    assert added.json["added"] == 2, "names match whatever their case"
    assert cli("album", "add", "Trips/Lisbon 2023", library / "castle.jpg", library / "tram.jpg").code == 0
    cli("album", "create", "Family")
    assert cli("album", "add", "Family", library / "anna.jpg", library / "castle.jpg").code == 0

    albums = cli("albums", "--json").json["albums"]
    assert albums == [
        {"name": "Family", "count": 2, "smart": False},
        {"name": "Trips", "count": 3, "smart": False},
        {"name": "Trips/Lisbon 2023", "count": 3, "smart": False},
    ], "a parent album is made, and shows its sub-albums' photos"

    assert _names(cli("search", "--album", "Trips", "--json")) == ["tram.jpg", "castle.jpg", "beach.jpg"]
    listed = cli("search", "--album", "Trips", "--json").json["results"][0]
    assert listed["why"] == "album: Trips"
    assert _names(cli("search", "--album", "Trips", "--top-k", "2", "--json")) == ["tram.jpg", "castle.jpg"]
    with_words = _names(cli("search", "a sunny day", "--album", "Family", "--json"))
    assert sorted(with_words) == ["anna.jpg", "castle.jpg"], "words rank only the album's photos"
    assert set(_names(cli("similar", library / "beach.jpg", "--album", "Trips", "--json"))) == {
        "castle.jpg",
        "tram.jpg",
    }

    assert cli("album", "remove", "Trips/Lisbon 2023", library / "tram.jpg", "--json").json["removed"] == 1
    assert (library / "tram.jpg").exists()
    assert cli("album", "rename", "Trips", "Travel", "--json").json["album"] == "Travel"
    names = [a["name"] for a in cli("albums", "--json").json["albums"]]
    assert names == ["Family", "Travel", "Travel/Lisbon 2023"], "sub-albums move with their parent"
    _refused(cli("album", "rename", "Travel", "Family", "--json"), "already an album named 'Family'")
    _refused(cli("album", "rename", "Travel", "Travel/Inside", "--json"), "inside itself")
    assert cli("album", "delete", "Travel", "--json").json["deleted"] == ["Travel", "Travel/Lisbon 2023"]
    assert [a["name"] for a in cli("albums", "--json").json["albums"]] == ["Family"]
    assert cli("status", "--json").json["images"] == 5, "deleting albums never removes photos"


def test_wrong_input_is_one_line_and_changes_nothing(cli, library, tmp_path):
    cli("album", "create", "Keep")
    assert cli("album", "add", "Keep", library / "beach.jpg").code == 0
    before = snapshot(library)
    stranger = save_jpeg(tmp_path / "elsewhere" / "stranger.jpg", photo(999))

    _refused(cli("album", "add", "Keep", library / "castle.jpg", stranger, "--json"), "not in the library", "stranger")
    assert _names(cli("search", "--album", "Keep", "--json")) == ["beach.jpg"], "nothing half-done"
    _refused(cli("album", "add", "Nowhere", library / "castle.jpg", "--json"), "no album named 'Nowhere'")
    _refused(cli("search", "--album", "Nowhere", "--json"), "no album named")
    _refused(cli("album", "create", "keep", "--json"), "already an album")
    _refused(cli("album", "create", " / ", "--json"), "empty")
    _refused(cli("rate", library / "beach.jpg", "--stars", "7", "--json"), "0 to 5")
    _refused(cli("rate", library / "beach.jpg", "--stars", "-1", "--json"), "0 to 5")
    _refused(cli("search", "--min-stars", "6", "--json"), "0 to 5")
    _refused(cli("tag", "add", "/", library / "beach.jpg", "--json"), "empty")
    _refused(cli("tag", "add", "x", tmp_path / "missing.jpg", "--json"), "not in the library")
    _refused(cli("tag", "remove", "never", library / "beach.jpg", "--json"), "no tag 'never'")
    _refused(cli("search", "--tag", "never", "--json"), "no photo is tagged")
    _refused(cli("search", "--json"), "give words", "--album")
    assert snapshot(library) == before, "no photo is ever touched"


def test_stars_favourites_rejects_and_tags_filter(cli, library):
    assert cli("rate", library / "beach.jpg", library / "castle.jpg", "--stars", "4", "--json").json["photos"] == 2
    assert cli("rate", library / "castle.jpg", "--stars", "2").code == 0
    assert cli("favourite", library / "tram.jpg", library / "anna.jpg").code == 0
    assert cli("favourite", library / "anna.jpg", "--off").code == 0
    assert cli("reject", library / "ben.jpg", "--json").json == {"photos": 1, "rejected": True}

    assert _names(cli("search", "--min-stars", "3", "--json")) == ["beach.jpg"]
    assert _names(cli("search", "--min-stars", "2", "--json")) == ["castle.jpg", "beach.jpg"]
    assert _names(cli("search", "--favourites", "--json")) == ["tram.jpg"]
    assert _names(cli("search", "--rejected", "--json")) == ["ben.jpg"]
    assert cli("reject", library / "ben.jpg", "--off").code == 0
    assert _names(cli("search", "--rejected", "--json")) == []

    assert cli("tag", "add", "Family/Anna", library / "anna.jpg", "--json").json == {
        "tag": "Family/Anna",
        "photos": 1,
    }
    assert cli("tag", "add", "family/ben", library / "ben.jpg").code == 0
    assert cli("tag", "add", "Summer", library).code == 0, "a folder tags every photo below it"
    assert cli("tags", "--json").json["tags"] == [
        {"name": "Family", "count": 2},
        {"name": "Family/Anna", "count": 1},
        {"name": "family/ben", "count": 1},
        {"name": "Summer", "count": 5},
    ]
    assert _names(cli("search", "--tag", "family", "--json")) == ["ben.jpg", "anna.jpg"], "a parent finds its children"
    assert _names(cli("search", "--tag", "Family/Anna", "--json")) == ["anna.jpg"]
    combined = cli("search", "--tag", "Summer", "--min-stars", "4", "--after", "2023-07-14", "--json")
    assert _names(combined) == ["beach.jpg"]
    assert cli("tag", "remove", "Family/Anna", library / "anna.jpg").code == 0
    tags = [t["name"] for t in cli("tags", "--json").json["tags"]]
    assert tags == ["family", "family/ben", "Summer"], "a tag on no photo is gone; the parent is as ben's is written"


def test_decisions_survive_moves_edits_leaving_and_repair(cli, library, library_dir, tmp_path):
    cli("album", "create", "Best")
    assert cli("album", "add", "Best", library / "beach.jpg", library / "castle.jpg").code == 0
    assert cli("rate", library / "beach.jpg", "--stars", "5").code == 0
    assert cli("tag", "add", "Sea", library / "beach.jpg").code == 0

    # Moved and renamed, then indexed again: the same photo, the same decisions.
    (library / "2023").mkdir()
    shutil.move(library / "beach.jpg", library / "2023" / "the beach.jpg")
    assert cli("index", library, "--no-detect", "--no-ocr", "--no-faces").code == 0
    assert _names(cli("search", "--album", "Best", "--min-stars", "5", "--tag", "Sea", "--json")) == ["the beach.jpg"]

    # Edited in another app (new pixels at the same path): its decisions go with it.
    castle = library / "castle.jpg"
    stat = castle.stat()
    exiftool(save_jpeg(castle, photo(777, (320, 240))), "-DateTimeOriginal=2023:07:15 11:00:00")
    os.utime(castle, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert cli("index", library, "--no-detect", "--no-ocr", "--no-faces").code == 0
    assert sorted(_names(cli("search", "--album", "Best", "--json"))) == ["castle.jpg", "the beach.jpg"]

    # Out of the library and back: still in its album, still rated.
    assert cli("remove", library / "2023").code == 0
    assert _names(cli("search", "--album", "Best", "--json")) == ["castle.jpg"]
    assert cli("albums", "--json").json["albums"] == [{"name": "Best", "count": 1, "smart": False}]
    assert cli("index", library / "2023", "--no-detect", "--no-ocr", "--no-faces").code == 0
    assert _names(cli("search", "--min-stars", "5", "--json")) == ["the beach.jpg"]

    # A damaged catalog that lost every photo's row: doctor --repair keeps the decisions (kept
    # by content), and indexing the photos again finds them there.
    _damage_table(library_dir / "catalog.sqlite", "images")
    repaired = cli("doctor", "--repair", "--json")
    assert repaired.code == 0, repaired.err
    assert repaired.json["repair"]["copied_rows"]["album_photos"] == 3, "the edited castle's old content too"
    assert cli("index", library, "--no-detect", "--no-ocr", "--no-faces").code == 0
    assert sorted(_names(cli("search", "--album", "Best", "--json"))) == ["castle.jpg", "the beach.jpg"]
    assert _names(cli("search", "--tag", "sea", "--min-stars", "5", "--json")) == ["the beach.jpg"]
