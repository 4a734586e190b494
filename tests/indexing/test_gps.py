"""GPS read from files as cameras, phones and photo apps write them (#30): EXIF stamped by
exiftool on JPEGs and a DNG, malformed GPS written by Pillow, and a video's ISO 6709 location
muxed by FFmpeg. A doubtful position gives no place, never a wrong one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from app.core.geo_points import GPS_IFD, GeoPoint, iso6709_point
from app.indexing.decoding import read_facts, read_file
from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import catalog_rows
from tests.helpers.raw_files import exiftool, write_dng
from tests.helpers.videos import write_video


def _stamped(path: Path, latitude: str, lat_ref: str, longitude: str, lon_ref: str, *more: str) -> Path:
    save_jpeg(path, photo(3, (320, 240)))
    exiftool(
        path,
        f"-GPSLatitude={latitude}",
        f"-GPSLatitudeRef={lat_ref}",
        f"-GPSLongitude={longitude}",
        f"-GPSLongitudeRef={lon_ref}",
        *more,
    )
    return path


def _place(path: Path) -> GeoPoint | None:
    return read_facts(read_file(str(path))).place


def _near(point: GeoPoint | None, latitude: float, longitude: float) -> bool:
    return point is not None and abs(point.latitude - latitude) < 1e-4 and abs(point.longitude - longitude) < 1e-4


def test_camera_gps_on_every_side_of_the_equator_and_the_antimeridian(tmp_path):
    lisbon = _stamped(
        tmp_path / "lisbon.jpg", "38.7223", "N", "9.1393", "W", "-GPSAltitude=12.5", "-GPSAltitudeRef=Above Sea Level"
    )
    point = _place(lisbon)
    assert _near(point, 38.7223, -9.1393) and point is not None and point.altitude == pytest.approx(12.5)
    assert _near(_place(_stamped(tmp_path / "fiji.jpg", "17.7134", "S", "178.065", "E")), -17.7134, 178.065)
    assert _near(_place(_stamped(tmp_path / "samoa.jpg", "13.759", "S", "172.1046", "W")), -13.759, -172.1046)
    assert _near(_place(_stamped(tmp_path / "quito.jpg", "0.1807", "S", "78.4678", "W")), -0.1807, -78.4678)
    dead_sea = _stamped(
        tmp_path / "dead sea.jpg", "31.5", "N", "35.5", "E", "-GPSAltitude=430", "-GPSAltitudeRef=Below Sea Level"
    )
    assert _place(dead_sea).altitude == pytest.approx(-430)  # type: ignore[union-attr]


def test_no_fix_gives_no_place(tmp_path):
    assert _place(_stamped(tmp_path / "null island.jpg", "0", "N", "0", "E")) is None, "0, 0: no fix"
    no_ref = save_jpeg(tmp_path / "no ref.jpg", photo(3, (320, 240)))
    exiftool(no_ref, "-GPSLatitude=38.7", "-GPSLongitude=9.1")
    assert _place(no_ref) is None, "no N/S, E/W: which hemisphere is unknown"
    assert _place(save_jpeg(tmp_path / "none.jpg", photo(4, (320, 240)))) is None


def _with_gps(path: Path, gps: dict[int, object]) -> Path:
    """A JPEG whose GPS IFD Pillow writes as given (what a buggy app leaves)."""
    exif = Image.Exif()
    exif[GPS_IFD] = gps
    photo(5, (320, 240)).save(path, "JPEG", exif=exif)
    return path


def _rationals(*values: tuple[int, int]) -> tuple:
    return tuple(TiffImagePlugin.IFDRational(n, d) for n, d in values)


@pytest.mark.parametrize(
    ("name", "latitude"),
    [
        ("zero denominator", _rationals((38, 1), (0, 0), (0, 1))),
        ("past the pole", _rationals((95, 1), (0, 1), (0, 1))),
        ("minutes past 59", _rationals((38, 1), (75, 1), (0, 1))),
    ],
)
def test_malformed_gps_gives_no_place(tmp_path, name, latitude):
    gps = {1: "N", 2: latitude, 3: "E", 4: _rationals((9, 1), (8, 1), (0, 1))}
    assert _place(_with_gps(tmp_path / f"{name}.jpg", gps)) is None


def test_a_raw_and_a_video_say_where_they_were_taken(cli, tmp_path, library_dir):
    folder = tmp_path / "trip"
    rgb = np.zeros((400, 600, 3), np.uint8)
    rgb[:, :300] = (200, 40, 40)
    raw = write_dng(folder / "DSC_0001.dng", rgb)
    exiftool(raw, "-GPSLatitude=64.1466", "-GPSLatitudeRef=N", "-GPSLongitude=21.9426", "-GPSLongitudeRef=W")
    write_video(folder / "VID_0001.mp4", [((30, 30, 200), 2)], metadata={"location": "+35.6762+139.6503+040.0/"})
    write_video(folder / "VID_0002.mp4", [((30, 200, 30), 2)], metadata={"location": "+0000.0000+00000.0000/"})
    _stamped(folder / "IMG_0001.jpg", "33.8568", "S", "151.2153", "E")
    assert cli("index", folder, "--no-detect", "--no-ocr").code == 0
    (rows,) = catalog_rows(
        library_dir,
        "SELECT f.path, i.latitude, i.longitude, i.altitude, i.gps_read FROM files f JOIN images i ON i.id = f.image_id",
    )
    found = {Path(r[0]).name: r[1:] for r in rows}
    assert found["DSC_0001.dng"][:2] == pytest.approx((64.1466, -21.9426))
    assert found["VID_0001.mp4"] == pytest.approx((35.6762, 139.6503, 40.0, 1))
    assert found["VID_0002.mp4"] == (None, None, None, 1), "a zero location is no fix"
    assert found["IMG_0001.jpg"][:2] == pytest.approx((-33.8568, 151.2153))


def test_iso6709_in_its_three_forms():
    assert iso6709_point("+38.7223-009.1393+012.300/") == GeoPoint(38.7223, -9.1393, 12.3)
    point = iso6709_point("+3843.338-00908.358/")  # degrees and minutes
    assert point is not None and point.latitude == pytest.approx(38 + 43.338 / 60)
    point = iso6709_point("-334124+1511255/")  # degrees, minutes and seconds
    assert point is not None and point.longitude == pytest.approx(151 + 12 / 60 + 55 / 3600)
    assert point.latitude == pytest.approx(-(33 + 41 / 60 + 24 / 3600))
    for bad in ("", "nowhere", "+95.0+010.0/", "+38.5+190.0/", "+00.0000+000.0000/", "+3875.0+00908.0/"):
        assert iso6709_point(bad) is None, bad
