"""Camera RAW files for the tests, made by real writers: DNGs from Bayer data (PiDNG writes the
mosaic as a camera's sensor lays it out; with a preview JPEG in a second directory, as cameras
keep one), EXIF written by exiftool."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

WHITE = 4095  # 12-bit sensor


def mosaic(rgb: np.ndarray) -> np.ndarray:
    """An RGB picture (uint8, even sides) as an RGGB Bayer mosaic of 12-bit samples."""
    linear = (rgb.astype(np.float32) / 255.0) ** 2.2 * WHITE  # the sensor is linear
    bayer = np.empty(rgb.shape[:2], dtype=np.uint16)
    bayer[0::2, 0::2] = linear[0::2, 0::2, 0]
    bayer[0::2, 1::2] = linear[0::2, 1::2, 1]
    bayer[1::2, 0::2] = linear[1::2, 0::2, 1]
    bayer[1::2, 1::2] = linear[1::2, 1::2, 2]
    return bayer


def write_dng(path: Path, rgb: np.ndarray, preview: Image.Image | None = None, orientation: int = 1) -> Path:
    """A DNG of `rgb` as Bayer data; `preview`, when given, is embedded as the camera's JPEG."""
    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import CalibrationIlluminant, CFAPattern, DNGVersion, PhotometricInterpretation

    height, width = rgb.shape[:2]
    tags = DNGTags()
    for tag, value in (
        (Tag.ImageWidth, width),
        (Tag.ImageLength, height),
        (Tag.TileWidth, width),
        (Tag.TileLength, height),
        (Tag.Orientation, orientation),
        (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
        (Tag.SamplesPerPixel, 1),
        (Tag.BitsPerSample, 12),
        (Tag.CFARepeatPatternDim, [2, 2]),
        (Tag.CFAPattern, CFAPattern.RGGB),
        (Tag.BlackLevel, 0),
        (Tag.WhiteLevel, WHITE),
        (Tag.ColorMatrix1, [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]]),
        (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
        (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]),
        (Tag.Make, "Testcam"),
        (Tag.Model, "Bayer One"),
        (Tag.DNGVersion, DNGVersion.V1_4),
    ):
        tags.set(tag, value)
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    data = bytes(writer.convert(mosaic(rgb)))
    if preview is not None:
        data = _with_preview(data, preview)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _with_preview(dng: bytes, preview: Image.Image) -> bytes:
    """The DNG with a second directory after its first: the preview JPEG, marked as a reduced
    image (NewSubfileType 1), as cameras chain theirs."""
    jpeg = io.BytesIO()
    preview.convert("RGB").save(jpeg, "JPEG", quality=90)
    body = jpeg.getvalue()
    ifd0 = struct.unpack_from("<I", dng, 4)[0]
    count = struct.unpack_from("<H", dng, ifd0)[0]
    next_at = ifd0 + 2 + 12 * count
    data = bytearray(dng)
    data += b"\x00" * (-len(data) % 4)
    jpeg_at = len(data)
    data += body
    data += b"\x00" * (-len(data) % 4)
    ifd1 = len(data)
    entries = [  # (tag, type, count, value): SHORT 3, LONG 4
        (254, 4, 1, 1),  # NewSubfileType: reduced-resolution image
        (256, 4, 1, preview.width),
        (257, 4, 1, preview.height),
        (259, 3, 1, 7),  # Compression: JPEG
        (262, 3, 1, 6),  # PhotometricInterpretation: YCbCr
        (273, 4, 1, jpeg_at),  # StripOffsets
        (277, 3, 1, 3),  # SamplesPerPixel
        (278, 4, 1, preview.height),  # RowsPerStrip
        (279, 4, 1, len(body)),  # StripByteCounts
    ]
    data += struct.pack("<H", len(entries))
    for tag, kind, n, value in entries:
        data += struct.pack("<HHI", tag, kind, n) + (
            struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        )
    data += struct.pack("<I", 0)
    struct.pack_into("<I", data, next_at, ifd1)
    return bytes(data)


def exiftool(path: Path, *assignments: str) -> None:
    """Write EXIF with exiftool (as a camera or a photo app would)."""
    tool = shutil.which("exiftool")
    assert tool is not None, "exiftool is installed by ./run.sh test (libimage-exiftool-perl)"
    subprocess.run([tool, "-q", "-q", "-overwrite_original", *assignments, str(path)], check=True)
