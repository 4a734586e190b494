"""Camera RAW files end to end (#29), on DNGs written from Bayer data: the embedded preview is
used when it is large enough and the RAW developed at half size when not (the thumbnail shows
which pixels were used), the date, camera and orientation come from the RAW's EXIF (written by
exiftool), a search by a RAW photo finds it, and a RAW LibRaw cannot read is one failure line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.media_kinds import is_raw
from app.indexing.raw_files import RawError, open_raw
from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import catalog_rows
from tests.helpers.raw_files import exiftool, write_dng

RED, BLUE, GREEN = (220, 40, 40), (40, 40, 220), (30, 200, 30)


def _halves(size: tuple[int, int] = (800, 600)) -> np.ndarray:
    """Red on the left half, blue on the right: a Bayer develop gives these back."""
    width, height = size
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = RED
    rgb[:, width // 2 :] = BLUE
    return rgb


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], margin: int = 60) -> bool:
    return all(abs(int(p) - c) <= margin for p, c in zip(pixel, colour, strict=False))


@pytest.fixture
def raw_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    write_dng(folder / "DSC_0001.dng", _halves())  # no preview: developed
    shot = write_dng(folder / "IMG_2001.dng", _halves(), preview=Image.new("RGB", (800, 600), GREEN), orientation=1)
    exiftool(shot, "-DateTimeOriginal=2023:07:14 18:30:05", "-Make=Canon", "-Model=Canon EOS R5", "-Orientation#=6")
    small = write_dng(folder / "IMG_2002.dng", _halves(), preview=Image.new("RGB", (160, 120), GREEN))
    assert small.is_file()
    (folder / "broken.nef").write_bytes(b"II*\x00" + bytes(range(256)) * 40)  # a cut-off copy
    save_jpeg(folder / "phone.jpg", photo(7))
    return folder


def _rows(library: Path) -> dict[str, tuple]:
    (rows,) = catalog_rows(
        library,
        "SELECT f.path, i.format, i.width, i.height, i.taken_at, i.camera, i.content_hash "
        "FROM files f JOIN images i ON i.id = f.image_id",
    )
    return {Path(r[0]).name: r[1:] for r in rows}


def _thumbnail(library: Path, content_hash: str) -> Image.Image:
    return Image.open(library / "thumbnails" / content_hash[:2] / f"{content_hash}.jpg").convert("RGB")


def test_raw_photos_are_indexed_from_their_preview_or_developed(cli, raw_folder, library_dir):
    report = cli("index", raw_folder, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0, report.err
    assert "Traceback" not in report.err
    assert report.json["embedded"] == 4 and report.json["failed"] == 1
    (failure,) = report.json["failures"]
    assert Path(failure["path"]).name == "broken.nef"
    assert failure["error"].startswith("not a RAW file LibRaw can read")

    rows = _rows(library_dir)
    fmt, width, height, taken_at, camera, developed = rows["DSC_0001.dng"]
    assert (fmt, width, height, camera) == ("DNG", 800, 600, "Testcam Bayer One")
    thumb = _thumbnail(library_dir, developed)
    assert _near(thumb.getpixel((10, thumb.height // 2)), RED), "the Bayer data, developed"
    assert _near(thumb.getpixel((thumb.width - 10, thumb.height // 2)), BLUE)

    fmt, width, height, taken_at, camera, previewed = rows["IMG_2001.dng"]
    assert (fmt, width, height, camera) == ("DNG", 600, 800, "Canon EOS R5"), "turned as its EXIF says"
    assert taken_at == datetime(2023, 7, 14, 18, 30, 5).timestamp()
    thumb = _thumbnail(library_dir, previewed)
    assert thumb.height > thumb.width, "upright"
    assert _near(thumb.getpixel((thumb.width // 2, thumb.height // 2)), GREEN), "the camera's preview"

    small = _thumbnail(library_dir, rows["IMG_2002.dng"][5])
    assert _near(small.getpixel((10, small.height // 2)), RED), "a preview too small for the model: developed"

    status = cli("status", "--json").json
    assert status["consistent"] and status["vectors"] == 4
    assert (status["images"], status["raw"], status["videos"]) == (4, 3, 0)


def test_a_raw_photo_finds_itself_as_an_example(cli, raw_folder):
    assert cli("index", raw_folder, "--no-detect", "--no-ocr").code == 0
    found = cli("search", "--image", raw_folder / "IMG_2001.dng", "--json")
    assert found.code == 0, found.err
    top = found.json["results"][0]
    assert Path(top["path"]).name == "IMG_2001.dng" and top["score"] > 0.99
    same = cli("search", "--image", raw_folder / "DSC_0001.dng", "--json").json["results"]
    # IMG_2002's preview is too small: it is developed from the same Bayer data.
    assert {Path(r["path"]).name for r in same[:2]} == {"DSC_0001.dng", "IMG_2002.dng"}
    assert min(r["score"] for r in same[:2]) > 0.99


def test_raw_formats_are_recognised_by_their_extension():
    for name in ("a.DNG", "b.cr2", "c.CR3", "d.nef", "e.arw", "f.raf", "g.orf", "h.rw2", "i.pef", "j.srw"):
        assert is_raw(name), name
    assert not is_raw("photo.jpg") and not is_raw("notes.txt")


def test_what_libraw_cannot_read_is_a_reason_not_a_crash(tmp_path):
    for data in (b"", b"not a raw at all", b"II*\x00" + b"\x00" * 64):
        with pytest.raises(RawError, match="^not a RAW file LibRaw can read"):
            open_raw(data, "x.dng", (256, 0), 200_000_000)


def test_a_raw_over_the_pixel_limit_is_refused_before_it_is_developed(tmp_path):
    path = write_dng(tmp_path / "big.dng", _halves())
    with pytest.raises(RawError, match="over the 0 MP limit"):
        open_raw(path.read_bytes(), str(path), (256, 0), 800 * 600 - 1)


def test_faces_are_found_in_raw_photos(cli, tmp_path, monkeypatch):
    from tests.helpers.faces import face_photos

    portrait = Image.open(face_photos()["biden.jpg"]).convert("RGB")
    width, height = (portrait.width // 2) * 2, (portrait.height // 2) * 2
    portrait = portrait.crop((0, 0, width, height))
    folder = tmp_path / "card"
    write_dng(folder / "DSC_0100.dng", np.asarray(portrait), preview=portrait)
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    report = cli("index", folder, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0, report.err
    assert report.json["embedded"] == 1 and report.json["faces"] == 1

    # Shot again as RAW+JPEG: two files, two faces found, one photo of one face in People.
    mirrored = portrait.transpose(Image.Transpose.FLIP_LEFT_RIGHT)  # another shot, not a copy
    write_dng(folder / "DSC_0101.dng", np.asarray(mirrored), preview=mirrored)
    save_jpeg(folder / "DSC_0101.JPG", mirrored.resize((width // 2, height // 2)))
    assert cli("index", folder, "--no-detect", "--no-ocr", "--json").json["faces"] == 2
    (person,) = cli("people", "--json").json["people"]
    assert person["faces"] == 2 and sorted(Path(p).name for p in person["photos"]) == ["DSC_0100.dng", "DSC_0101.JPG"]


def test_a_raw_and_its_jpeg_are_one_photo_in_results_and_never_duplicates(cli, tmp_path):
    from tests.helpers.duplicate_corpus import real_photo

    picture = real_photo("coffee.png").convert("RGB")
    picture = picture.crop((0, 0, picture.width // 2 * 2, picture.height // 2 * 2))
    folder = tmp_path / "card"
    jpeg = save_jpeg(folder / "IMG_2001.JPG", picture)
    raw = write_dng(folder / "IMG_2001.dng", np.asarray(picture), preview=picture)  # the camera's two files
    for shot in (jpeg, raw):
        exiftool(shot, "-DateTimeOriginal=2024:05:01 10:00:00")
    for i, name in enumerate(("chelsea.png", "astronaut.png")):
        save_jpeg(folder / f"IMG_20{10 + i}.JPG", real_photo(name).convert("RGB"))
    report = cli("index", folder, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0 and report.json["embedded"] == 4, report.err
    assert cli("duplicates", "--json").json["groups"] == [], "a RAW and its JPEG are one shot, not duplicates"

    found = cli("search", "--image", jpeg, "--json").json["results"]
    names = [Path(r["path"]).name for r in found]
    assert names[0] == "IMG_2001.JPG" and "IMG_2001.dng" not in names, "one result for the shot"
    assert found[0]["pair"] == str(raw) and found[0]["score"] > 0.99
    assert all(r["pair"] is None for r in found[1:])
    three = cli("search", "--image", jpeg, "--top-k", "3", "--json").json["results"]
    assert len(three) == 3, "three shots asked for, three given (a pair takes one place)"
    alike = [Path(r["path"]).name for r in cli("similar", raw, "--json").json["results"]]
    assert not {"IMG_2001.JPG", "IMG_2001.dng"} & set(alike), "nor is the shot similar to itself"
    text = cli("search", "--image", jpeg).out.splitlines()[0]
    assert text.endswith(f"[RAW+JPEG: {raw}]")

    # A copy exported elsewhere is the same photo: the RAW is kept, never traded for a JPEG.
    export = save_jpeg(
        tmp_path / "exports" / "IMG_2001 web.jpg", picture.resize((picture.width // 2, picture.height // 2))
    )
    exiftool(export, "-DateTimeOriginal=2024:05:01 10:00:00")
    assert cli("index", export.parent, "--no-detect", "--no-ocr").code == 0
    (group,) = cli("duplicates", "--json").json["groups"]
    assert group["tier"] == "same" and {Path(p).name for p in group["paths"]} == {"IMG_2001.dng", "IMG_2001 web.jpg"}
    assert group["keep"] == str(raw) and group["why"] == "the camera's RAW (DNG)"
