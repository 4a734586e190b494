"""Forgetting folders and photos from the command line: the files are never touched."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import snapshot
from tests.helpers.images import photo, save_jpeg


def test_a_deleted_folder_is_offered_for_removal_and_then_forgotten(cli, tmp_path: Path):
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    for i in range(3):
        save_jpeg(gone / f"g{i}.jpg", photo(i))
    save_jpeg(kept / "k.jpg", photo(9))
    assert cli("index", gone, kept).code == 0
    shutil.rmtree(gone)

    offer = cli("index", gone)
    assert offer.code == 2 and "Traceback" not in offer.err
    assert "3 photos" in offer.err and f"photo-organizer remove {gone}" in offer.err, offer.err

    removed = cli("remove", gone, "--json")
    assert removed.code == 0, removed.err
    assert removed.json == {
        "removed_files": 3,
        "removed_images": 3,
        "removed_failures": 0,
        "forgotten_folders": [str(gone)],
        "kept_for_return": {"people": {}, "names": {}},
    }
    hits = cli("search", "pattern", "--json").json["results"]
    assert [Path(h["path"]).name for h in hits] == ["k.jpg"]
    status = cli("status", "--json").json
    assert status["images"] == status["vectors"] == status["index_vectors"] == 1 and status["consistent"]
    assert "nothing" in cli("remove", gone).err


def test_removing_a_photo_or_a_subfolder_never_touches_the_files(cli, tmp_path: Path):
    root = tmp_path / "p"
    for i in range(2):
        save_jpeg(root / "sub" / f"s{i}.jpg", photo(20 + i))
    save_jpeg(root / "a.jpg", photo(30))
    (root / "bad.jpg").write_bytes(b"not a photo")
    assert cli("index", root).code == 0
    before = snapshot(root)
    human = cli("remove", root / "sub", root / "bad.jpg")
    assert human.code == 0 and "forgot 2 files" in human.out and "not touched" in human.out, human.out
    assert snapshot(root) == before
    status = cli("status", "--json").json
    assert status["images"] == 1 and status["failures"] == 0
    assert cli("index", root, "--json").json["new"] == 2, "indexing the folder again brings them back"


def test_remove_refuses_nothing_to_do_and_empty_paths(cli, tmp_path: Path):
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    assert cli("index", tmp_path / "p").code == 0
    for args in (("remove", tmp_path / "elsewhere"), ("remove", ""), ("index", ""), ("index", "  ")):
        run = cli(*args)
        assert run.code == 2 and run.err.startswith("photo-organizer: error:") and "Traceback" not in run.err, args
    assert cli("status", "--json").json["images"] == 1
