"""Catalog functions for regions beyond the whole image: object and text regions as the
region pass writes them, and which images it still has to look at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, text, update

from app.catalog.faces import NewFace, replace_faces
from app.catalog.records import RegionPassState
from app.catalog.removal import forget_region_text
from app.catalog.schema import FileRow, ImageRow, RegionRow
from app.catalog.sql_helpers import chunks


@dataclass(frozen=True)
class NewRegion:
    image_id: int
    kind: str  # "object", "text" or "frame"
    label: str | None
    bbox: tuple[float, float, float, float]
    confidence: float
    text: str | None
    vector: bytes
    time: float | None = None  # seconds into a video: a frame, or text read in one


def add_regions(engine: Engine, regions: Sequence[NewRegion]) -> list[int]:
    """Insert regions with their vectors (and their text into the keyword index); returns ids."""
    with engine.begin() as conn:
        return _insert_regions(conn, regions)


def _insert_regions(conn: Connection, regions: Sequence[NewRegion]) -> list[int]:
    ids: list[int] = []
    for r in regions:
        x0, y0, x1, y1 = r.bbox
        region_id = conn.execute(
            insert(RegionRow)
            .values(
                image_id=r.image_id,
                kind=r.kind,
                label=r.label,
                x0=x0,
                y0=y0,
                x1=x1,
                y1=y1,
                confidence=r.confidence,
                text=r.text,
                vector=r.vector,
                time=r.time,
            )
            .returning(RegionRow.id)
        ).scalar_one()
        if r.kind == "text" and r.text:
            conn.execute(
                text("INSERT INTO region_text(text, region_id) VALUES (:t, :r)"), {"t": r.text, "r": region_id}
            )
        ids.append(region_id)
    return ids


# --- the region pass ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionWork:
    """An image whose object and/or text regions are missing or made by another version."""

    image_id: int
    content_hash: str
    path: str
    objects: bool
    text: bool
    faces: bool = False
    frames: bool = False  # a video whose scene frames are missing or made by another version


def images_needing_regions(
    engine: Engine,
    objects_by: str | None,
    text_by: str | None,
    faces_by: str | None = None,
    frames_by: str | None = None,
) -> list[RegionWork]:
    """Images (with one of their files) not yet done by these detector / OCR / face model /
    frame finder versions (frames: videos only); a None version means that kind is off."""
    wanted = []
    is_video = ImageRow.duration.is_not(None)
    if frames_by is not None:
        wanted.append(and_(is_video, or_(ImageRow.frames_by.is_(None), ImageRow.frames_by != frames_by)))
    if objects_by is not None:
        wanted.append(or_(ImageRow.objects_by.is_(None), ImageRow.objects_by != objects_by))
    if text_by is not None:
        wanted.append(or_(ImageRow.text_by.is_(None), ImageRow.text_by != text_by))
    if faces_by is not None:
        wanted.append(or_(ImageRow.faces_by.is_(None), ImageRow.faces_by != faces_by))
    if not wanted:
        return []
    stmt = (
        select(
            ImageRow.id,
            ImageRow.content_hash,
            ImageRow.objects_by,
            ImageRow.text_by,
            func.min(FileRow.path),
            ImageRow.faces_by,
            ImageRow.frames_by,
            is_video,
        )
        .join(FileRow, FileRow.image_id == ImageRow.id)
        .where(or_(*wanted))
        .group_by(ImageRow.id)
        .order_by(ImageRow.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        RegionWork(
            image_id=r[0],
            content_hash=r[1],
            path=r[4],
            objects=objects_by is not None and r[2] != objects_by,
            text=text_by is not None and r[3] != text_by,
            faces=faces_by is not None and r[5] != faces_by,
            frames=frames_by is not None and bool(r[7]) and r[6] != frames_by,
        )
        for r in rows
    ]


def count_region_state(engine: Engine) -> RegionPassState:
    """How many images have object / text / face regions made by any version (for status and
    the UI)."""
    from app.catalog.image_tallies import image_tallies

    found = image_tallies(engine)
    return RegionPassState(found.objects_done, found.text_done, found.images, found.faces_done)


@dataclass(frozen=True)
class RegionsDone:
    """One image's finished region work: which kinds were redone, by which versions."""

    image_id: int
    objects_by: str | None  # None: objects were not part of this work
    text_by: str | None
    faces_by: str | None = None
    frames_by: str | None = None


@dataclass(frozen=True)
class RegionsReplaced:
    """What `replace_regions` changed: CLIP regions removed and added ((position in the new
    regions, id) pairs), and the same for faces (their descriptors' vector space)."""

    removed: list[int]
    added: list[tuple[int, int]]
    faces_removed: list[int]
    faces_added: list[tuple[int, int]]


def replace_regions(
    engine: Engine, done: Sequence[RegionsDone], regions: Sequence[NewRegion], faces: Sequence[NewFace] = ()
) -> RegionsReplaced:
    """In one transaction: drop the redone kinds' old regions, insert the new ones and mark the
    images done. A face found again where an old one was keeps its person (names and
    confirmations survive new face models)."""
    with engine.begin() as conn:
        removed: list[int] = []
        for kind, column in (("object", "objects_by"), ("text", "text_by"), ("frame", "frames_by")):
            image_ids = [d.image_id for d in done if getattr(d, column) is not None]
            for chunk in chunks(image_ids):
                found = (
                    conn.execute(select(RegionRow.id).where(RegionRow.image_id.in_(chunk), RegionRow.kind == kind))
                    .scalars()
                    .all()
                )
                if found:
                    forget_region_text(conn, found)
                    conn.execute(delete(RegionRow).where(RegionRow.id.in_(found)))
                    removed += found
        alive = set(conn.execute(select(ImageRow.id).where(ImageRow.id.in_([d.image_id for d in done]))).scalars())
        keep = [i for i, r in enumerate(regions) if r.image_id in alive]  # an image may have gone meanwhile
        added = list(zip(keep, _insert_regions(conn, [regions[i] for i in keep]), strict=True))
        redone = [d.image_id for d in done if d.faces_by is not None and d.image_id in alive]
        faces_removed, faces_added = replace_faces(conn, redone, faces, alive)
        for d in done:
            pairs = (
                ("objects_by", d.objects_by),
                ("text_by", d.text_by),
                ("faces_by", d.faces_by),
                ("frames_by", d.frames_by),
            )
            values = {k: v for k, v in pairs if v is not None}
            if values and d.image_id in alive:
                conn.execute(update(ImageRow).where(ImageRow.id == d.image_id).values(**values))
    return RegionsReplaced(removed, added, faces_removed, faces_added)
