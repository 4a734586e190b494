"""Camera RAW files through LibRaw (rawpy's wheel ships it), as rclip and darktable read them.

The embedded preview JPEG is used when it has the RAW's shape and is at least as large as what
asks for it needs (the model and the thumbnail, the region pass, the viewer) or as a half-size
develop would be: it is fast (no demosaicing) and it is what the camera showed, and the
thumbnail, the regions and the viewer then show the same pixels. Otherwise the RAW is developed
at half size (one pixel per 2x2 Bayer block: no interpolation,
a quarter of the work) with the camera's white balance. Either way the pixels come as the
sensor lies, and the orientation is applied after, like a JPEG's.

The EXIF is the RAW's own: most RAWs are TIFF files (DNG, CR2, NEF, ARW, PEF, SRW, ...), whose
first directory and its Exif directory Pillow reads from the bytes; for the rest (CR3, RAF,
ORF, RW2) the preview JPEG's EXIF, which those cameras fill in. LibRaw's own rotation stands in
when neither names an orientation.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from PIL import Image

from app.indexing.pixel_budget import decode_budget

_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")
_ORIENTATION = 0x0112
# LibRaw's `flip` (its rotation of the developed image) as the EXIF orientation that means it.
_FLIP_TO_ORIENTATION = {0: 1, 3: 3, 5: 8, 6: 6}
_SHAPE_TOLERANCE = 0.03  # a preview letterboxed to another aspect ratio is not the photo


class RawError(Exception):
    """LibRaw could not read the file; the message says why, for the failure list."""


@dataclass
class OpenedRaw:
    image: Image.Image  # as the sensor lies: not turned upright yet
    exif: Image.Exif  # with the orientation to apply
    format: str  # "DNG", "CR3", ...
    size: tuple[int, int]  # the sensor's (as it lies), not the pixels'
    from_preview: bool


def raw_format(path: str) -> str:
    return os.path.splitext(path)[1][1:].upper()


def open_raw(data: bytes, path: str, need: tuple[int, int], max_pixels: int) -> OpenedRaw:
    """The RAW's pixels (its preview when at least `need` (short side, long side), else
    developed at half size) and its EXIF. Raises RawError for a file LibRaw cannot read."""
    try:
        import rawpy
    except ImportError:
        raise RawError("RAW files need the rawpy package (pip install rawpy)") from None
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            sizes = raw.sizes
            width, height = (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)
            if width * height > max_pixels:
                raise RawError(f"{width}x{height} pixels is over the {max_pixels // 1_000_000} MP limit")
            preview = _usable_preview(raw, need, (sizes.width, sizes.height))
            if preview is not None:
                image, from_preview = preview, True
            else:
                # user_flip=0: not turned here; the orientation is applied as for any photo.
                with decode_budget().held(width * height):  # LibRaw's buffers: the whole sensor
                    pixels = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8, user_flip=0)
                image, from_preview = Image.fromarray(pixels), False
            exif = _exif(data, preview)
            if not isinstance(exif.get(_ORIENTATION), int):
                exif[_ORIENTATION] = _FLIP_TO_ORIENTATION.get(sizes.flip, 1)
    except rawpy.LibRawError as exc:
        raise RawError(f"not a RAW file LibRaw can read ({_reason(exc)})") from None
    return OpenedRaw(image, exif, raw_format(path), (sizes.width, sizes.height), from_preview)


def _usable_preview(raw: object, need: tuple[int, int], sensor: tuple[int, int]) -> Image.Image | None:
    """The embedded preview when it has the sensor's shape and is large enough: as large as
    asked, or as large as a half-size develop would be (which then gives nothing more)."""
    import rawpy

    try:
        thumb = raw.extract_thumb()  # type: ignore[attr-defined]
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    image: Image.Image
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            image = Image.open(io.BytesIO(thumb.data))  # decoded later, in draft mode
        else:
            image = Image.fromarray(thumb.data)
    except (OSError, ValueError, SyntaxError):
        return None  # a damaged preview: the RAW itself may still develop
    shape, sensor_shape = image.width / max(1, image.height), sensor[0] / max(1, sensor[1])
    same_shape = abs(shape - sensor_shape) <= _SHAPE_TOLERANCE or abs(1 / shape - sensor_shape) <= _SHAPE_TOLERANCE
    as_asked = min(image.size) >= need[0] and max(image.size) >= need[1]
    as_developed = min(image.size) >= min(sensor) // 2
    return image if same_shape and (as_asked or as_developed) else None


def _exif(data: bytes, preview: Image.Image | None) -> Image.Exif:
    exif = Image.Exif()
    if data[:4] in _TIFF_HEADERS:
        try:
            exif.load(data)
        except Exception:  # malformed: the preview's, or none
            exif = Image.Exif()
    if len(exif) == 0 and preview is not None:
        try:
            exif = preview.getexif()
        except Exception:
            exif = Image.Exif()
    return exif


def _reason(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().rstrip(".") or type(exc).__name__
