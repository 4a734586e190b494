"""Which photo of a duplicate group to keep, and why: the one that is most the original.

Exact copies are the same bytes: keep the file that does not look like a copy (a backup or chat
folder, "copy", "(1)"), else the oldest. The same photo in several files: the camera's RAW (never traded for a
JPEG made from it), else the largest, with its camera data (EXIF), in the camera's format rather
than a conversion, and the bigger file (the less compressed). A burst: the sharpest shot (the variance of the Laplacian, a focus measure),
then the largest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.media_kinds import RAW_FORMATS

COPY_HINTS = re.compile(
    r"(^|[/\\ _.-])(copy|copie|kopie|backup|duplicate|whatsapp|telegram|signal|downloads?)([/\\ _.-]|$)|\(\d+\)",
    re.IGNORECASE,
)
CAMERA_FORMATS = frozenset({"JPEG", "HEIF", "MPO", "TIFF"})  # formats cameras write; PNG/WEBP/GIF are conversions


@dataclass(frozen=True)
class Candidate:
    """One member of a group as the keeper sees it."""

    path: str
    width: int
    height: int
    byte_size: int
    format: str
    has_exif_date: bool
    sharpness: float = 0.0
    mtime_ns: int = 0


def keep_exact(members: Sequence[Candidate]) -> tuple[int, str]:
    """(index of the file to keep, why) among files holding the same bytes."""
    order = sorted(
        range(len(members)),
        key=lambda i: (bool(COPY_HINTS.search(members[i].path)), members[i].mtime_ns, len(members[i].path)),
    )
    best = members[order[0]]
    if COPY_HINTS.search(best.path) is None and any(COPY_HINTS.search(m.path) for m in members):
        return order[0], "the same bytes; the others are in copy or backup places"
    return order[0], "the same bytes; keeping the oldest file"


def keep_same(members: Sequence[Candidate]) -> tuple[int, str]:
    """(index to keep, why) among files of the same photo (re-encoded, resized, converted)."""

    def rank(i: int) -> tuple:
        m = members[i]
        return (m.format in RAW_FORMATS, m.width * m.height, m.has_exif_date, m.format in CAMERA_FORMATS, m.byte_size)

    best_index = max(range(len(members)), key=rank)
    best = members[best_index]
    if best.format in RAW_FORMATS and any(m.format not in RAW_FORMATS for m in members):
        return best_index, f"the camera's RAW ({best.format})"
    reasons = [f"largest ({best.width}×{best.height})"]
    if best.has_exif_date and not all(m.has_exif_date for m in members):
        reasons.append("keeps the camera data")
    if best.format in CAMERA_FORMATS and any(m.format not in CAMERA_FORMATS for m in members):
        reasons.append(f"original format ({best.format})")
    same_size = [m for m in members if m.width * m.height == best.width * best.height]
    if len(same_size) > 1:
        reasons.append("least compressed")
    return best_index, ", ".join(reasons)


def keep_burst(members: Sequence[Candidate]) -> tuple[int, str]:
    """(index to keep, why) among shots of one moment."""
    best_index = max(range(len(members)), key=lambda i: (members[i].sharpness, members[i].width * members[i].height))
    return best_index, f"sharpest of {len(members)} shots"
