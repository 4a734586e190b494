"""RAW files, and RAW+JPEG pairs: a camera set to write both leaves IMG_2001.CR3 and
IMG_2001.JPG side by side, one shot in two files. They are one photo to a person: shown once
(the JPEG, as the camera rendered it, marked RAW+JPEG and naming its RAW), found once, and never
offered as duplicates of each other; the RAW is what a photographer keeps.

A pair is one RAW and one JPEG or HEIF in the same folder with the same name before the
extension (the extension's case aside), holding different images.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.media_kinds import RAW_EXTENSIONS

PARTNER_EXTENSIONS = frozenset({".jpg", ".jpeg", ".heic", ".heif"})  # what a camera writes beside its RAW
PAIR_MARK = "RAW+JPEG"


def _shot(path: str) -> tuple[str, str, bool] | None:
    """(folder and name without extension, kind, is the RAW) for a RAW or a partner; None else."""
    stem, ext = os.path.splitext(path)
    ext = ext.lower()
    if ext in RAW_EXTENSIONS:
        return stem, "raw", True
    if ext in PARTNER_EXTENSIONS:
        return stem, "jpeg", False
    return None


@dataclass
class RawPairs:
    """The pairs among some files: the shown image (the JPEG's) -> its RAW's image and path,
    and the JPEG's own path."""

    raw_of: dict[int, tuple[int, str]] = field(default_factory=dict)
    shown_path: dict[int, str] = field(default_factory=dict)

    @property
    def raws(self) -> dict[int, int]:
        """A paired RAW's image id -> the image id it is shown as."""
        return {raw_id: shown for shown, (raw_id, _path) in self.raw_of.items()}

    def __bool__(self) -> bool:
        return bool(self.raw_of)


def find_pairs(files: Iterable[tuple[int, str]]) -> RawPairs:
    """The RAW+JPEG pairs among `files` ((image id, path)): a folder and name with exactly one
    RAW image and one JPEG image, two different images."""
    found: dict[str, dict[str, dict[int, str]]] = {}
    for image_id, path in files:
        shot = _shot(path)
        if shot is not None:
            stem, kind, _raw = shot
            found.setdefault(stem, {}).setdefault(kind, {}).setdefault(image_id, path)
    pairs = RawPairs()
    for kinds in found.values():
        raws, jpegs = kinds.get("raw", {}), kinds.get("jpeg", {})
        if len(raws) == 1 and len(jpegs) == 1:
            (raw_id, raw_path), (jpeg_id, jpeg_path) = next(iter(raws.items())), next(iter(jpegs.items()))
            if raw_id != jpeg_id:
                pairs.raw_of[jpeg_id] = (raw_id, raw_path)
                pairs.shown_path[jpeg_id] = jpeg_path
    return pairs


def may_pair(path: str) -> bool:
    """Whether a file could be half of a pair at all (a RAW, a JPEG or a HEIF)."""
    return _shot(path) is not None


def partners(paths_a: Iterable[str], paths_b: Iterable[str]) -> bool:
    """Whether two images are the two files of one shot (one a RAW, the other its JPEG)."""
    shots_a = {s[0]: s[2] for s in map(_shot, paths_a) if s is not None}
    for shot in map(_shot, paths_b):
        if shot is not None and shot[0] in shots_a and shots_a[shot[0]] != shot[2]:
            return True
    return False


def partner_names(path: str) -> tuple[str, str] | None:
    """The range of paths a partner of `path` falls in (for an indexed catalog query): every
    path starting with its folder and name and a dot. None for a file that has no partners."""
    shot = _shot(path)
    if shot is None:
        return None
    return shot[0] + ".", shot[0] + "/"  # "/" sorts right after "."
