"""What one scan of every image row counts for `status`: videos, RAW photos, and how far the
region pass got. At a million photos that scan takes a third of a second, so its answer is
remembered while the photos and their region pass do not change (`change_stamps`): an image's
format and duration never change (new content is a new image), and the region pass's marks
draw a stamp of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from app.catalog.change_stamps import REGION_PASS, TIMES, remembered, stamps
from app.catalog.schema import ImageRow
from app.core.media_kinds import RAW_FORMATS


@dataclass(frozen=True)
class ImageTallies:
    images: int
    videos: int
    raw: int
    objects_done: int
    text_done: int
    faces_done: int


def image_tallies(engine: Engine) -> ImageTallies:
    """The tallies, from one scan of the images, or as remembered since nothing they count
    changed. A read-only catalog cannot remember them: it scans each time."""

    def scan() -> str:
        with engine.connect() as conn:
            row = conn.execute(
                select(
                    func.count(),
                    func.count(ImageRow.duration),
                    func.total(ImageRow.format.in_(sorted(RAW_FORMATS))),
                    func.count(ImageRow.objects_by),
                    func.count(ImageRow.text_by),
                    func.count(ImageRow.faces_by),
                )
            ).one()
        return json.dumps([int(v) for v in row])

    found = json.loads(remembered(engine, "image-tallies", stamps(engine, TIMES, REGION_PASS), scan, True))
    return ImageTallies(*(int(v) for v in found))
