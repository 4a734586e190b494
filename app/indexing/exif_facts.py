"""What a photo's EXIF says: how to turn it upright, when it was taken and with which camera.

Read from an `Image.Exif`, whichever way it came: a JPEG's or HEIF's own, or a RAW file's TIFF
structure (`raw_files`)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from PIL import Image

from app.core.dates import plausible_date

_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_SUBSEC_ORIGINAL = 0x9291  # SubSecTimeOriginal
_OFFSET_ORIGINAL = 0x9011  # OffsetTimeOriginal: "+14:00", the clock's offset from UTC
_OFFSET = 0x9010  # OffsetTime, for DateTime
_DATETIME = 306
_MAKE, _MODEL = 271, 272


def orientation_of(exif: Image.Exif) -> int | None:
    try:
        value = exif.get(_ORIENTATION)
    except Exception:  # malformed EXIF must not fail the image
        return None
    return int(value) if isinstance(value, int) else None


def date_and_camera(exif: Image.Exif) -> tuple[float | None, str | None]:
    """When the photo was taken (UTC seconds) and the camera that took it, from its EXIF."""
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        subsec = sub.get(_SUBSEC_ORIGINAL) if sub.get(_DATETIME_ORIGINAL) else None
        offset = sub.get(_OFFSET_ORIGINAL) if sub.get(_DATETIME_ORIGINAL) else sub.get(_OFFSET)
        make = str(exif.get(_MAKE) or "").strip("\x00 ").strip()
        model = str(exif.get(_MODEL) or "").strip("\x00 ").strip()
    except Exception:
        return None, None
    camera = model if make and model.lower().startswith(make.lower()) else " ".join(p for p in (make, model) if p)
    taken_at = _parse_exif_date(raw, offset)
    if taken_at is not None:
        taken_at += _fraction(subsec)
    return taken_at, camera or None


def _fraction(subsec: object) -> float:
    """EXIF SubSecTimeOriginal ("45" is 0.45 s): what tells a burst's shots apart within a second."""
    digits = str(subsec or "").strip("\x00 ")
    return int(digits) / 10 ** len(digits) if digits.isdigit() and len(digits) <= 9 else 0.0


_OFFSET_TEXT = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _parse_exif_date(raw: object, offset: object = None) -> float | None:
    """The moment a photo was taken: its clock's time, at the offset from UTC the camera
    recorded ("+14:00": two photos at 23:30 in Kiribati and in Baker Island are 26 hours apart),
    else in this computer's time zone (as cameras without the tag are read everywhere)."""
    if not isinstance(raw, str):
        return None
    try:
        clock = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        found = _OFFSET_TEXT.match(offset.strip("\x00 ")) if isinstance(offset, str) else None
        if found is not None:
            sign = -1 if found.group(1) == "-" else 1
            minutes = int(found.group(2)) * 60 + int(found.group(3))
            if minutes <= 14 * 60:
                zone = timezone(sign * timedelta(minutes=minutes))
                return plausible_date(clock.replace(tzinfo=zone).timestamp())
        return plausible_date(time.mktime(clock.timetuple()))
    except (ValueError, OverflowError):
        return None


def iptc_keywords(image: Image.Image) -> tuple[str, ...]:
    """The IPTC keywords (IIM 2:25) older apps wrote into a JPEG or TIFF, if any."""
    from PIL import IptcImagePlugin

    if image.format not in ("JPEG", "TIFF", "MPO"):
        return ()
    try:
        info = IptcImagePlugin.getiptcinfo(image)  # type: ignore[arg-type]
    except Exception:  # a damaged IPTC block must not fail the photo
        return ()
    found = (info or {}).get((2, 25))
    raw = found if isinstance(found, list) else [found] if found else []
    words = (w.decode("utf-8", "replace").strip() if isinstance(w, bytes) else str(w).strip() for w in raw)
    return tuple(dict.fromkeys(w for w in words if w))
