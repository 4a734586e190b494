"""The trash never takes the wrong file: what goes must still be the very file indexed, the kept
file must be there and be itself, and two paths of one file are never duplicates of each other.
Through `photo-organizer trash` (the window's "Move the others to the Trash" as a command) and
`duplicates`, on real JPEGs and a real freedesktop.org trash in the test's own folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg
from tests.helpers.trash import use_trash_in


@pytest.fixture
def copies(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """An original, its exact copy in backup/, and an unrelated photo; indexed."""
    root = tmp_path / "photos"
    (root / "backup").mkdir(parents=True)
    original = save_jpeg(root / "beach.jpg", photo(1))
    copy = root / "backup" / "beach.jpg"
    shutil.copyfile(original, copy)
    other = save_jpeg(root / "other.jpg", photo(2))
    assert cli("index", root).code == 0
    trash = use_trash_in(tmp_path / "xdg", monkeypatch)
    return {"root": root, "original": original, "copy": copy, "other": other, "trash": trash}


def _trash(cli, *args: str):  # type: ignore[no-untyped-def]
    return cli("trash", *args, "--yes", "--json")


def _trashed(trash: Path) -> list[str]:
    return sorted(os.listdir(trash / "files")) if (trash / "files").exists() else []


def test_the_exact_copy_goes_and_the_kept_photo_stays(cli, copies):
    result = _trash(cli, str(copies["copy"]), "--keep", str(copies["original"]))
    assert result.code == 0, result.err
    assert result.json == {"moved": [str(copies["copy"])], "refused": []}
    assert _trashed(copies["trash"]) == ["beach.jpg"] and copies["original"].exists()
    status = cli("status", "--json").json
    assert status["files"] == 2 and status["consistent"]


def test_a_file_replaced_after_indexing_is_refused(cli, copies):
    shutil.copyfile(copies["other"], copies["copy"])  # `cp other.jpg backup/beach.jpg`
    result = _trash(cli, str(copies["copy"]), "--keep", str(copies["original"]))
    assert result.code == 1
    assert result.json["moved"] == []
    assert result.json["refused"] == [
        {
            "path": str(copies["copy"]),
            "why": "it changed since it was indexed (index its folder again, then look again)",
        }
    ]
    assert _trashed(copies["trash"]) == [] and copies["copy"].read_bytes() == copies["other"].read_bytes()
    assert cli("status", "--json").json["files"] == 3, "the library still knows the path"


def test_a_file_rewritten_in_place_with_the_same_size_is_refused(cli, copies):
    data = bytearray(copies["copy"].read_bytes())
    data[-10] ^= 0xFF
    stat = copies["copy"].stat()
    copies["copy"].write_bytes(bytes(data))
    os.utime(copies["copy"], ns=(stat.st_atime_ns, stat.st_mtime_ns))  # `touch -r`: size and mtime as before
    result = _trash(cli, str(copies["copy"]), "--keep", str(copies["original"]))
    assert result.code == 1 and "changed since it was indexed" in result.json["refused"][0]["why"]
    assert _trashed(copies["trash"]) == []


def test_a_kept_photo_that_is_gone_is_never_suggested_and_nothing_moves(cli, copies):
    copies["original"].unlink()
    groups = cli("duplicates", "--json").json["groups"]
    assert not any(str(copies["original"]) == g["keep"] for g in groups)
    assert not [g for g in groups if g["tier"] == "exact"], "one file left: nothing to choose between"
    result = _trash(cli, str(copies["copy"]), "--keep", str(copies["original"]))
    assert result.code == 1 and result.json["moved"] == []
    assert result.json["refused"][0]["path"] == str(copies["original"])
    assert "no longer there" in result.json["refused"][0]["why"]
    assert copies["copy"].exists(), "the last copy stays"


def test_a_path_that_is_now_a_folder_is_refused_with_its_photos(cli, copies):
    copies["copy"].unlink()
    copies["copy"].mkdir()
    inside = save_jpeg(copies["copy"] / "inside.jpg", photo(7))
    result = _trash(cli, str(copies["copy"]), "--keep", str(copies["original"]))
    assert result.code == 1 and "a folder now" in result.json["refused"][0]["why"]
    assert inside.exists() and _trashed(copies["trash"]) == []


def test_one_refusal_moves_nothing_of_the_group(cli, copies, tmp_path):
    third = copies["root"] / "backup" / "beach (1).jpg"
    shutil.copyfile(copies["original"], third)
    assert cli("index", copies["root"]).code == 0
    shutil.copyfile(copies["other"], third)
    result = _trash(cli, str(copies["copy"]), str(third), "--keep", str(copies["original"]))
    assert result.code == 1 and result.json["moved"] == []
    assert [r["path"] for r in result.json["refused"]] == [str(third)]
    assert copies["copy"].exists() and _trashed(copies["trash"]) == []


def test_a_path_given_twice_is_one_file(cli, copies):
    result = _trash(cli, str(copies["copy"]), str(copies["copy"]), "--keep", str(copies["original"]))
    assert result.code == 0 and result.json == {"moved": [str(copies["copy"])], "refused": []}


def test_the_kept_photo_itself_and_strangers_are_refused(cli, copies, tmp_path):
    result = _trash(cli, str(copies["original"]), "--keep", str(copies["original"]))
    assert result.code == 1 and result.json["refused"] == [
        {"path": str(copies["original"]), "why": "it is the photo to keep"}
    ]
    stranger = save_jpeg(tmp_path / "elsewhere.jpg", photo(9))
    result = _trash(cli, str(stranger), "--keep", str(copies["original"]))
    assert result.code == 2 and "not in the library" in result.err
    assert result.json == {
        "error": f"{stranger} is not in the library; only photos of the library are moved to the trash"
    }
    assert stranger.exists() and _trashed(copies["trash"]) == []


def test_a_folder_indexed_again_through_a_symlink_is_one_photo_not_two(cli, tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    save_jpeg(real / "a.jpg", photo(3))
    save_jpeg(real / "b.jpg", photo(4))
    alias = tmp_path / "alias"
    alias.symlink_to(real)
    trash = use_trash_in(tmp_path / "xdg", monkeypatch)
    assert cli("index", real).code == 0
    assert cli("index", alias).code == 0
    files = cli("status", "--json").json["files"]
    groups = cli("duplicates", "--tier", "exact", "--json").json["groups"]
    assert groups == [], f"{files} paths of 2 files are not copies"
    result = _trash(cli, str(alias / "a.jpg"), "--keep", str(real / "a.jpg"))
    assert result.code == 1 and result.json["moved"] == []
    assert "under another path" in result.json["refused"][0]["why"]
    assert (real / "a.jpg").exists() and _trashed(trash) == []


def test_a_kept_symlink_never_lets_its_target_go(cli, tmp_path, monkeypatch):
    root = tmp_path / "photos"
    (root / "backup").mkdir(parents=True)
    target = save_jpeg(root / "backup" / "c.jpg", photo(5))
    (root / "c.jpg").symlink_to(target)
    other = save_jpeg(root / "d.jpg", photo(6))
    hard = root / "backup" / "d-hardlink.jpg"
    os.link(other, hard)
    trash = use_trash_in(tmp_path / "xdg", monkeypatch)
    assert cli("index", root).code == 0
    assert cli("duplicates", "--tier", "exact", "--json").json["groups"] == [], "a link and its target are one file"
    result = _trash(cli, str(target), "--keep", str(root / "c.jpg"))
    assert result.code == 1 and "under another path" in result.json["refused"][0]["why"]
    result = _trash(cli, str(hard), "--keep", str(other))
    assert result.code == 1 and "under another path" in result.json["refused"][0]["why"]
    assert target.exists() and hard.exists() and _trashed(trash) == []


def test_without_yes_it_refuses_with_no_terminal_and_asks_on_one(copies, library_dir):
    args = [sys.executable, "-m", "app", "trash", str(copies["copy"]), "--keep", str(copies["original"])]
    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library_dir), "XDG_DATA_HOME": str(copies["trash"].parent)}
    done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "add --yes" in done.stderr and "Traceback" not in done.stderr
    assert copies["copy"].exists()
    script = f"import pty, sys; sys.exit(pty.spawn({args!r}) >> 8)"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, input="n\n", capture_output=True, text=True, timeout=120
    )
    assert "Move 1 file to the Trash" in done.stdout and "nothing was moved" in done.stdout
    assert copies["copy"].exists()
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, input="y\n", capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout
    assert not copies["copy"].exists() and copies["original"].exists()
    assert sorted(os.listdir(copies["trash"] / "files")) == ["beach.jpg"]


def test_a_failed_move_leaves_no_ghost_in_the_trash():
    from tests.helpers.unprivileged import run_cli, user_folder

    with user_folder() as home:
        photos, lib = home / "photos", home / "lib"
        (photos / "backup").mkdir(parents=True)
        original = save_jpeg(photos / "a.jpg", photo(8))
        copy = photos / "backup" / "a.jpg"
        shutil.copyfile(original, copy)
        assert run_cli(["index", photos, "--library", lib], home).code == 0
        (photos / "backup").chmod(0o555)  # the file may be written, its folder not: the move fails
        run = run_cli(["trash", copy, "--keep", original, "--yes", "--json", "--library", lib], home)
        assert run.code == 1 and "Traceback" not in run.err, run
        assert run.json["moved"] == [] and run.json["refused"][0]["path"] == str(copy), run
        info = home / ".local" / "share" / "Trash" / "info"
        assert not info.exists() or os.listdir(info) == [], "no .trashinfo for a file that never arrived"
        assert copy.exists()
        status = run_cli(["status", "--json", "--library", lib], home).json
        assert status["files"] == 2 and status["consistent"]
