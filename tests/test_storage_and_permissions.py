"""Only a confirmed absence removes anything; the environment failing is never the photo's
fault (DESIGN.md invariant 8). The commands run without root's capabilities, since root reads
through chmod 000."""

from __future__ import annotations

import errno
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.indexing import scanner
from app.library import Library
from tests.helpers.images import photo, save_jpeg
from tests.helpers.unprivileged import can_mount, run_cli, shell_in_mount_namespace, user_folder


@pytest.fixture
def home() -> Iterator[Path]:
    with user_folder() as folder:
        yield folder


def _photos(folder: Path, names: list[str], seed: int = 0) -> None:
    for i, name in enumerate(names):
        save_jpeg(folder / name, photo(seed + i))


def _clean_error(run) -> str:  # type: ignore[no-untyped-def]
    assert run.code != 0 and "Traceback" not in run.err, run
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("photo-organizer: error:"), run
    return lines[0]


def test_a_folder_that_cannot_be_listed_keeps_its_photos(home: Path):
    photos, lib = home / "photos", home / "lib"
    _photos(photos, ["a.jpg", "sub/b.jpg", "sub/c.jpg"])
    assert run_cli(["index", photos, "--library", lib, "--json"], home).code == 0
    (photos / "sub").chmod(0o000)
    try:
        run = run_cli(["index", photos, "--library", lib, "--json"], home)
        assert run.code == 0, run
        assert run.json["removed"] == 0
        assert run.json["unreadable_folders"] == [
            {"path": str(photos / "sub"), "error": "permission denied", "kept": 2}
        ]
        assert "cannot read the folder" in run.err and "kept" in run.err
        photos.chmod(0o000)  # the root itself
        run = run_cli(["index", photos, "--library", lib, "--json"], home)
        assert run.code == 0 and run.json["removed"] == 0, run
    finally:
        photos.chmod(0o755)
        (photos / "sub").chmod(0o755)
    status = run_cli(["status", "--library", lib, "--json"], home).json
    assert status["images"] == status["vectors"] == 3 and status["consistent"]


def test_an_io_error_while_listing_keeps_the_photos_below(library_dir: Path, tmp_path: Path, monkeypatch):
    photos = tmp_path / "nas"
    _photos(photos, ["a.jpg", "deep/b.jpg"])
    with Library(library_dir) as lib:
        lib.index([photos])
        real = os.scandir

        def flaky(path):  # type: ignore[no-untyped-def]
            if str(path).endswith("deep"):
                raise OSError(errno.EIO, "Input/output error", str(path))
            return real(path)

        monkeypatch.setattr(scanner.os, "scandir", flaky)
        report = lib.index([photos])
        assert report.removed == 0 and lib.status().images == 2
        assert report.unreadable_folders[0]["error"] == "cannot read: Input/output error"


def test_an_unwritable_thumbnail_folder_is_the_librarys_problem_and_is_retried(home: Path):
    photos, lib = home / "photos", home / "lib"
    _photos(photos, [f"p{i}.jpg" for i in range(4)])
    (home / "empty").mkdir()
    assert run_cli(["index", home / "empty", "--library", lib], home).code == 0  # creates the library
    (lib / "thumbnails").mkdir(exist_ok=True)
    (lib / "thumbnails").chmod(0o555)
    try:
        run = run_cli(["index", photos, "--library", lib, "--json"], home)
        message = _clean_error(run)
        assert "cannot write to the library" in message and "permission denied" in message
        status = run_cli(["status", "--library", lib, "--json"], home).json
        assert status["failures"] == 0, "nothing is blamed on the photos"
    finally:
        (lib / "thumbnails").chmod(0o755)
    run = run_cli(["index", photos, "--library", lib, "--json"], home)
    assert run.code == 0 and run.json["new"] == 4 and run.json["failed"] == 0, run


def test_a_photo_briefly_unreadable_is_kept_and_tried_again(home: Path):
    photos, lib = home / "photos", home / "lib"
    _photos(photos, ["a.jpg", "b.jpg"])
    assert run_cli(["index", photos, "--library", lib], home).code == 0
    _photos(photos, ["new.jpg"], seed=50)
    os.utime(photos / "a.jpg", ns=(1, 1_000_000_000))  # changed: it will be read again
    for name in ("a.jpg", "new.jpg"):
        (photos / name).chmod(0o000)
    try:
        run = run_cli(["index", photos, "--library", lib, "--json"], home)
        assert run.code == 0, run
        failed = {Path(f["path"]).name: (f["error"], f["retry"]) for f in run.json["failures"]}
        assert failed == {"a.jpg": ("permission denied", True), "new.jpg": ("permission denied", True)}
        assert run_cli(["status", "--library", lib, "--json"], home).json["images"] == 2, "a.jpg is kept"
    finally:
        for name in ("a.jpg", "new.jpg"):
            (photos / name).chmod(0o644)
    run = run_cli(["index", photos, "--library", lib, "--json"], home)
    assert run.code == 0 and run.json["failed"] == 0 and run.json["new"] == 1, run
    status = run_cli(["status", "--library", lib, "--json"], home).json
    assert status["images"] == 3 and status["failures"] == 0 and status["consistent"]


