"""Turning a file into what the catalog and the model need, reading it exactly once.

One read gives the bytes; the bytes give the content hash and, only when the content is new,
the decoded picture: JPEG draft mode straight down to the size the model and the thumbnail
need, EXIF orientation applied, any mode (CMYK, 16-bit, palette with alpha, animated) made
RGB. Decompression bombs are refused before any pixel is decoded. Nothing is ever written to
the source file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import re
import stat
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

from app.catalog.records import ImageFacts
from app.core.dates import plausible_date, stored_ns
from app.core.errors import LibraryStorageError
from app.core.geo_points import GeoPoint, exif_point
from app.core.media_kinds import is_raw, is_video
from app.core.storage import storage_error
from app.core.xmp_read import read_file_xmp
from app.indexing.exif_facts import date_and_camera, iptc_keywords, orientation_of
from app.indexing.pixel_budget import decode_budget
from app.indexing.raw_files import RawError, open_raw
from app.indexing.video_files import VideoError, open_video
from app.ml.image_geometry import THUMBNAIL_QUALITY, THUMBNAIL_SHORT_SIDE, thumbnail_size
from app.ml.preprocess import InputSpec, to_model_input

try:  # HEIC/HEIF support when the optional plugin is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - optional dependency
    pass

MAX_PIXELS = 200_000_000  # refuse anything larger: 200 MP is beyond every real camera
MAX_FILE_BYTES = 1 << 30

# Pillow's own bomb check would warn at ~89 MP; ours runs first and is explicit.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class DecodeError(Exception):
    """A file that cannot be indexed; the message is the reason shown to the user."""


class UnreadableError(Exception):
    """A file that could not be read just now (permissions, I/O, a vanished mount): not a fault
    of the photo, so it is kept and tried again on the next run."""


@dataclass
class FileContent:
    path: str
    size: int
    mtime_ns: int
    data: bytes
    content_hash: str
    ctime_ns: int | None = None


@dataclass
class DecodedImage:
    facts: ImageFacts
    model_input: np.ndarray


def read_file(path: str) -> FileContent:
    """Read a file once and hash it; raises DecodeError (a bad file) or UnreadableError (it
    could not be read now) with a readable reason."""
    try:
        # Non-blocking open: a FIFO or device put in a photo's place must not hang the run.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)), "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise DecodeError("not a regular file")
            if hasattr(os, "set_blocking"):
                os.set_blocking(fh.fileno(), True)
            if is_video(path):  # hashed as it streams past; FFmpeg reads the file itself
                return _hashed_video(fh, path, st)
            if st.st_size > MAX_FILE_BYTES:
                raise DecodeError(f"file too large to be a photo ({st.st_size // (1 << 20)} MB)")
            data = fh.read(MAX_FILE_BYTES + 1)
    except DecodeError:
        raise
    except IsADirectoryError:
        raise DecodeError("is a directory, not an image") from None
    except PermissionError:
        raise UnreadableError("permission denied") from None
    except FileNotFoundError:
        raise UnreadableError("it disappeared while being read") from None
    except OSError as exc:
        raise UnreadableError(f"cannot read: {exc.strerror or exc}") from None
    if not data:
        raise DecodeError("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise DecodeError(f"file too large to be a photo (over {MAX_FILE_BYTES >> 20} MB)")
    digest = hashlib.sha256(data).hexdigest()  # SHA-NI makes this the fastest here
    return FileContent(path, st.st_size, stored_ns(st.st_mtime_ns), data, digest, stored_ns(st.st_ctime_ns))


def _hashed_video(fh: BinaryIO, path: str, st: os.stat_result) -> FileContent:
    digest, read = hashlib.sha256(), 0
    while chunk := fh.read(1 << 20):
        digest.update(chunk)
        read += len(chunk)
    if not read:
        raise DecodeError("empty file")
    return FileContent(path, st.st_size, stored_ns(st.st_mtime_ns), b"", digest.hexdigest(), stored_ns(st.st_ctime_ns))


def decode(content: FileContent, input_spec: InputSpec, thumbnail_path: Path | None) -> DecodedImage:
    """Decode new content: model input array, metadata and (optionally) the thumbnail."""
    with _readable_errors():
        decoded, thumb = _decode(content, input_spec)
        if thumbnail_path is not None:
            save_thumbnail(thumb, thumbnail_path)
        return decoded


def decode_elsewhere(content: FileContent, input_spec: InputSpec) -> tuple[DecodedImage, bytes]:
    """Decode on a machine that cannot write the library: the thumbnail comes back as the very
    JPEG bytes `save_thumbnail` would have written, for the library's own process to store."""
    with _readable_errors():
        decoded, thumb = _decode(content, input_spec)
        return decoded, thumbnail_jpeg(thumb)


