"""Other photo apps' decisions read at indexing (#32, reading): ratings, keywords, hierarchical
tags, colour labels, descriptions and named face regions, from sidecars exiftool writes the way
digiKam (NAME.EXT.xmp) and Lightroom (NAME.xmp) do and from XMP embedded in the photo; an XML
bomb is refused; the photos and sidecars are never changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.xmp_read import XmpError, parse_xmp, read_file_xmp
from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool


def _sidecar(photo_path: Path, sidecar: Path, *assignments: str) -> Path:
    """A sidecar as a photo app writes it: exiftool makes it from the photo, with these tags."""
    tool = shutil.which("exiftool")
    assert tool is not None
    subprocess.run([tool, "-q", "-q", "-o", str(sidecar), *assignments, str(photo_path)], check=True)
    return sidecar


DIGIKAM = (
    "-XMP-xmp:Rating=4",
    "-XMP-digiKam:TagsList+=Family/Anna",
    "-XMP-digiKam:TagsList+=Places/Lisbon",
    "-XMP-dc:Subject+=Anna",
    "-XMP-dc:Subject+=Lisbon",
    "-XMP-dc:Description=Anna by the river",
    "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=320,H=240,Unit=pixel},"
    "RegionList=[{Area={X=0.5,Y=0.4,W=0.2,H=0.3,Unit=normalized},Name=Anna,Type=Face}]}",
)
LIGHTROOM = (
    "-XMP-xmp:Rating=-1",
    "-XMP-lr:HierarchicalSubject+=Trips|Portugal|Porto",
    "-XMP-dc:Subject+=Porto",
    "-XMP-dc:Subject+=bridge",
    "-XMP-xmp:Label=Red",
)


def test_sidecars_as_digikam_and_lightroom_write_them(tmp_path):
    one = save_jpeg(tmp_path / "IMG_0001.jpg", photo(1, (320, 240)))
    two = save_jpeg(tmp_path / "IMG_0002.jpg", photo(2, (320, 240)))
    _sidecar(one, tmp_path / "IMG_0001.jpg.xmp", *DIGIKAM)
    _sidecar(two, tmp_path / "IMG_0002.xmp", *LIGHTROOM)

    digikam = read_file_xmp(one)
    assert digikam.rating == 4 and digikam.description == "Anna by the river"
    assert digikam.tags == ("Family/Anna", "Places/Lisbon"), "keywords already in the hierarchy are not doubled"
    assert [f.name for f in digikam.faces] == ["Anna"]
    assert digikam.faces[0].box == pytest.approx((0.4, 0.25, 0.6, 0.55))

    lightroom = read_file_xmp(two)
    assert lightroom.rating == -1 and lightroom.label == "Red"
    assert lightroom.tags == ("Trips/Portugal/Porto", "bridge")


def test_embedded_xmp_and_microsoft_regions(tmp_path):
    path = save_jpeg(tmp_path / "a.jpg", photo(3, (320, 240)))
    exiftool(
        path,
        "-XMP-xmp:Rating=2",
        "-XMP-dc:Subject+=sunset",
        "-XMP-MP:RegionInfoMP={Regions=[{PersonDisplayName=Ben,Rectangle=0.1|, 0.2|, 0.3|, 0.4}]}",
    )
    found = read_file_xmp(path)
    assert found.rating == 2 and found.tags == ("sunset",)
    assert found.faces[0].name == "Ben" and found.faces[0].box == pytest.approx((0.1, 0.2, 0.4, 0.6))
    plain = save_jpeg(tmp_path / "plain" / "a.jpg", photo(3, (320, 240)))  # a sidecar of its own
    _sidecar(plain, tmp_path / "a.jpg.xmp", "-XMP-xmp:Rating=5")
    assert read_file_xmp(path).rating == 5, "the sidecar is what the other app wrote last"
    assert read_file_xmp(tmp_path / "none.jpg").empty


def test_hostile_xmp_is_refused_and_counts_as_none(tmp_path):
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject>&lol3;</dc:subject></rdf:Description>
</rdf:RDF></x:xmpmeta>"""
    with pytest.raises(XmpError):
        parse_xmp(bomb)
    with pytest.raises(XmpError):
        parse_xmp(b"<x:xmpmeta><rdf:RDF>not closed")
    path = save_jpeg(tmp_path / "b.jpg", photo(4, (320, 240)))
    (tmp_path / "b.jpg.xmp").write_bytes(bomb)
    assert read_file_xmp(path).empty, "a bad sidecar is skipped, the photo is read as ever"
    odd = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    odd += b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="NaN"/></rdf:RDF></x:xmpmeta>'
    assert parse_xmp(odd).rating is None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_indexing_takes_other_apps_stars_and_tags_and_changes_no_file(cli, tmp_path):
    folder = tmp_path / "photos"
    one = save_jpeg(folder / "IMG_0001.jpg", photo(11, (320, 240)))
    two = save_jpeg(folder / "IMG_0002.jpg", photo(12, (320, 240)))
    save_jpeg(folder / "IMG_0003.jpg", photo(13, (320, 240)))
    _sidecar(one, folder / "IMG_0001.jpg.xmp", *DIGIKAM)
    _sidecar(two, folder / "IMG_0002.xmp", *LIGHTROOM)
    before = {p.name: _digest(p) for p in folder.iterdir()}

    report = cli("index", folder, "--no-detect", "--no-ocr", "--no-faces", "--json")
    assert report.code == 0 and report.json["new"] == 3, report.err
    assert {p.name: _digest(p) for p in folder.iterdir()} == before, "photos and sidecars are only read"
    tags = {t["name"] for t in cli("tags", "--json").json["tags"]}
    assert {"Family/Anna", "Places/Lisbon", "Trips/Portugal/Porto", "bridge", "Label/Red"} <= tags
    starred = cli("search", "--min-stars", "4", "--json").json["results"]
    assert [Path(r["path"]).name for r in starred] == ["IMG_0001.jpg"]
    rejected = cli("search", "--rejected", "--json").json["results"]
    assert [Path(r["path"]).name for r in rejected] == ["IMG_0002.jpg"]
    described = cli("search", "river", "--json").json["results"][0]
    assert Path(described["path"]).name == "IMG_0001.jpg" and described["why"] == 'description: "Anna by the river"'
    assert [Path(r["path"]).name for r in cli("search", "--tag", "Trips", "--json").json["results"]] == ["IMG_0002.jpg"]

    # A later decision made here wins: a copy of a photo rated here, with an older sidecar.
    cli("rate", folder / "IMG_0003.jpg", "--stars", "2")
    copy = tmp_path / "copies" / "IMG_0003.jpg"
    copy.parent.mkdir()
    shutil.copy2(folder / "IMG_0003.jpg", copy)
    older = tmp_path / "copies" / "IMG_0003.jpg.xmp"
    _sidecar(copy, older, "-XMP-xmp:Rating=5")
    os.utime(older, (older.stat().st_mtime - 3600, older.stat().st_mtime - 3600))  # written before the rating here
    assert cli("index", copy.parent, "--no-detect", "--no-ocr", "--no-faces").code == 0
    assert [Path(r["path"]).name for r in cli("search", "--min-stars", "5", "--json").json["results"]] == []


