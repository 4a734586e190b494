"""End-to-end indexing through the CLI on real files: DESIGN.md invariants 1 and 3-7."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.helpers.images import make_broken_set, make_valid_set, photo, save_jpeg


@pytest.fixture
def mixed_folder(tmp_path: Path) -> tuple[Path, dict[str, Path], dict[str, Path]]:
    root = tmp_path / "photos"
    valid = make_valid_set(root / "valid")
    broken = make_broken_set(root / "broken")
    # A directory named like a photo holds a photo; a link to a parent must not loop.
    save_jpeg(root / "x.jpg" / "inside.jpg", photo(40))
    valid["inside_dir"] = root / "x.jpg" / "inside.jpg"
    os.symlink("..", root / "valid" / "up")
    # Hidden folders are skipped.
    save_jpeg(root / ".cache" / "hidden.jpg", photo(41))
    return root, valid, broken


def test_mixed_folder_indexes_valid_reports_broken_and_modifies_nothing(cli, mixed_folder):
    root, valid, broken = mixed_folder
    before = snapshot(root)
    result = cli("index", root, "--json")
    assert result.code == 0, result.err
    report = result.json
    assert report["new"] == len(valid)
    assert report["embedded"] == len(valid)
    assert report["failed"] == len(broken)
    failed_paths = {f["path"]: f["error"] for f in report["failures"]}
    assert set(failed_paths) == {str(p) for p in broken.values()}
    assert failed_paths[str(broken["empty"])] == "empty file"
    assert "truncated" in failed_paths[str(broken["truncated"])]
    assert "decompression bomb" in failed_paths[str(broken["bomb"])]
    assert "not a recognised image" in failed_paths[str(broken["text"])]
    assert "link" in failed_paths[str(broken["symlink_loop"])]
    for key in (
        "scanned",
        "new",
        "moved",
        "unchanged",
        "removed",
        "failed",
        "embedded",
        "regions",
        "seconds",
        "images_per_second",
        "failures",
    ):
        assert key in report
    assert snapshot(root) == before, "indexing must never modify a user's file"

    status = cli("status", "--json").json
    assert status["images"] == len(valid) and status["files"] == len(valid)
    assert status["vectors"] == status["index_vectors"] == len(valid)
    assert status["consistent"] is True
    assert status["model"] == "PO-Tiny/random"
    for key in ("images", "files", "regions", "vectors", "index_vectors", "model", "library", "consistent"):
        assert key in status


def test_second_run_embeds_nothing(cli, mixed_folder):
    root, valid, broken = mixed_folder
    cli("index", root, "--json")
    again = cli("index", root, "--json").json
    assert again["embedded"] == 0
    assert again["new"] == 0
    assert again["unchanged"] == len(valid)
    assert again["failed"] == len(broken)


def test_rename_is_a_move_delete_is_a_removal_and_copies_share_one_image(cli, tmp_path):
    root = tmp_path / "photos"
    paths = [save_jpeg(root / f"p{i}.jpg", photo(i)) for i in range(4)]
    shutil.copy2(paths[0], root / "copy-of-p0.jpg")
    first = cli("index", root, "--json").json
    assert first["embedded"] == 4
    status = cli("status", "--json").json
    assert (status["images"], status["files"]) == (4, 5)

    (root / "sub").mkdir()
    os.rename(paths[1], root / "sub" / "renamed.jpg")
    moved = cli("index", root, "--json").json
    assert moved["moved"] == 1 and moved["embedded"] == 0 and moved["removed"] == 0

    paths[2].unlink()
    removed = cli("index", root, "--json").json
    assert removed["removed"] == 1 and removed["embedded"] == 0
    status = cli("status", "--json").json
    assert (status["images"], status["files"], status["vectors"], status["index_vectors"]) == (3, 4, 3, 3)
    assert status["consistent"]

    # Removing one of two copies keeps the image; removing the last copy drops its vector.
    paths[0].unlink()
    cli("index", root, "--json")
    assert cli("status", "--json").json["images"] == 3
    (root / "copy-of-p0.jpg").unlink()
    cli("index", root, "--json")
    status = cli("status", "--json").json
    assert (status["images"], status["vectors"], status["index_vectors"]) == (2, 2, 2)


def test_changed_content_replaces_the_old_image(cli, tmp_path):
    root = tmp_path / "photos"
    target = save_jpeg(root / "a.jpg", photo(1))
    save_jpeg(root / "b.jpg", photo(2))
    cli("index", root, "--json")
    save_jpeg(target, photo(99))
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    report = cli("index", root, "--json").json
    assert report["embedded"] == 1
    status = cli("status", "--json").json
    assert (status["images"], status["vectors"], status["index_vectors"]) == (2, 2, 2)


def test_a_fixed_file_leaves_the_failure_list(cli, tmp_path):
    root = tmp_path / "photos"
    bad = root / "later.jpg"
    root.mkdir()
    bad.write_bytes(b"")
    assert cli("index", root, "--json").json["failed"] == 1
    save_jpeg(bad, photo(3))
    report = cli("index", root, "--json").json
    assert report["failed"] == 0 and report["embedded"] == 1


def test_indexing_a_single_file_and_two_roots(cli, tmp_path):
    a = save_jpeg(tmp_path / "one" / "a.jpg", photo(1))
    save_jpeg(tmp_path / "two" / "b.jpg", photo(2))
    assert cli("index", a, "--json").json["embedded"] == 1
    report = cli("index", tmp_path / "one", tmp_path / "two", "--json").json
    assert report["embedded"] == 1 and report["unchanged"] == 1


def test_library_inside_the_indexed_folder_is_not_indexed(cli, tmp_path, monkeypatch):
    root = tmp_path / "photos"
    save_jpeg(root / "a.jpg", photo(1))
    monkeypatch.setenv("PHOTO_ORGANIZER_LIBRARY", str(root / "library"))
    cli("index", root, "--json")
    report = cli("index", root, "--json").json
    assert report["scanned"] == 1 and report["embedded"] == 0


def test_odd_images_are_recorded_with_their_metadata(cli, mixed_folder):
    from app.catalog import lookups
    from app.library import Library

    root, valid, _ = mixed_folder
    cli("index", root, "--json")
    with Library() as library:
        ids = {p: lookups.image_id_for_path(library.engine, str(p)) for p in valid.values()}
        infos = lookups.images(library.engine, [i for i in ids.values() if i is not None])
    assert all(i is not None for i in ids.values())
    exif = infos[ids[valid["exif"]]]
    assert exif.camera == "Canon EOS 80D" and exif.taken_at is not None
    rotated = infos[ids[valid["rotated"]]]
    assert (rotated.width, rotated.height) == (200, 300)  # orientation 6: shown rotated
    assert (infos[ids[valid["panorama"]]].width, infos[ids[valid["1x1"]]].width) == (12000, 1)
