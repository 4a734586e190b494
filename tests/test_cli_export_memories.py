"""Export (#31): originals copied byte for byte with their dates, or resized upright JPEGs that
keep their EXIF; a name already taken gets a suffix and nothing is overwritten; a destination
inside the library or a photo folder, a file, a bad size: one line; a full disk or a cancel
leaves the destination as it was. Memories: on this day in earlier years (29 February on the
28th), and the last weeks' events."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app.core.errors import CancelledError
from tests.conftest import snapshot
from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool

TAKEN = {
    "beach.jpg": "2021:07:14 10:00:00",
    "castle.jpg": "2022:07:14 18:30:00",
    "tram.jpg": "2023:07:13 12:00:00",
    "leap.jpg": "2020:02:29 09:00:00",
    "picnic 1.jpg": "2024:07:01 12:00:00",
    "picnic 2.jpg": "2024:07:01 12:40:00",
}


@pytest.fixture
def photos(cli, tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    for i, (name, taken) in enumerate(TAKEN.items()):
        exiftool(
            save_jpeg(folder / name, photo(300 + i, (400, 300))),
            f"-DateTimeOriginal={taken}",
            "-Model=Test Camera",
        )
    exiftool(folder / "tram.jpg", "-Orientation#=6")  # taken holding the phone sideways
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces").code == 0
    cli("album", "create", "Summer")
    assert cli("album", "add", "Summer", folder / "beach.jpg", folder / "castle.jpg", folder / "tram.jpg").code == 0
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_originals_are_copied_byte_for_byte_and_never_overwrite(cli, photos, tmp_path):
    before = snapshot(photos)
    dest = tmp_path / "out" / "summer"
    save_jpeg(dest / "beach.jpg", photo(1))  # already there: kept as it is
    there = _sha(dest / "beach.jpg")
    report = cli("export", dest, "--album", "Summer", "--json")
    assert report.code == 0, report.err
    assert report.json["exported"] == ["beach (2).jpg", "castle.jpg", "tram.jpg"]
    assert (report.json["copied"], report.json["resized"], report.json["missing"]) == (3, 0, [])
    assert _sha(dest / "beach.jpg") == there
    for original, copy in (("beach.jpg", "beach (2).jpg"), ("castle.jpg", "castle.jpg"), ("tram.jpg", "tram.jpg")):
        assert _sha(dest / copy) == _sha(photos / original)
        assert (dest / copy).stat().st_mtime_ns == (photos / original).stat().st_mtime_ns
    assert sorted(p.name for p in dest.iterdir()) == ["beach (2).jpg", "beach.jpg", "castle.jpg", "tram.jpg"]
    again = cli("export", dest, photos / "castle.jpg", "--json").json
    assert again["exported"] == ["castle (2).jpg"]
    assert snapshot(photos) == before, "the originals are only read"


def test_resized_copies_are_upright_jpegs_with_their_exif(cli, photos, tmp_path):
    dest = tmp_path / "small"
    report = cli("export", dest, photos / "tram.jpg", photos / "beach.jpg", "--size", "200", "--json")
    assert report.code == 0, report.err
    assert report.json["exported"] == ["tram.jpg", "beach.jpg"] and report.json["resized"] == 2
    with Image.open(dest / "tram.jpg") as tram:
        assert tram.format == "JPEG" and tram.size == (150, 200), "turned upright, then made 200 px long"
        exif = tram.getexif()
        assert exif.get(0x0112) == 1 and exif.get(0x0110) == "Test Camera"
        assert exif.get_ifd(0x8769).get(0x9003) == "2023:07:13 12:00:00"
    with Image.open(dest / "beach.jpg") as beach:
        assert beach.size == (200, 150)


def test_bad_destinations_and_sizes_are_one_line(cli, photos, tmp_path, library_dir):
    def refused(*args: object, words: str) -> None:
        result = cli("export", *args, "--json")
        assert result.code != 0 and "Traceback" not in result.err
        assert words in result.json["error"], result.json["error"]

    refused(library_dir / "exports", "--album", "Summer", words="library's own folder")
    refused(photos / "copies", "--album", "Summer", words="a folder of photos the library indexes")
    (tmp_path / "notes.txt").write_text("not a folder")
    refused(tmp_path / "notes.txt", photos / "castle.jpg", words="it is a file")
    refused(tmp_path / "out", "--album", "Summer", "--size", "10", words="from 64 to 20000")
    refused(tmp_path / "out", words="export DEST --album NAME")
    refused(tmp_path / "out", "--album", "Nowhere", words="no album named")
    refused(tmp_path / "out", tmp_path / "stranger.jpg", words="not in the library")
    assert not (photos / "copies").exists() and not (library_dir / "exports").exists()


def test_a_full_disk_leaves_the_destination_as_it_was(cli, photos, tmp_path):
    disk = tmp_path / "small disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        save_jpeg(disk / "kept.jpg", photo(5, (64, 48)))
        before = snapshot(disk)
        result = cli("export", disk, photos, "--json")
        assert result.code != 0 and "Traceback" not in result.err
        assert "is full" in result.json["error"] and "nothing was exported" in result.json["error"]
        assert snapshot(disk) == before, "no file half-written, no copy left behind, no staging folder"
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_cancelled_export_leaves_nothing(library_dir, photos, tmp_path):
    from app.library import Library
    from app.library_export import checked_destination, export_photos

    dest = tmp_path / "cancelled"
    with Library(library_dir) as library:
        image_ids = library.organising.images_at([photos])
        checked = checked_destination(dest, library.root, [])
        seen: list[int] = []

        def progress(done: int, _total: int) -> None:
            seen.append(done)

        with pytest.raises(CancelledError):
            export_photos(library.engine, image_ids, checked, None, progress, stopped=lambda: len(seen) >= 3)
    assert seen == [0, 1, 2] and list(dest.iterdir()) == []


def test_memories_remember_this_day_and_recent_events(cli, photos):
    found = cli("memories", "--date", "2024-07-14", "--json")
    assert found.code == 0, found.err
    cards = found.json["on_this_day"]
    assert [(c["title"], [Path(p).name for p in c["paths"]]) for c in cards] == [
        ("2 years ago today · 14 July 2022", ["castle.jpg"]),
        ("3 years ago today · 14 July 2021", ["beach.jpg"]),
    ], "the 13th is another day"
    (picnic,) = found.json["recent_events"]
    assert picnic["date"] == "2024-07-01" and sorted(Path(p).name for p in picnic["paths"]) == [
        "picnic 1.jpg",
        "picnic 2.jpg",
    ]
    assert "3 years ago today" in cli("memories", "--date", "2024-07-14").out

    leap = cli("memories", "--date", "2023-02-28", "--json").json
    assert [c["title"] for c in leap["on_this_day"]] == ["3 years ago today · 29 February 2020"]
    assert cli("memories", "--date", "2024-02-28", "--json").json["on_this_day"] == [], "2024 has a 29th"
    assert cli("memories", "--date", "2024-08-20", "--json").json["recent_events"] == [], "over four weeks ago"
    bad = cli("memories", "--date", "14/07/2024", "--json")
    assert bad.code != 0 and "YYYY-MM-DD" in bad.json["error"]


def test_memories_ask_sqlite_only_for_the_days_around_this_one():
    """SQLite picks the few photos taken around this date (a day either side: its calendar and
    Python's may disagree near midnight), Python decides which are remembered."""
    from datetime import date

    from app.analysis.memories import _month_days_around

    assert _month_days_around(date(2024, 7, 14)) == ["07-13", "07-14", "07-15"]
    assert _month_days_around(date(2023, 2, 28)) == ["02-27", "02-28", "02-29", "03-01"]
    assert _month_days_around(date(2024, 3, 1)) == ["02-29", "03-01", "03-02"]
    assert _month_days_around(date(2024, 12, 31)) == ["01-01", "12-30", "12-31"]
