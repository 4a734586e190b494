"""`status` counts missing files and thumbnails from what it counted before where nothing
changed: a file deleted, a file put back, a link whose target went, a thumbnail removed, each
shows at once; a status with nothing changed lists no folder."""

from __future__ import annotations

import os
import shutil

import pytest

from app.indexing import missing_counts, missing_thumbnails
from tests.helpers.images import photo, save_jpeg


@pytest.fixture
def photos(cli, tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "photos"
    for k in range(3):
        save_jpeg(root / "trip" / f"IMG_{k}.jpg", photo(k))
    save_jpeg(root / "home" / "cat.jpg", photo(7))
    shutil.copy(root / "home" / "cat.jpg", tmp_path / "elsewhere.jpg")
    os.symlink(tmp_path / "elsewhere.jpg", root / "home" / "linked.jpg")
    assert cli("index", root).code == 0
    return root


def _missing(cli) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    report = cli("status", "--json").json
    return report["files_missing"], report["thumbnails_missing"]


def test_missing_files_and_thumbnails_show_at_once(cli, photos, library_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(missing_thumbnails, "SETTLE_NS", 0)  # counts trusted at once, as a while later
    assert _missing(cli) == (0, 0)
    assert (library_dir / "analysis" / missing_counts.CACHE).exists()

    (photos / "trip" / "IMG_1.jpg").unlink()
    assert _missing(cli) == (1, 0)
    save_jpeg(photos / "trip" / "IMG_1.jpg", photo(1))
    assert _missing(cli) == (0, 0)

    (tmp_path / "elsewhere.jpg").unlink()  # the link's own folder does not change
    assert _missing(cli) == (1, 0)

    thumbnail = next((library_dir / "thumbnails").rglob("*.jpg"))
    thumbnail.unlink()
    assert _missing(cli) == (1, 1)


def test_a_status_with_nothing_changed_lists_no_folder_of_photos(cli, photos, monkeypatch):
    monkeypatch.setattr(missing_thumbnails, "SETTLE_NS", 0)
    (photos / "trip" / "IMG_2.jpg").unlink()
    assert _missing(cli) == (1, 0)
    listed: list[int] = []
    real = missing_counts.missing_paths
    monkeypatch.setattr(missing_counts, "missing_paths", lambda paths: listed.append(len(paths)) or real(paths))
    assert _missing(cli) == (1, 0)
    assert listed == [2], "only the folder holding a link is listed again (its target may go)"


def test_counts_made_in_the_same_moment_as_a_change_are_not_trusted(cli, photos, monkeypatch):
    assert _missing(cli) == (0, 0)
    listed: list[int] = []
    real = missing_counts.missing_paths
    monkeypatch.setattr(missing_counts, "missing_paths", lambda paths: listed.append(len(paths)) or real(paths))
    assert _missing(cli) == (0, 0)
    assert sorted(listed) == [2, 3], "folders changed within SETTLE_NS of their count: counted again"