def test_a_sidecar_another_app_changes_later_is_read_again(cli, tmp_path, monkeypatch):
    import os

    folder = tmp_path / "photos"
    path = save_jpeg(folder / "a.jpg", photo(21, (320, 240)))
    blank = save_jpeg(tmp_path / "blank" / "a.jpg", photo(21, (320, 240)))  # sidecars of their own
    sidecar = folder / "a.jpg.xmp"
    _sidecar(blank, sidecar, "-XMP-xmp:Rating=2")
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces").code == 0

    def stars() -> int:
        return _marks_of(cli, path)

    def changed(*assignments: str, later: int) -> None:
        sidecar.unlink()
        _sidecar(blank, sidecar, *assignments)
        os.utime(sidecar, ns=(sidecar.stat().st_mtime_ns + later, sidecar.stat().st_mtime_ns + later))

    assert stars() == 2
    changed(
        "-XMP-xmp:Rating=5",
        "-XMP-digiKam:TagsList+=Trips/Porto",
        "-XMP-dc:Description=By the bridge",
        later=2_000_000_000,
    )
    report = cli("index", folder, "--no-detect", "--no-ocr", "--no-faces", "--json")
    assert report.json["sidecars_read"] == 1 and report.json["new"] == 0, "the photo itself did not change"
    assert stars() == 5 and "Trips/Porto" in {t["name"] for t in cli("tags", "--json").json["tags"]}
    assert cli("search", "bridge", "--json").json["results"][0]["why"] == 'description: "By the bridge"'
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces", "--json").json["sidecars_read"] == 0

    cli("rate", path, "--stars", "3")  # a later decision here wins over the older sidecar
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces").code == 0 and stars() == 3
    monkeypatch.setenv("PHOTO_ORGANIZER_WRITE_SIDECARS", "1")
    cli("rate", path, "--stars", "4")  # written into the sidecar: our own write is not news
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces", "--json").json["sidecars_read"] == 0
    assert stars() == 4


def _marks_of(cli, path: Path) -> int:  # type: ignore[no-untyped-def]
    for stars in range(5, 0, -1):
        found = cli("search", "--min-stars", str(stars), "--json").json["results"]
        if any(Path(r["path"]) == path for r in found):
            return stars
    return 0


def test_iptc_keywords_from_older_apps_are_tags_too(cli, tmp_path):
    folder = tmp_path / "photos"
    path = save_jpeg(folder / "old.jpg", photo(31, (320, 240)))
    exiftool(path, "-IPTC:Keywords+=holiday", "-IPTC:Keywords+=Lisbon")  # as Photoshop and Picasa wrote them
    assert cli("index", folder, "--no-detect", "--no-ocr", "--no-faces").code == 0
    assert {"holiday", "Lisbon"} <= {t["name"] for t in cli("tags", "--json").json["tags"]}


@pytest.mark.parametrize("suffix", [".png", ".tif", ".dng"])
def test_xmp_embedded_in_png_tiff_and_raw_files(tmp_path, suffix):
    import numpy as np
    from PIL import Image

    from tests.helpers.raw_files import write_dng

    path = tmp_path / f"a{suffix}"
    if suffix == ".dng":
        write_dng(path, np.full((64, 96, 3), 120, np.uint8))
    else:
        Image.new("RGB", (96, 64), (20, 120, 200)).save(path)
    exiftool(path, "-XMP-xmp:Rating=3", "-XMP-lr:HierarchicalSubject+=Trips|Lisbon")
    found = read_file_xmp(path)
    assert found.rating == 3 and found.tags == ("Trips/Lisbon",)