def test_a_library_reached_through_a_symbolic_link_never_indexes_itself(cli, tmp_path: Path):
    real = tmp_path / "realpics"
    _photos(real, ["a.jpg", "b.jpg", "c.jpg"])
    os.symlink(real, tmp_path / "pics")
    for _ in range(3):
        run = cli("index", tmp_path / "pics", "--library", tmp_path / "pics" / "lib", "--json")
        assert run.code == 0, run.err
    status = cli("status", "--library", tmp_path / "pics" / "lib", "--json").json
    assert status["images"] == 3, "the library's own thumbnails are not photos"
    assert "library's own folder" in run.err


@pytest.mark.parametrize("library", ["/proc/self", "unwritable/lib"])
def test_a_library_that_cannot_be_created_is_one_line(home: Path, library: str):
    target = Path(library) if library.startswith("/") else home / library
    if not library.startswith("/"):
        target.parent.mkdir()
        target.parent.chmod(0o555)
    for command in (["status"], ["index", home]):
        _clean_error(run_cli([*command, "--library", target], home))


def test_a_read_only_library_still_answers(home: Path):
    photos, lib = home / "photos", home / "lib"
    _photos(photos, [f"p{i}.jpg" for i in range(6)])
    assert run_cli(["index", photos, "--library", lib], home).code == 0
    assert run_cli(["clusters", "--library", lib, "--json"], home).code == 0  # computed while writable
    for path in [lib, *lib.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        status = run_cli(["status", "--library", lib, "--json"], home)
        assert status.code == 0 and status.json["read_only"] and status.json["images"] == 6, status
        assert status.json["consistent"]
        search = run_cli(["search", "pattern", "--library", lib, "--json"], home)
        assert search.code == 0 and len(search.json["results"]) == 6, search
        similar = run_cli(["similar", photos / "p0.jpg", "--library", lib, "--json"], home)
        assert similar.code == 0 and len(similar.json["results"]) == 5, similar
        clusters = run_cli(["clusters", "--library", lib, "--json"], home)
        assert clusters.code == 0, clusters
        assert "read-only" in _clean_error(run_cli(["index", photos, "--library", lib], home))
        assert "read-only" in _clean_error(run_cli(["remove", photos, "--library", lib], home))
    finally:
        for path in [lib, *lib.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


needs_mount = pytest.mark.skipif(not can_mount(), reason="needs root with a private mount namespace (tmpfs)")


@needs_mount
@pytest.mark.parametrize("limit", ["size=400k", "nr_inodes=40"])
def test_a_full_disk_ends_the_run_in_one_line_and_the_library_is_whole_once_space_is_back(home: Path, limit: str):
    photos = home / "photos"
    _photos(photos, [f"p{i:02d}.jpg" for i in range(60)])
    script = textwrap.dedent(f"""
        mkdir -p lib
        mount -t tmpfs -o {limit},mode=755 tmpfs lib
        set +e
        "$PY" -m app index photos --library lib --json > first.json 2> first.err
        echo $? > first.code
        "$PY" -m app status --library lib --json > full-status.json 2> full-status.err
        echo $? > full-status.code
        set -e
        mount -o remount,size=64m,nr_inodes=100000 lib
        "$PY" -m app index photos --library lib --json > second.json
        "$PY" -m app status --library lib --json > status.json
    """)
    done = shell_in_mount_namespace(script, home)
    assert done.returncode == 0, done.stderr + (home / "first.err").read_text()
    assert (home / "first.code").read_text().strip() == "2"
    first_err = [line for line in (home / "first.err").read_text().splitlines() if line.strip()]
    assert len(first_err) == 1 and "full" in first_err[0] and "Traceback" not in first_err[0], first_err
    assert (home / "full-status.code").read_text().strip() == "0", (home / "full-status.err").read_text()
    import json

    status = json.loads((home / "status.json").read_text())
    assert status["images"] == status["files"] == status["vectors"] == status["index_vectors"] == 60
    assert status["consistent"] and status["failures"] == 0


@needs_mount
def test_a_library_on_read_only_media_opens_read_only(home: Path):
    photos = home / "photos"
    _photos(photos, [f"p{i}.jpg" for i in range(3)])
    script = textwrap.dedent("""
        mkdir -p lib
        mount -t tmpfs -o size=64m tmpfs lib
        "$PY" -m app index photos --library lib > /dev/null
        mount -o remount,ro lib
        "$PY" -m app status --library lib --json > status.json
        "$PY" -m app search pattern --library lib --json > search.json
        set +e
        "$PY" -m app index photos --library lib 2> index.err
        echo $? > index.code
    """)
    done = shell_in_mount_namespace(script, home)
    assert done.returncode == 0, done.stderr
    import json

    status = json.loads((home / "status.json").read_text())
    assert status["read_only"] and status["images"] == 3 and status["consistent"]
    assert len(json.loads((home / "search.json").read_text())["results"]) == 3
    assert (home / "index.code").read_text().strip() == "2"
    assert "read-only" in (home / "index.err").read_text()
