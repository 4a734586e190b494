"""People's names keep to the same rules as taught names, a name already taken is never merged
without being asked, ids that could never exist get a clear line, and each face's id is listed;
a mistyped --library creates nothing. Real photos of real people, through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.faces import people_folder as make_people_folder

OBAMA = {"obama.jpg", "obama2.jpg", "obama3.jpg", "obama_partial_face.jpg", "group.jpg"}
BIDEN = {"biden.jpg", "group.jpg"}


@pytest.fixture
def people(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    folder = make_people_folder(tmp_path / "people")
    assert cli("index", folder).code == 0
    listed = cli("people", "--json").json["people"]
    by_photos = {frozenset(Path(p).name for p in person["photos"]): person for person in listed}
    return {"obama": by_photos[frozenset(OBAMA)], "biden": by_photos[frozenset(BIDEN)], "folder": {"path": folder}}


def _refused(cli, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.code == 2 and "Traceback" not in result.err, (args, result.err)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("photo-organizer: error:"), result.err
    return lines[0]


def test_a_person_cannot_take_a_word_the_search_reads(cli, people):
    obama = str(people["obama"]["id"])
    for word, why in (
        ("beach", "already a word the search understands"),
        ("the", "a common word"),
        ("!!", "no letters"),
    ):
        assert why in _refused(cli, "people", "name", obama, word), word
    assert cli("people", "name", obama, "Barack").code == 0
    assert [p["name"] for p in cli("people", "--json").json["people"]] == ["Barack", None]


def test_a_name_another_person_has_is_refused_unless_merge_is_asked(cli, people):
    obama, biden = str(people["obama"]["id"]), str(people["biden"]["id"])
    assert cli("people", "name", obama, "Anna").code == 0
    line = _refused(cli, "people", "name", biden, "anna")
    assert f"person {obama} is already called 'Anna'" in line and "--merge" in line
    listed = cli("people", "--json").json["people"]
    assert len(listed) == 2 and [p["name"] for p in listed] == ["Anna", None], "nothing merged"
    merged = cli("people", "name", biden, "anna", "--merge")
    assert merged.code == 0 and f"person {biden} merged into person {obama} (Anna)" in merged.out
    (only,) = cli("people", "--json").json["people"]
    assert only["name"] == "Anna" and only["faces"] == 7, "the name kept as it was written"


def test_each_face_has_an_id_that_remove_face_takes(cli, people):
    obama = people["obama"]
    assert len(obama["face_ids"]) == obama["faces"] == 5
    faces = cli("people", "faces", str(obama["id"]), "--json").json
    assert {f["face_id"] for f in faces["faces"]} == set(obama["face_ids"])
    assert {Path(f["path"]).name for f in faces["faces"]} == OBAMA
    face = obama["face_ids"][0]
    moved = cli("people", "remove-face", str(face), "--json")
    assert moved.code == 0, moved.err
    loner = next(p for p in moved.json["people"] if p["face_ids"] == [face])
    line = _refused(cli, "people", "remove-face", str(face))
    assert "already a person of its own" in line
    assert [p["id"] for p in cli("people", "--json").json["people"] if p["face_ids"] == [face]] == [loner["id"]]


@pytest.mark.parametrize(
    "args",
    [
        ("people", "name", "99999999999999999999999", "Anna"),
        ("people", "merge", "1", "99999999999999999999999"),
        ("people", "remove-face", "99999999999999999999999"),
        ("people", "hide", "99999999999999999999999"),
        ("people", "show", "99999999999999999999999"),
        ("people", "faces", "99999999999999999999999"),
        ("clusters", "--min-samples", "99999999999999"),
        ("clusters", "--algorithm", "kmeans", "--k", "99999999999999"),
    ],
)
def test_numbers_that_name_nothing_get_one_line(cli, tmp_path, args):
    from tests.helpers.images import photo, save_jpeg

    (tmp_path / "p").mkdir()
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    assert cli("index", tmp_path / "p").code == 0
    line = _refused(cli, *args)
    assert "no such id" in line or "from 1 to" in line or "from 2 to" in line, line


@pytest.mark.parametrize("command", [["status"], ["search", "dog"], ["people"], ["clusters"], ["duplicates"]])
def test_a_mistyped_library_is_never_created(cli, tmp_path, command):
    from tests.helpers.images import photo, save_jpeg

    photos = tmp_path / "mypics"
    photos.mkdir()
    save_jpeg(photos / "a.jpg", photo(1))
    for library in (photos, tmp_path / "typo"):
        result = cli(*command, "--library", library, "--json")
        assert result.code == 2 and "no library at" in result.err, (command, result.err)
        assert "no library at" in result.json["error"]
    assert sorted(p.name for p in photos.iterdir()) == ["a.jpg"], "nothing written into the photo folder"
    assert not (tmp_path / "typo").exists()


def test_an_empty_catalog_is_a_damaged_library(cli, tmp_path):
    from tests.helpers.images import photo, save_jpeg

    (tmp_path / "p").mkdir()
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    library = tmp_path / "lib"
    assert cli("index", tmp_path / "p", "--library", library).code == 0
    (library / "catalog.sqlite").write_bytes(b"")
    for command in (["status"], ["search", "dog"], ["index", str(tmp_path / "p")]):
        line = _refused(cli, *command, "--library", library)
        assert "empty (0 bytes)" in line and "damaged" in line, command
    assert (library / "catalog.sqlite").stat().st_size == 0, "never made into a new empty library"
    doctor = cli("doctor", "--library", library, "--json")
    assert doctor.code == 1 and "empty (0 bytes)" in doctor.json["library"]["error"]
    repaired = cli("doctor", "--repair", "--library", library, "--json")
    assert repaired.code == 0 and repaired.json["ok"], repaired.out
    assert list(library.glob("catalog.damaged-*.sqlite")), "the damaged file is kept beside it"
    assert cli("index", tmp_path / "p", "--library", library).code == 0
    status = cli("status", "--library", library, "--json").json
    assert status["images"] == 1 and status["consistent"]


def test_removed_photos_come_back_with_their_people_and_taught_examples(cli, people):
    """`remove` then indexing again: the named person gets their faces back (confirmed as they
    were), the taught name its examples; `remove` says what it keeps."""
    folder = people["folder"]["path"]
    obama = people["obama"]
    assert cli("people", "name", str(obama["id"]), "Barack").code == 0
    photos = sorted(str(p) for p in folder.iterdir() if p.name in {"biden.jpg", "obama.jpg", "obama2.jpg"})
    taught = cli("teach", "Zorblat", *photos, "--steps", "5", "--json")
    assert taught.code == 0, taught.err
    assert cli("concepts", "--json").json["concepts"][0]["examples"] == 3
    removed = cli("remove", folder, "--json")
    assert removed.code == 0, removed.err
    assert removed.json["kept_for_return"] == {"people": {"Barack": 5}, "names": {"Zorblat": 3}}
    assert cli("people", "--json").json["people"] == []
    assert cli("concepts", "--json").json["concepts"][0]["examples"] == 0

    assert cli("index", folder).code == 0
    listed = cli("people", "--json").json["people"]
    barack = next(p for p in listed if p["name"] == "Barack")
    assert {Path(p).name for p in barack["photos"]} == OBAMA and barack["faces"] == 5
    assert [p["name"] for p in listed] == ["Barack", None], "the other face is grouped as before"
    assert cli("concepts", "--json").json["concepts"][0]["examples"] == 3
    found = cli("search", "--person", "Barack", "--json").json["results"]
    assert {Path(r["path"]).name for r in found} == OBAMA