@dataclass
class ImageHeader:
    """What an image's header tells before any pixel is decoded: its facts, and how to turn it."""

    facts: ImageFacts
    orientation: int | None


def read_facts(content: FileContent) -> ImageFacts:
    """What a file's header says (size, date, camera, place), no pixel decoded. Raises DecodeError."""
    with _readable_errors():
        return _header(content, _open_checked(content)).facts


def jpeg_for_device(content: FileContent) -> ImageHeader | None:
    """The header of a JPEG the model's device can decode whole: 8-bit YCbCr or grey, within
    the pixel limit, and complete to its end-of-image marker (nvjpeg decodes a truncated file
    without a word, where Pillow refuses it). None for anything else: it is decoded here."""
    data = content.data
    if not data.startswith(b"\xff\xd8") or not data[-4096:].rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        return None
    try:
        with _readable_errors():
            opened = _open_checked(content)
            image = opened.image
            if opened.format != "JPEG" or image.mode not in ("RGB", "L") or _coded_as_rgb(image):
                return None
            return _header(content, opened)
    except DecodeError:
        return None  # decoding it here gives the reason


def _coded_as_rgb(image: Image.Image) -> bool:
    """A three-channel JPEG stored as RGB rather than YCbCr (Adobe's transform 0, or components
    named R, G, B): Pillow reads it right, a decoder that assumes YCbCr would not."""
    if image.mode != "RGB":
        return False
    ids = [layer[0] for layer in getattr(image, "layer", [])]
    return image.info.get("adobe_transform") == 0 or ids == [ord("R"), ord("G"), ord("B")]


def decode_for_regions(content: FileContent, max_side: int) -> np.ndarray:
    """The photo as an RGB array, upright, at most `max_side` on its long side (JPEG draft mode
    does most of the shrinking), for the object detector and OCR."""
    with _readable_errors():
        opened = _open_checked(content, (0, max_side))
        image = opened.image
        rgb = _upright_rgb(image, max_side / max(image.size), orientation_of(opened.exif))
        if max(rgb.size) > max_side:
            scale = max_side / max(rgb.size)
            size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
            rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        return np.asarray(rgb, dtype=np.uint8)


def crop_box(pixels: np.ndarray, bbox: tuple[float, float, float, float], margin: float = 0.0) -> Image.Image:
    """The part of an RGB array inside a relative box, widened by `margin` of its size on each
    side (within the photo)."""
    h, w = pixels.shape[:2]
    mx, my = (bbox[2] - bbox[0]) * margin, (bbox[3] - bbox[1]) * margin
    x0, y0 = int(max(0.0, bbox[0] - mx) * w), int(max(0.0, bbox[1] - my) * h)
    x1 = max(x0 + 1, int(round(min(1.0, bbox[2] + mx) * w)))
    y1 = max(y0 + 1, int(round(min(1.0, bbox[3] + my) * h)))
    return Image.fromarray(pixels[y0:y1, x0:x1])


