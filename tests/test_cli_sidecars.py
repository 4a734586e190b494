"""Decisions written to XMP sidecars for other photo apps (#32, writing), only when turned on:
read back by exiftool as digiKam and Lightroom read them, another app's fields kept, the photos'
bytes unchanged, a read-only folder kept pending until `sidecars write`, and a sidecar another
app changes while it is written merged again, not overwritten."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.xmp_read import parse_xmp
from app.core.xmp_write import Decisions
from app.library_sidecars import write_sidecar
from tests.helpers.images import photo, save_jpeg
from tests.helpers.unprivileged import run_cli, user_folder


def _exiftool(path: Path) -> dict:
    tool = shutil.which("exiftool")
    assert tool is not None
    done = subprocess.run([tool, "-j", "-G1", "-struct", str(path)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)[0]


def _items(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _sidecar(photo_path: Path, sidecar: Path, *assignments: str) -> None:
    tool = shutil.which("exiftool")
    assert tool is not None
    subprocess.run([tool, "-q", "-q", "-o", str(sidecar), *assignments, str(photo_path)], check=True)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.jpg")}


@pytest.fixture
def photos(cli, tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    for i, name in enumerate(("one.jpg", "two.jpg", "three.jpg", "four.jpg")):
        save_jpeg(folder / name, photo(300 + i, (320, 240)))
    _sidecar(folder / "one.jpg", folder / "one.jpg.xmp", "-XMP-photoshop:City=Lisbon", "-XMP-xmp:Rating=2")
    _sidecar(folder / "four.jpg", folder / "four.xmp", "-XMP-dc:Subject+=kept")  # as Lightroom names it
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces").code == 0
    return folder


def test_off_by_default_then_decisions_reach_the_sidecars(cli, photos, monkeypatch):
    before = _digests(photos)
    assert cli("rate", photos / "two.jpg", "--stars", "3").code == 0
    assert not (photos / "two.jpg.xmp").exists(), "nothing is written unless the person turns it on"

    monkeypatch.setenv("PHOTO_ORGANIZER_WRITE_SIDECARS", "1")
    rated = cli("rate", photos / "one.jpg", "--stars", "5", "--json")
    assert rated.code == 0 and len(rated.json["sidecars"]["written"]) == 1
    assert cli("tag", "add", "Family/Anna", photos / "one.jpg", photos / "two.jpg").code == 0
    assert cli("favourite", photos / "two.jpg").code == 0
    assert cli("reject", photos / "three.jpg").code == 0
    assert cli("tag", "add", "Trips/Lisbon", photos / "four.jpg").code == 0

    one = _exiftool(photos / "one.jpg.xmp")
    assert one["XMP-xmp:Rating"] == 5 and one["XMP-photoshop:City"] == "Lisbon", "another app's field is kept"
    assert _items(one["XMP-lr:HierarchicalSubject"]) == ["Family|Anna"]
    assert _items(one["XMP-digiKam:TagsList"]) == ["Family/Anna"] and _items(one["XMP-dc:Subject"]) == ["Anna"]
    two = _exiftool(photos / "two.jpg.xmp")
    assert two["XMP-xmp:Rating"] == 3 and two["XMP-digiKam:PickLabel"] == 3, "a favourite: digiKam's accepted pick"
    assert _exiftool(photos / "three.jpg.xmp")["XMP-xmp:Rating"] == -1, "a reject: Lightroom's and digiKam's -1"
    four = _exiftool(photos / "four.xmp")
    assert _items(four["XMP-lr:HierarchicalSubject"]) == ["kept", "Trips|Lisbon"], "its keyword, read on indexing"
    assert not (photos / "four.jpg.xmp").exists(), "Lightroom's NAME.xmp is the one written"
    assert _digests(photos) == before, "the photos' own bytes never change"
    status = cli("sidecars", "status", "--json").json
    assert status["writing"] and status["written"] == 4 and status["pending"] == 0


def test_a_read_only_folder_keeps_its_sidecars_pending_until_written():
    with user_folder() as home:
        photos, lib = home / "photos", home / "lib"
        save_jpeg(photos / "a.jpg", photo(401, (320, 240)))
        assert run_cli(["index", photos, "--library", lib, "--no-detect", "--no-ocr", "--no-faces"], home).code == 0
        photos.chmod(0o555)
        env = ["env", "PHOTO_ORGANIZER_WRITE_SIDECARS=1"]
        rated = run_cli(["rate", photos / "a.jpg", "--stars", "4", "--library", lib], home, prefix=env)
        assert rated.code == 0 and "kept to write later" in rated.err and "Traceback" not in rated.err, rated
        status = run_cli(["sidecars", "status", "--library", lib, "--json"], home).json
        assert status["pending"] == 1 and "cannot be written" in status["problems"][0]["reason"]
        assert run_cli(["sidecars", "write", "--library", lib], home).code == 1, "still read-only: it says so"
        photos.chmod(0o755)
        written = run_cli(["sidecars", "write", "--library", lib, "--json"], home)
        assert written.code == 0 and written.json["written"] == [str(photos / "a.jpg.xmp")], written
        assert _exiftool(photos / "a.jpg.xmp")["XMP-xmp:Rating"] == 4
        assert run_cli(["sidecars", "status", "--library", lib, "--json"], home).json["pending"] == 0


def test_a_sidecar_changed_by_another_app_while_it_is_written_is_merged_again(tmp_path, monkeypatch):
    import app.library_sidecars as module

    path = save_jpeg(tmp_path / "a.jpg", photo(402, (320, 240)))
    _sidecar(path, tmp_path / "a.jpg.xmp", "-XMP-xmp:Label=Blue")
    real = module.sidecar_with
    calls = []

    def meanwhile(existing, decisions):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:  # another app writes the sidecar just now
            _sidecar(path, tmp_path / "other.xmp", "-XMP-xmp:Label=Green", "-XMP-photoshop:City=Porto")
            shutil.move(tmp_path / "other.xmp", tmp_path / "a.jpg.xmp")
        return real(existing, decisions)

    monkeypatch.setattr(module, "sidecar_with", meanwhile)
    write_sidecar(str(path), Decisions(stars=4, tags=("Trips/Porto",)))
    merged = parse_xmp((tmp_path / "a.jpg.xmp").read_bytes())
    assert len(calls) == 2 and merged.rating == 4 and merged.label == "Green", "its change kept, ours added"
    assert _exiftool(tmp_path / "a.jpg.xmp")["XMP-photoshop:City"] == "Porto"
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"
