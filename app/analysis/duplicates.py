"""Duplicates in three tiers that never mix: exact copies (one image, several files), the same
photo in another file (re-encoded, resized, converted, stripped, cropped a little, rotated), and
bursts (shots of one moment: seconds apart by their capture times, or numbered in sequence in
one folder when they have none; alike, not the same pixels); each group with the one to keep
and why.

Candidates come from CLIP neighbours (`duplicate_pairs`: FAISS range search, never n x n);
pixels from the cached thumbnails confirm them (`duplicate_pixels`). Pairs are scored once and
kept in the analysis cache: a later scan compares only new photos with the library. Thresholds apply when grouping,
so a stricter or looser setting needs no new scan.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Engine

from app.analysis.cache import AnalysisCache
from app.analysis.duplicate_pairs import PairScores, scored_pairs
from app.analysis.duplicate_pixels import PixelPrints
from app.analysis.keeper import Candidate, keep_burst, keep_exact, keep_same
from app.catalog import duplicate_lookups, lookups
from app.catalog.records import ImageInfo
from app.core.media_kinds import is_raw
from app.core.paths import is_content_hash
from app.core.raw_pairs import partners
from app.core.trash import file_identity

if TYPE_CHECKING:
    from app.analysis.library_analysis import AnalysisInputs

SAME_MOMENT = 0.05  # seconds: capture times this close are one moment (EXIF keeps 1/100 s)
DISMISSED = "duplicates-dismissed"  # groups the person said are not duplicates
TIERS = ("exact", "same", "burst")


@dataclass(frozen=True)
class DuplicateParams:
    """Thresholds: pixel agreement for the same photo and for a burst, how far apart a burst's
    shots may be, and how much the same photo's brightness may differ between its files."""

    same: float = 0.985
    burst: float = 0.90
    burst_seconds: float = 2.5
    brightness: float = 0.05
    colour: float = 0.06

    @classmethod
    def from_strictness(cls, strictness: float) -> DuplicateParams:
        """0 (loose) .. 1 (strict); 0.5 gives the defaults."""
        s = min(1.0, max(0.0, strictness))
        return cls(same=0.975 + 0.02 * s, burst=0.80 + 0.2 * s, burst_seconds=4.0 - 3.0 * s)


@dataclass(frozen=True)
class DuplicateGroup:
    tier: str
    keep: str
    paths: list[str]  # every member, the kept one included
    why: str
    image_ids: tuple[int, ...] = ()

    def to_json(self) -> dict:
        return {"tier": self.tier, "keep": self.keep, "paths": self.paths, "why": self.why}


@dataclass(frozen=True)
class Duplicates:
    groups: list[DuplicateGroup]
    seconds: float
    compared: int  # photos compared with the library in this scan (0: all known already)
    pairs: PairScores = field(default_factory=PairScores.empty, repr=False)

    def to_json(self) -> dict:
        return {"groups": [g.to_json() for g in self.groups], "seconds": self.seconds, "compared": self.compared}


