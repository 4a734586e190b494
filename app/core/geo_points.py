"""Where a photo or video was taken, as its file says: EXIF GPS (JPEG, HEIF, TIFF, a RAW's TIFF
structure) or a video container's ISO 6709 location ("+38.7223-009.1393+012.300/").

Anything doubtful gives no place, never a wrong one: a missing or unknown reference, a rational
with a zero denominator, NaN or infinity, minutes or seconds past 60, a latitude past 90 or
a longitude past 180, and exactly 0, 0 ("null island": what cameras write when they have no fix).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

GPS_IFD = 0x8825
_LAT_REF, _LAT, _LON_REF, _LON, _ALT_REF, _ALT = 1, 2, 3, 4, 5, 6


@dataclass(frozen=True)
class GeoPoint:
    latitude: float  # degrees, north positive
    longitude: float  # degrees, east positive
    altitude: float | None = None  # metres above sea level


def checked(latitude: float, longitude: float, altitude: float | None = None) -> GeoPoint | None:
    """A point, or None when it cannot be a real fix."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180 or (latitude == 0 and longitude == 0):
        return None
    if altitude is not None and not (math.isfinite(altitude) and -12_000 <= altitude <= 100_000):
        altitude = None  # a bad altitude does not spoil a good position
    return GeoPoint(latitude, longitude, altitude)


def exif_point(exif: Any) -> GeoPoint | None:
    """The GPS position in an `Image.Exif`, or None."""
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # malformed EXIF must not fail the image
        return None
    if not gps:
        return None
    latitude = _degrees(gps.get(_LAT), gps.get(_LAT_REF), {"N": 1, "S": -1})
    longitude = _degrees(gps.get(_LON), gps.get(_LON_REF), {"E": 1, "W": -1})
    if latitude is None or longitude is None:
        return None
    return checked(latitude, longitude, _altitude(gps.get(_ALT), gps.get(_ALT_REF)))


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]  # IFDRational, int, float; 0/0 is NaN
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _reference(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value or "").strip("\x00 ").upper()[:1]


def _degrees(value: object, ref: object, signs: dict[str, int]) -> float | None:
    sign = signs.get(_reference(ref))
    if sign is None or not isinstance(value, (tuple, list)) or not 1 <= len(value) <= 3:
        return None
    parts = [_number(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    degrees, minutes, seconds = (*parts, 0.0, 0.0)[:3]
    assert degrees is not None and minutes is not None and seconds is not None
    if minutes > 60 or seconds > 60:  # exactly 60 is a writer's rounding (exiftool writes 18° 11' 60")
        return None
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _altitude(value: object, ref: object) -> float | None:
    metres = _number(value)
    if metres is None:
        return None
    below = ref in (1, b"\x01") or (isinstance(ref, bytes) and ref[:1] == b"\x01")
    return -metres if below else metres


_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$")


def iso6709_point(text: object) -> GeoPoint | None:
    """A video's location as ISO 6709 ("+38.7223-009.1393+012.3/", or the DDMM / DDDMMSS
    forms), or None."""
    found = _ISO6709.match(str(text or "").strip())
    if found is None:
        return None
    latitude = _sexagesimal(found.group(1), 2)
    longitude = _sexagesimal(found.group(2), 3)
    if latitude is None or longitude is None:
        return None
    return checked(latitude, longitude, float(found.group(3)) if found.group(3) else None)


def _sexagesimal(text: str, degree_digits: int) -> float | None:
    """±DD.d, ±DDMM.m or ±DDMMSS.s (latitude; longitude has one more degree digit)."""
    sign = -1.0 if text[0] == "-" else 1.0
    whole, _, fraction = text[1:].partition(".")
    extra = len(whole) - degree_digits
    if extra not in (0, 2, 4):
        return None
    value = float(f"{whole}.{fraction or 0}")
    if extra == 0:
        return sign * value
    if extra == 2:
        degrees, minutes = divmod(value, 100)
        return sign * (degrees + minutes / 60) if minutes < 60 else None
    degrees, rest = divmod(value, 10_000)
    minutes, seconds = divmod(rest, 100)
    return sign * (degrees + minutes / 60 + seconds / 3600) if minutes < 60 and seconds < 60 else None
