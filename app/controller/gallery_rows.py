"""The gallery's rows, Qt-free: one photo per row as a plain tuple, looked up by image id,
and the plan that turns the rows shown into new ones by insertion (made off the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from app.catalog.media_lookups import GalleryMarks
from app.core.errors import raise_if_stopped

if TYPE_CHECKING:
    from app.library import Library


class GalleryItem(NamedTuple):
    """A row of the gallery. The model keeps rows as plain tuples of these fields: a gallery
    holds 100,000 of them, and plain tuples drop out of Python's cyclic garbage collector,
    whose full collections over object rows stalled the GUI thread for ~100 ms per load."""

    image_id: int
    path: str
    thumbnail: str | Path
    score: float | None = None
    box: tuple[float, float, float, float] | None = None  # matched region, relative
    why: str | None = None
    stack: int = 0  # a burst stacked under this photo: how many shots (0: not a stack)
    pair: str | None = None  # a RAW+JPEG pair shown as its JPEG: the RAW's path
    duration: float | None = None  # a video's, in seconds
    time: float | None = None  # the moment a search found in a video
    marks: int = 0  # stars, favourite and reject, packed (`PhotoMarks.packed`)
    day: int = 0  # the date it was taken (else its file's) as YYYYMMDD: the timeline's groups


def gallery_items(rows: list[tuple[int, str, str, int]]) -> list[tuple]:
    """The library's gallery rows (image id, path, thumbnail, day) as GalleryItem tuples."""
    return [(i, path, thumb, None, None, None, 0, None, None, None, 0, day) for i, path, thumb, day in rows]


class GalleryRows(Mapping[int, GalleryItem]):
    """Gallery rows by image id, stored as plain tuples, handed out as GalleryItems."""

    def __init__(self, rows: list[tuple]) -> None:
        self._rows = {row[0]: row for row in rows}

    def __getitem__(self, image_id: int) -> GalleryItem:
        return GalleryItem(*self._rows[image_id])

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def cover_of(self, image_ids: Iterable[int]) -> tuple[int, str | Path] | None:
        """The first of `image_ids` here, as (its id, its thumbnail): a card's cover, without
        making a row (57,000 clusters' covers at every move of the strictness slider)."""
        rows = self._rows
        for image_id in image_ids:
            row = rows.get(image_id)
            if row is not None:
                return row[0], row[2]
        return None


@dataclass(frozen=True)
class GalleryUpdate:
    """New gallery rows, with the insertions that turn `base` (the rows shown when it was
    planned) into them; `inserts` is None when rows went or moved (a reset then)."""

    rows: list[tuple]
    base: tuple[tuple, ...]
    inserts: list[tuple[int, list[tuple]]] | None
    row_of: dict[int, int]


def plan_update(base: tuple[tuple, ...], items: list[GalleryItem] | list[tuple]) -> GalleryUpdate:
    """Runs of rows to insert (position in the growing list, rows), planned off the GUI thread:
    while indexing adds photos, the gallery grows in place instead of being rebuilt."""
    rows = [tuple(item) for item in items]
    row_of = {row[0]: i for i, row in enumerate(rows)}
    old_rows = {row[0]: row for row in base}
    kept = [row for row in rows if row[0] in old_rows]
    if [row[0] for row in kept] != [row[0] for row in base] or any(row != old_rows[row[0]] for row in kept):
        return GalleryUpdate(rows, base, None, row_of)  # rows went, moved or changed (a stack)
    old_ids = old_rows.keys()
    inserts: list[tuple[int, list[tuple]]] = []
    for i, row in enumerate(rows):
        if row[0] in old_ids:
            continue
        if inserts and inserts[-1][0] + len(inserts[-1][1]) == i:
            inserts[-1][1].append(row)
        else:
            inserts.append((i, [row]))
    return GalleryUpdate(rows, base, inserts, row_of)


def library_rows(
    library: Library,
    order: str,
    stacks: Mapping[int, tuple[int, ...]],
    newest: int | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[list[tuple], GalleryRows]:
    """The gallery's rows as shown (pairs as one photo, bursts stacked) and every photo's row
    by image id (`newest`: of that many newest photos only): read off the GUI thread. Once
    `stop()` is true (the window closes) it ends with CancelledError, within a step."""
    found = library.gallery(order, newest, stop)
    raise_if_stopped(stop, "the window closed")
    rows = gallery_items(found)
    marks = library.gallery_marks(None if newest is None else [(i, path) for i, path, _thumb, _day in found])
    raise_if_stopped(stop, "the window closed")
    rows = marked_rows(rows, marks) if marks.pairs or marks.durations or marks.marks else rows
    raise_if_stopped(stop, "the window closed")
    return (stacked_rows(rows, stacks) if stacks else rows), GalleryRows(rows)


def stacked_rows(rows: list[tuple], stacks: Mapping[int, tuple[int, ...]]) -> list[tuple]:
    """The gallery with each burst stacked under its cover: the other shots left out, the cover
    carrying how many there are. `stacks` maps a cover's image id to every shot's."""
    hidden = {shot for cover, shots in stacks.items() for shot in shots if shot != cover}
    out = []
    for row in rows:
        if row[0] in hidden:
            continue
        shots = stacks.get(row[0])
        out.append((*row[:3], None, None, None, len(shots), *row[7:]) if shots else row)
    return out


def marked_rows(rows: list[tuple], marks: GalleryMarks) -> list[tuple]:
    """The gallery with each RAW+JPEG pair as one photo (the JPEG's row, carrying its RAW's
    path; the RAW's own row left out), each video carrying its duration and each photo its
    stars, favourite and reject."""
    raw_of, durations, photo_marks = marks.pairs.raw_of, marks.durations, marks.marks
    raws = {raw_id for raw_id, _path in raw_of.values()}
    out = []
    for row in rows:
        image_id = row[0]
        if image_id in raws:
            continue
        paired, duration, marked = raw_of.get(image_id), durations.get(image_id), photo_marks.get(image_id, 0)
        if paired is None and duration is None and not marked:
            out.append(row)
            continue
        item = GalleryItem(*row)._replace(pair=paired[1] if paired else None, duration=duration, marks=marked)
        out.append(tuple(item))
    return out
