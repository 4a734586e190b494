"""People end to end on real photos of real people: index, one person per identity (a group
photo included), name, merge, "not this person", and search by name; faces in photos already
indexed are found when faces are switched on later."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.faces import people_folder as make_people_folder

OBAMA = {"obama.jpg", "obama2.jpg", "obama3.jpg", "obama_partial_face.jpg", "group.jpg"}
BIDEN = {"biden.jpg", "group.jpg"}


@pytest.fixture
def people_folder(tmp_path: Path) -> Path:
    return make_people_folder(tmp_path / "people")


def _people(cli) -> list[dict]:  # type: ignore[no-untyped-def]
    result = cli("people", "--json")
    assert result.code == 0, result.err
    return result.json["people"]


def _names(paths: list[str]) -> set[str]:
    return {Path(p).name for p in paths}


def test_faces_become_people_that_can_be_named_and_searched(cli, people_folder, monkeypatch):
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    report = cli("index", people_folder, "--json")
    assert report.code == 0, report.err
    assert report.json["faces"] == 7  # five portraits and two faces in the group photo
    listed = _people(cli)
    assert len(listed) == 2, "one person per real identity"
    by_photos = {frozenset(_names(p["photos"])): p for p in listed}
    assert set(by_photos) == {frozenset(OBAMA), frozenset(BIDEN)}, "no face in the wrong person"
    obama, biden = by_photos[frozenset(OBAMA)], by_photos[frozenset(BIDEN)]
    assert listed[0] is obama and obama["name"] is None and obama["faces"] == 5, "unnamed, largest first"
    status = cli("status", "--json").json
    assert status["consistent"] and status["face_vectors"] == 7
    assert (status["people"], status["hidden_people"], status["names"]) == (2, 0, 0)
    assert status["vectors"] == status["index_vectors"] == 9, "one CLIP vector per photo: faces never enter it"

    assert cli("people", "name", str(obama["id"]), "  Barack ").code == 0
    assert cli("people", "name", str(biden["id"]), "Joe").code == 0
    listed = _people(cli)
    assert [p["name"] for p in listed] == ["Barack", "Joe"], "named first, by name"
    found = cli("search", "--person", "barack", "--json")
    assert found.code == 0, found.err
    assert _names([r["path"] for r in found.json["results"]]) == OBAMA
    both = cli("search", "Barack and Joe", "--json").json["results"]
    assert _names([r["path"] for r in both]) == {"group.jpg"}, "both names: both in the photo"
    ranked = cli("search", "Joe in a suit", "--json").json["results"]
    assert _names([r["path"] for r in ranked]) == BIDEN, "the name filters, the words rank"
    unknown = cli("search", "--person", "Nobody")
    assert unknown.code != 0 and "no person is called 'Nobody'" in unknown.err and "Traceback" not in unknown.err

    again = cli("index", people_folder, "--json").json
    assert again["new"] == 0 and again["faces"] == 0
    assert [p["name"] for p in _people(cli)] == ["Barack", "Joe"], "names survive indexing again"

    hidden = cli("people", "hide", str(biden["id"]))
    assert hidden.code == 0 and f"people show {biden['id']}" in hidden.out, "how to bring him back"
    assert [p["name"] for p in _people(cli)] == ["Barack"]
    status = cli("status", "--json").json
    assert (status["people"], status["hidden_people"]) == (1, 1)
    everyone = cli("people", "--hidden", "--json").json["people"]
    assert [(p["name"], p["hidden"]) for p in everyone] == [("Barack", False), ("Joe", True)]
    assert "(hidden)" in cli("people", "--hidden").out
    found = cli("search", "--person", "Joe", "--json").json["results"]
    assert _names([r["path"] for r in found]) == BIDEN, "hidden from People, still found by name"
    assert cli("people", "show", str(biden["id"])).code == 0
    assert [p["name"] for p in _people(cli)] == ["Barack", "Joe"]


def test_a_wrong_face_leaves_its_person_for_good_and_merge_brings_people_together(
    cli, people_folder, monkeypatch, library_dir
):
    from app.catalog.faces import FACE
    from app.catalog.schema import FacePersonRow, RegionRow
    from app.library import Library

    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    assert cli("index", people_folder).code == 0
    obama = next(p for p in _people(cli) if _names(p["photos"]) == OBAMA)
    with Library(create=False) as library:
        from sqlalchemy import select

        with library.engine.connect() as conn:
            partial = conn.execute(
                select(RegionRow.id)
                .join(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
                .where(FacePersonRow.person_id == obama["id"], RegionRow.kind == FACE)
                .order_by(RegionRow.id)
            ).first()[0]
    moved = cli("people", "remove-face", str(partial))
    assert moved.code == 0, moved.err
    listed = _people(cli)
    assert len(listed) == 3 and next(p for p in listed if p["id"] == obama["id"])["faces"] == 4
    loner = next(p for p in listed if p["faces"] == 1)
    assert cli("people", "merge", str(obama["id"]), str(loner["id"])).code == 0
    assert next(p for p in _people(cli) if p["id"] == obama["id"])["faces"] == 5

    with sqlite3.connect(library_dir / "catalog.sqlite") as db:  # a taught name (teaching has its own tests)
        db.execute("INSERT INTO concepts(name, key, created_at) VALUES ('Rex', 'rex', 0)")
    for args, message in (
        (("people", "merge", "1"), "usage: photo-organizer people merge ID ID"),
        (("people", "hide"), "usage: photo-organizer people hide ID"),
        (("people", "show", "999"), "no person with id 999"),
        (("people", "name", "999", "Someone"), "no person with id 999"),
        (("people", "remove-face", "abc"), "expected a number"),
        (("people", "merge", str(obama["id"]), str(obama["id"])), "cannot be merged with themselves"),
        (("people", "name", str(obama["id"]), "   "), "cannot be empty"),
        (("people", "name", str(obama["id"]), "REX"), "a name taught to the search"),
    ):
        result = cli(*args)
        assert result.code != 0 and message in result.err and "Traceback" not in result.err, (args, result.err)


def test_faces_in_photos_already_indexed_are_found_when_switched_on(cli, people_folder, monkeypatch):
    assert cli("index", people_folder, "--json").json["faces"] == 0  # faces off (the tests' default)
    assert _people(cli) == []
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    report = cli("index", people_folder, "--json").json
    assert report["embedded"] == 0 and report["faces"] == 7, "nothing re-embedded; the faces found"
    assert len(_people(cli)) == 2
    assert cli("index", people_folder, "--no-faces", "--json").json["faces"] == 0


def test_names_and_corrections_survive_a_model_switch_and_new_photos(cli, people_folder, tmp_path, monkeypatch):
    from app.catalog import people as catalog_people
    from app.library import Library
    from tests.helpers.models import save_tiny_model

    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    assert cli("index", people_folder).code == 0
    obama = next(p for p in _people(cli) if _names(p["photos"]) == OBAMA)
    assert cli("people", "name", str(obama["id"]), "Barack").code == 0
    other = save_tiny_model(tmp_path / "other-model")
    switched = cli("index", people_folder, "--model", f"local-dir:{other}", "--json")
    assert switched.code == 0 and switched.json["reembedded"] > 0, switched.err
    assert [p["name"] for p in _people(cli)] == ["Barack", None], "a new search model leaves people alone"
    more = tmp_path / "more"
    more.mkdir()
    Image.open(people_folder / "obama3.jpg").save(more / "again.jpg", quality=70)  # another file of him
    assert cli("index", more, "--model", f"local-dir:{other}").code == 0
    barack = next(p for p in _people(cli) if p["name"] == "Barack")
    assert "again.jpg" in _names(barack["photos"]), "a new photo of Barack joins him"
    with Library(create=False) as library:
        assert library.people.confirm_faces(barack["id"]) == 1, "the suggested face, confirmed in one action"
        faces = catalog_people.person_faces(library.engine, barack["id"])
    assert all(f.confirmed for f in faces)