def find_duplicates(
    inputs: AnalysisInputs,
    params: DuplicateParams = DuplicateParams(),
    tier: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Duplicates:
    started = time.perf_counter()
    engine = inputs.engine
    prints = _prints(inputs)
    try:
        scored, compared = scored_pairs(inputs, prints, should_stop)
        # Only a pair whose pixels agree this well can put two photos in a group.
        pairs = scored.at_least(min(params.same, params.burst))
        groups: list[DuplicateGroup] = []
        if tier in (None, "exact"):
            groups += _exact_groups(engine)
        if tier in (None, "same", "burst"):
            ids = np.union1d(pairs.a, pairs.b).tolist()
            infos = lookups.images(engine, ids)
            same = _same_photo_sets(pairs, infos, params)
            found: list[DuplicateGroup | None] = []
            if tier in (None, "same"):
                found += [_same_group(members, infos) for members in same]
            if tier in (None, "burst"):
                found += [_burst_group(members, infos, prints) for members in _burst_sets(pairs, infos, params, same)]
            groups += [g for g in found if g is not None]
    finally:
        prints.close()
    dismissed = _dismissed(AnalysisCache(inputs.folder))
    groups = [g for g in groups if _group_key(g) not in dismissed]
    return Duplicates(groups, round(time.perf_counter() - started, 3), compared, scored)


# --- "not duplicates" ---------------------------------------------------------------------------


def _group_key(group: DuplicateGroup) -> str:
    return "\n".join([group.tier, *sorted(group.paths)])


def _dismissed(cache: AnalysisCache) -> set[str]:
    return set(cache.load(DISMISSED, "v1") or [])


def dismiss(inputs: AnalysisInputs, group: DuplicateGroup) -> None:
    """The person says these are not duplicates: the group is not shown again, unless it changes
    (a photo joins or leaves it, which is worth a new look)."""
    from app.core.errors import ReadOnlyLibraryError

    if inputs.read_only:
        raise ReadOnlyLibraryError("the library is read-only; that choice cannot be saved there")
    cache = AnalysisCache(inputs.folder)
    cache.save(DISMISSED, "v1", sorted(_dismissed(cache) | {_group_key(group)}))


# --- scoring pairs (incremental) ------------------------------------------------------------------


def _prints(inputs: AnalysisInputs) -> PixelPrints:
    """Pixel prints of the library's thumbnails, for one scan; where the thumbnails are is read
    from the catalog once, when the first print is made."""
    hashes: dict[int, str] = {}

    def thumbnail(image_id: int) -> Path | None:
        if not hashes:
            hashes.update(duplicate_lookups.content_hashes(inputs.engine))
        content_hash = hashes.get(image_id, "")
        if not is_content_hash(content_hash):
            return None  # a hostile catalog's row never names a file outside
        return inputs.thumbnails / content_hash[:2] / f"{content_hash}.jpg"

    return PixelPrints(thumbnail)


# --- grouping ----------------------------------------------------------------------------------


class _Sets:
    """Union-find over image ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return [sorted(g) for g in out.values() if len(g) > 1]


def _one_moment(a: ImageInfo, b: ImageInfo) -> bool | None:
    """Whether the two were taken at one moment (None: a capture time is unknown)."""
    if a.taken_at is None or b.taken_at is None:
        return None
    return abs(a.taken_at - b.taken_at) <= SAME_MOMENT


def _same_photo_sets(pairs: PairScores, infos: dict[int, ImageInfo], params: DuplicateParams) -> list[list[int]]:
    sets = _Sets()
    for p in pairs:
        a, b = infos.get(p.a), infos.get(p.b)
        if a is None or b is None or p.pixels < params.same or partners(a.paths, b.paths):
            continue  # a RAW and its JPEG are one shot, never duplicates of each other
        if not _same_length(a, b):
            continue  # a video and a photo, or two videos of other lengths: not one recording
        if p.brightness > params.brightness or p.colour > params.colour:
            continue  # another exposure, or other colours: not the same photo
        moment = _one_moment(a, b)
        if moment is False or (moment is None and _in_sequence(a, b)):
            continue  # two capture times, or numbered one after the other: two shots, however alike
        sets.join(p.a, p.b)
    return sets.groups()


def _same_length(a: ImageInfo, b: ImageInfo) -> bool:
    """Two photos, or two videos whose durations agree (a re-encode keeps the length)."""
    if a.duration is None or b.duration is None:
        return a.duration is None and b.duration is None
    return abs(a.duration - b.duration) <= max(0.5, 0.02 * max(a.duration, b.duration))


def _burst_sets(
    pairs: PairScores, infos: dict[int, ImageInfo], params: DuplicateParams, same: list[list[int]]
) -> list[list[int]]:
    """Shots of one moment: alike, taken within `burst_seconds` by one camera; the same photo's
    files count once (by their first image)."""
    representative = {image: group[0] for group in same for image in group}
    sets = _Sets()
    for p in pairs:
        a, b = infos.get(p.a), infos.get(p.b)
        if a is None or b is None or partners(a.paths, b.paths) or a.duration is not None or b.duration is not None:
            continue  # videos are never shots of a burst
        ra, rb = representative.get(p.a, p.a), representative.get(p.b, p.b)
        if ra == rb or p.pixels < params.burst:
            continue
        if a.taken_at is not None and b.taken_at is not None:
            if abs(a.taken_at - b.taken_at) > params.burst_seconds:
                continue
        elif not _in_sequence(a, b):
            continue
        if a.camera and b.camera and a.camera != b.camera:
            continue
        sets.join(ra, rb)
    return sets.groups()


# A camera's own file names: a short prefix and a running number (IMG_4001, DSC05000, DSCF1234,
# P1000123, _MG_0001); names people or programs give ("red-triangle-2") do not count.
_CAMERA_NAME = re.compile(r"^([A-Za-z_]{1,5})(\d{3,})$")


def _in_sequence(a: ImageInfo, b: ImageInfo, within: int = 3) -> bool:
    """Without capture times, shots of one moment show in a camera's file names: one folder, one
    prefix, numbers a few apart (IMG_4001.jpg, IMG_4002.jpg)."""
    for pa in a.paths:
        for pb in b.paths:
            if os.path.dirname(pa) != os.path.dirname(pb):
                continue
            ma, mb = _CAMERA_NAME.match(Path(pa).stem), _CAMERA_NAME.match(Path(pb).stem)
            if ma and mb and ma.group(1) == mb.group(1) and 0 < abs(int(ma.group(2)) - int(mb.group(2))) <= within:
                return True
    return False


def distinct_files(paths: Sequence[str]) -> list[str]:
    """Of `paths`, those that name a file now, one path per file: two paths of one file (a
    symlink, a hard link, a folder indexed again through a link or a bind mount) are one photo
    with two paths, never two copies. The first path of a file stands for it, unless it is a
    link and another is not."""
    by_file: dict[tuple[int, int], str] = {}
    for path in sorted(paths, key=lambda p: (os.path.islink(p), p)):
        identity = file_identity(path)
        if identity is not None:
            by_file.setdefault(identity, path)
    kept = set(by_file.values())
    return [p for p in paths if p in kept]


def _preferred_path(info: ImageInfo) -> str | None:
    """The path an image goes by in a group: of its exact copies, the one that is kept; None
    when none of its files is there now."""
    present = distinct_files(info.paths)
    if len(present) < 2:
        return present[0] if present else None
    files = [Candidate(p, info.width, info.height, info.byte_size, info.format, False) for p in present]
    return files[keep_exact(files)[0]].path


def _candidate(info: ImageInfo, prints: PixelPrints | None = None) -> Candidate | None:
    """A member as the keeper sees it (None: no file of it is there now); its sharpness (from
    pixels) only where it decides."""
    path = _preferred_path(info)
    if path is None:
        return None
    found = prints.get(info.image_id) if prints is not None else None
    return Candidate(
        path,
        info.width,
        info.height,
        info.byte_size,
        info.format,
        info.taken_at is not None,
        found.sharpness if found is not None else 0.0,
    )


def _present(members: list[int], candidates: list[Candidate | None]) -> tuple[list[int], list[Candidate]]:
    kept = [(m, c) for m, c in zip(members, candidates, strict=True) if c is not None]
    return [m for m, _c in kept], [c for _m, c in kept]


def _one_per_shot(members: list[int], infos: dict[int, ImageInfo]) -> list[int]:
    """A RAW and its JPEG joined in one group through a third photo are one shot: the JPEG
    leaves the group (both files stay where they are), the RAW stands for them."""
    raws = [m for m in members if any(is_raw(p) for p in infos[m].paths)]
    return [m for m in members if not any(r != m and partners(infos[r].paths, infos[m].paths) for r in raws)]


def _same_group(members: list[int], infos: dict[int, ImageInfo]) -> DuplicateGroup | None:
    members = _one_per_shot(members, infos)
    members, candidates = _present(members, [_candidate(infos[m]) for m in members])
    if len(candidates) < 2:
        return None
    best, why = keep_same(candidates)
    return DuplicateGroup("same", candidates[best].path, [c.path for c in candidates], why, tuple(members))


def _burst_group(members: list[int], infos: dict[int, ImageInfo], prints: PixelPrints) -> DuplicateGroup | None:
    members = sorted(_one_per_shot(members, infos), key=lambda m: (infos[m].taken_at or 0.0, m))
    members, candidates = _present(members, [_candidate(infos[m], prints) for m in members])
    if len(candidates) < 2:
        return None
    best, why = keep_burst(candidates)
    return DuplicateGroup("burst", candidates[best].path, [c.path for c in candidates], why, tuple(members))


def _exact_groups(engine: Engine) -> list[DuplicateGroup]:
    groups = []
    copied = duplicate_lookups.files_of_copied_images(engine)
    infos = lookups.images(engine, list(copied))
    for image_id, files in copied.items():
        info = infos[image_id]
        present = set(distinct_files([path for path, _mtime in files]))
        candidates = [
            Candidate(path, info.width, info.height, info.byte_size, info.format, info.taken_at is not None, 0.0, mtime)
            for path, mtime in files
            if path in present
        ]
        if len(candidates) < 2:
            continue  # one file under several paths, or copies that are gone: nothing to choose
        best, why = keep_exact(candidates)
        groups.append(DuplicateGroup("exact", candidates[best].path, [c.path for c in candidates], why, (image_id,)))
    return groups
