"""What marks photos in the gallery beyond their thumbnail: RAW+JPEG pairs (`core.raw_pairs`),
all of them or those a few files are in (a search's hits, looked up by path range on the
files' index), and videos' durations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from app.catalog.photo_marks import all_marks, marks_of
from app.catalog.schema import FileRow, ImageRow
from app.catalog.sql_helpers import listed
from app.core.media_kinds import RAW_FORMATS
from app.core.raw_pairs import RawPairs, find_pairs, partner_names


def raw_pairs(engine: Engine) -> RawPairs:
    """Every pair; nothing is read beyond one query when the library holds no RAW."""
    with engine.connect() as conn:
        any_raw = conn.execute(select(ImageRow.id).where(ImageRow.format.in_(RAW_FORMATS)).limit(1)).first()
        if any_raw is None:
            return RawPairs()
        files = conn.execute(select(FileRow.image_id, FileRow.path)).all()
    return find_pairs((image_id, path) for image_id, path in files)


def raw_pairs_among(engine: Engine, paths: Sequence[str]) -> RawPairs:
    ranges = {found for found in map(partner_names, paths) if found is not None}
    files: set[tuple[int, str]] = set()
    with engine.connect() as conn:
        for low, high in sorted(ranges):
            stmt = select(FileRow.image_id, FileRow.path).where(FileRow.path >= low, FileRow.path < high)
            files.update((image_id, path) for image_id, path in conn.execute(stmt))
    return find_pairs(sorted(files))


@dataclass
class GalleryMarks:
    pairs: RawPairs = field(default_factory=RawPairs)
    durations: dict[int, float] = field(default_factory=dict)  # a video's image id -> seconds
    marks: dict[int, int] = field(default_factory=dict)  # stars, favourite, reject (`PhotoMarks.packed`)


def gallery_marks(engine: Engine, of: Sequence[tuple[int, str]] | None = None) -> GalleryMarks:
    """Every photo's pairs, durations and marks, or (`of`: image ids with their paths) those of
    these photos only: the gallery's first page needs a page's, not a million's (1.4 s)."""
    if of is None:
        with engine.connect() as conn:
            durations = conn.execute(select(ImageRow.id, ImageRow.duration).where(ImageRow.duration.is_not(None))).all()
        marks = {image_id: m.packed for image_id, m in all_marks(engine).items()}
        pairs = raw_pairs(engine)
    else:
        ids = [image_id for image_id, _path in of]
        with engine.connect() as conn:
            statement = select(ImageRow.id, ImageRow.duration).where(ImageRow.id.in_(listed(ids)))
            durations = conn.execute(statement.where(ImageRow.duration.is_not(None))).all()
        marks = {image_id: m.packed for image_id, m in marks_of(engine, ids).items() if m.packed}
        pairs = raw_pairs_among(engine, [path for _id, path in of])
    return GalleryMarks(pairs, {i: float(seconds) for i, seconds in durations if seconds is not None}, marks)