@contextlib.contextmanager
def _readable_errors() -> Iterator[None]:
    """Every way Pillow can fail on a bad file, as a DecodeError with a reason a person reads."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow's notes on odd metadata ("Corrupt EXIF data"): the photo still reads, and
            # a person indexing thousands has nothing to do about them.
            warnings.simplefilter("ignore", UserWarning)
            yield
    except (DecodeError, LibraryStorageError):
        raise
    except UnidentifiedImageError:
        raise DecodeError("not a recognised image format (unknown type or corrupt header)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DecodeError(_bomb_message(str(exc))) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error) as exc:
        message = str(exc) or type(exc).__name__
        if "truncated" in message:
            raise DecodeError("truncated image data") from None
        if "Decompressed data too large" in message:
            raise DecodeError("holds a block of text or metadata too large to read safely") from None
        raise DecodeError(f"corrupt image data: {message}") from None
    except MemoryError:
        raise DecodeError("too large to decode in memory") from None


def _bomb_message(pillows: str, size: tuple[int, int] | None = None) -> str:
    """Our limit in our words (Pillow's message quotes its own, doubled, limit)."""
    if size is not None:
        what = f"{size[0]}x{size[1]} pixels is"
    else:
        found = re.search(r"\((\d+) pixels\)", pillows)
        what = f"{int(found.group(1)) / 1e6:.0f} MP is" if found else "it is"
    return f"refused as a possible decompression bomb: {what} over the {MAX_PIXELS // 1_000_000} MP limit"


@dataclass
class _Opened:
    """A file opened, no pixel decoded yet (a RAW's preview or half-size develop, already)."""

    image: Image.Image
    exif: Image.Exif
    format: str
    size: tuple[int, int]  # as stored, before turning upright (a RAW: its sensor's)
    dated: tuple[float | None, str | None] | None = None  # (taken at, camera) told otherwise: a video
    duration: float | None = None  # a video's
    place: GeoPoint | None = None  # a video's location (a photo's is in its EXIF)


def _open_checked(content: FileContent, need: tuple[int, int] = (0, 0)) -> _Opened:
    """Open a file; a RAW through LibRaw, its preview used when at least `need` (short side,
    long side)."""
    if is_video(content.path):
        try:
            video = open_video(content.path, MAX_PIXELS)
        except VideoError as exc:
            raise DecodeError(str(exc)) from None
        f = video.facts
        return _Opened(
            video.frame, Image.Exif(), f.format, video.frame.size, (f.taken_at, f.camera), f.duration, f.place
        )
    if is_raw(content.path):
        try:
            raw = open_raw(content.data, content.path, need, MAX_PIXELS)
        except RawError as exc:
            raise DecodeError(str(exc)) from None
        return _Opened(raw.image, raw.exif, raw.format, raw.size)
    image = Image.open(io.BytesIO(content.data))
    width, height = image.size
    if width < 1 or height < 1:
        raise DecodeError("image has no pixels")
    if width * height > MAX_PIXELS:
        raise DecodeError(_bomb_message("", (width, height)))
    try:
        exif = image.getexif()
    except Exception:  # malformed EXIF must not fail the image
        exif = Image.Exif()
    return _Opened(image, exif, image.format or "unknown", image.size)


def _header(content: FileContent, opened: _Opened) -> ImageHeader:
    """What an opened image's header tells: size (as a person sees it), format, date, camera,
    and how to turn it upright."""
    width, height = opened.size
    taken_at, camera = opened.dated if opened.dated is not None else date_and_camera(opened.exif)
    # Not after the file was written (a clock set to 2099): its own times tell.
    file_time = max(content.mtime_ns, content.ctime_ns or 0) / 1e9
    taken_at = plausible_date(taken_at, file_time)
    orientation = orientation_of(opened.exif)
    if orientation in (5, 6, 7, 8):
        width, height = height, width  # report the size a person sees
    fmt = opened.format
    place = opened.place if opened.dated is not None else exif_point(opened.exif)
    xmp = read_file_xmp(content.path, content.data)  # other apps' stars and tags, if any
    keywords = iptc_keywords(opened.image)  # older apps' keywords (IPTC), tags as well
    if keywords:
        xmp = replace(xmp, tags=tuple(dict.fromkeys((*xmp.tags, *keywords))))
    facts = ImageFacts(content.content_hash, content.size, width, height, fmt, taken_at, camera, opened.duration, place)
    return ImageHeader(replace(facts, xmp=None if xmp.empty else xmp), orientation)


def _decode(content: FileContent, input_spec: InputSpec) -> tuple[DecodedImage, Image.Image]:
    need = max(THUMBNAIL_SHORT_SIDE, input_spec.size)
    opened = _open_checked(content, (need, 0))
    header = _header(content, opened)
    image, fmt, orientation = opened.image, header.facts.format, header.orientation
    # A HEIF's embedded thumbnail (iPhones: 320x240) is enough for the model and ~50x cheaper
    # than decoding 12 MP of HEVC; the gallery thumbnail is then that size.
    draft_side = input_spec.size if fmt == "HEIF" else need
    rgb = _upright_rgb(image, draft_side / min(image.size), orientation)
    if min(rgb.size) > need * 2:
        rgb = _shrink(rgb, need)
    thumb = thumbnail_of(rgb)
    # The model sees the thumbnail when it is large enough: a cheaper resize, and re-embedding
    # from the thumbnail cache later gives exactly the same input.
    source = thumb if min(thumb.size) >= input_spec.size else rgb
    return DecodedImage(header.facts, to_model_input(source, input_spec)), thumb


def _upright_rgb(image: Image.Image, scale: float, orientation: int | None) -> Image.Image:
    """Decode (a JPEG in draft mode, a HEIF from an embedded thumbnail, each at no less than
    `scale` of its size; an animation's first frame), turn it upright as EXIF says, and make it
    RGB."""
    if image.format in ("JPEG", "HEIF") and scale < 1:
        w, h = image.size
        image.draft("RGB", (math.ceil(w * scale), math.ceil(h * scale)))
    if getattr(image, "is_animated", False):
        image.seek(0)
    # A 570 KB PNG can hold 196 MP and need 2 GB to decode: decodes share a pixel budget, so
    # a handful of those on many workers cannot exhaust memory (small photos never wait).
    with decode_budget().held(image.width * image.height):
        image.load()
        turn = _TURNS.get(orientation or 1)
        return to_rgb(image.transpose(turn) if turn is not None else image)


# EXIF orientation -> the turn that makes the photo upright (as ImageOps.exif_transpose).
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _shrink(image: Image.Image, short_side: int) -> Image.Image:
    scale = short_side / min(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode -> 8-bit RGB, compositing transparency onto white."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float32)
        low, high = float(array.min()), float(array.max())
        span = high - low if high > low else 1.0
        scaled = ((array - low) * (255.0 / span)).clip(0, 255).astype(np.uint8)
        return Image.fromarray(scaled, "L").convert("RGB")
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def thumbnail_of(image: Image.Image) -> Image.Image:
    """256 px on the short side (long side capped), never enlarged."""
    size = thumbnail_size(image.width, image.height)
    # Bilinear (antialiased when shrinking) looks the same as bicubic at these ~1.5x
    # reductions and costs 2 ms less per photo on the decode threads.
    return image if size == image.size else image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def thumbnail_jpeg(thumb: Image.Image) -> bytes:
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


def save_thumbnail(thumb: Image.Image | bytes, path: Path) -> None:
    """Save atomically (temp file + rename); an existing thumbnail is kept. `thumb` may be the
    JPEG already encoded (`thumbnail_jpeg`). The library's storage failing (full, read-only,
    permissions) raises LibraryStorageError: never the photo's fault."""
    if path.exists():
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            if isinstance(thumb, bytes):
                fh.write(thumb)
            else:
                thumb.save(fh, "JPEG", quality=THUMBNAIL_QUALITY)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise storage_error(path.parent.parent, exc) from None


def lower_priority(niceness: int) -> None:
    """Decoding yields the cores to inference and fills its idle moments; the look-ahead
    buffer absorbs the difference. Linux sets niceness per thread; elsewhere this is a no-op."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError:
        pass
