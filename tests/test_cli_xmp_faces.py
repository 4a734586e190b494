"""Faces other photo apps named join People (#32): a named face region in a sidecar, written by
exiftool the way digiKam (MWG) and Windows Photo Gallery (Microsoft) write it, names the face
this library's face pass finds there; a face already named otherwise here keeps its name and the
two are shown as a conflict."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers.faces import face_photos

pytestmark = pytest.mark.slow


def _face_boxes(cli, folder: Path, library_dir: Path) -> dict[str, tuple[float, float, float, float]]:  # type: ignore[no-untyped-def]
    """Where this library's face pass finds each photo's face (relative box), by file name."""
    assert cli("index", folder, "--no-detect", "--no-ocr", "--json").code == 0
    db = sqlite3.connect(library_dir / "catalog.sqlite")
    try:
        rows = db.execute(
            "SELECT f.path, r.x0, r.y0, r.x1, r.y1 FROM regions r JOIN files f ON f.image_id = r.image_id "
            "WHERE r.kind = 'face'"
        ).fetchall()
    finally:
        db.close()
    return {Path(p).name: (x0, y0, x1, y1) for p, x0, y0, x1, y1 in rows}


def _mwg(photo: Path, name: str, box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    area = f"X={(x0 + x1) / 2:.4f},Y={(y0 + y1) / 2:.4f},W={x1 - x0:.4f},H={y1 - y0:.4f},Unit=normalized"
    region = f"-XMP-mwg-rs:RegionInfo={{RegionList=[{{Area={{{area}}},Name={name},Type=Face}}]}}"
    _write(photo, photo.with_name(photo.name + ".xmp"), region)


def _microsoft(photo: Path, name: str, box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    rectangle = f"{x0:.4f}|, {y0:.4f}|, {x1 - x0:.4f}|, {y1 - y0:.4f}"
    _write(
        photo,
        photo.with_suffix(".xmp"),
        f"-XMP-MP:RegionInfoMP={{Regions=[{{PersonDisplayName={name},Rectangle={rectangle}}}]}}",
    )


def _write(photo: Path, sidecar: Path, assignment: str) -> None:
    tool = shutil.which("exiftool")
    assert tool is not None
    subprocess.run([tool, "-q", "-q", "-o", str(sidecar), assignment, str(photo)], check=True)


def test_named_regions_name_people_and_a_different_name_here_is_a_conflict(cli, tmp_path, monkeypatch, library_dir):
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    sources = face_photos()
    probe = tmp_path / "probe"
    probe.mkdir()
    for name in ("obama2.jpg", "obama3.jpg", "biden.jpg"):
        shutil.copy2(sources[name], probe / name)
    boxes = _face_boxes(cli, probe, library_dir)
    assert set(boxes) == {"obama2.jpg", "obama3.jpg", "biden.jpg"}
    shutil.rmtree(library_dir)

    first = tmp_path / "first"
    first.mkdir()
    for name in ("obama2.jpg", "biden.jpg"):
        shutil.copy2(sources[name], first / name)
    _mwg(first / "obama2.jpg", "Barack Obama", boxes["obama2.jpg"])  # as digiKam writes it
    _microsoft(first / "biden.jpg", "Joe Biden", boxes["biden.jpg"])  # as Windows Photo Gallery
    assert cli("index", first, "--no-detect", "--no-ocr").code == 0
    named = {p["name"]: p["id"] for p in cli("people", "--json").json["people"]}
    assert {"Barack Obama", "Joe Biden"} <= set(named), named

    assert cli("people", "name", str(named["Barack Obama"]), "Obama").code == 0  # renamed here
    later = tmp_path / "later"
    later.mkdir()
    shutil.copy2(sources["obama3.jpg"], later / "obama3.jpg")
    _mwg(later / "obama3.jpg", "Barack", boxes["obama3.jpg"])
    assert cli("index", later, "--no-detect", "--no-ocr").code == 0
    people = {p["name"] for p in cli("people", "--json").json["people"] if p["name"]}
    assert people == {"Obama", "Joe Biden"}, "the name given here is never overwritten"
    conflicts = cli("sidecars", "status", "--json").json["conflicts"]
    assert [(Path(c["path"]).name, c["name"], c["name_here"]) for c in conflicts] == [("obama3.jpg", "Barack", "Obama")]
    said = cli("sidecars", "status")
    assert "another app says Barack, this library Obama" in said.out

    # With sidecars turned on, a name given here reaches the photo's sidecar as an MWG region.
    monkeypatch.setenv("PHOTO_ORGANIZER_WRITE_SIDECARS", "1")
    assert cli("people", "name", str(named["Joe Biden"]), "Joseph Biden").code == 0
    tool = shutil.which("exiftool")
    assert tool is not None
    read = subprocess.run(
        [tool, "-s3", "-RegionName", "-RegionPersonDisplayName", str(first / "biden.xmp")],
        check=True,
        capture_output=True,
        text=True,
    )
    assert read.stdout.split("\n")[:2] == ["Joseph Biden", "Joe Biden"], "ours as MWG, Windows' own kept"
