"""Faces in the catalog: face regions (kind "face", a box and the detector's score, no CLIP
vector) with their descriptors in a table of their own, the truth their FAISS file is rebuilt
from. A face found again (new face models) where an old one was keeps the old one's person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, delete, insert, select

from app.catalog.schema import FaceDescriptorRow, FacePersonRow, FaceRefusalRow, RegionRow
from app.catalog.sql_helpers import chunks, vectors_by_id

FACE = "face"
BOX = (RegionRow.x0, RegionRow.y0, RegionRow.x1, RegionRow.y1)  # a region's box, as selected columns
CARRY_OVER_OVERLAP = 0.5  # intersection over union with an old face to keep its person


@dataclass(frozen=True)
class NewFace:
    image_id: int
    bbox: tuple[float, float, float, float]
    score: float
    descriptor: bytes  # float32 x 128
    time: float | None = None  # seconds into a video: the frame it was found in


@dataclass(frozen=True)
class _OldFace:
    bbox: tuple[float, float, float, float]
    person_id: int | None
    confirmed: int
    refused: list[int]
    time: float | None


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def replace_faces(
    conn: Connection, image_ids: Sequence[int], faces: Sequence[NewFace], alive: set[int]
) -> tuple[list[int], list[tuple[int, int]]]:
    """Within the caller's transaction: drop the old faces of `image_ids`, insert those of
    `faces` whose image is still `alive`. Returns (removed face region ids, (position in
    `faces`, new region id) pairs)."""
    old: dict[int, list[_OldFace]] = {}
    removed: list[int] = []
    for chunk in chunks(list(image_ids)):
        rows = conn.execute(
            select(
                RegionRow.id,
                RegionRow.image_id,
                *BOX,
                FacePersonRow.person_id,
                FacePersonRow.confirmed,
                RegionRow.time,
            )
            .outerjoin(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
            .where(RegionRow.image_id.in_(chunk), RegionRow.kind == FACE)
        ).all()
        ids = [r[0] for r in rows]
        refusals: dict[int, list[int]] = {}
        for region_id, person_id in conn.execute(
            select(FaceRefusalRow.region_id, FaceRefusalRow.person_id).where(FaceRefusalRow.region_id.in_(ids))
        ):
            refusals.setdefault(region_id, []).append(person_id)
        for r in rows:
            old.setdefault(r[1], []).append(
                _OldFace((r[2], r[3], r[4], r[5]), r[6], int(r[7] or 0), refusals.get(r[0], []), r[8])
            )
        if ids:
            conn.execute(delete(RegionRow).where(RegionRow.id.in_(ids)))  # descriptors and people rows cascade
            removed += ids
    added: list[tuple[int, int]] = []
    for position, face in enumerate(faces):
        if face.image_id not in alive:
            continue
        x0, y0, x1, y1 = face.bbox
        region_id = conn.execute(
            insert(RegionRow)
            .values(
                image_id=face.image_id, kind=FACE, x0=x0, y0=y0, x1=x1, y1=y1, confidence=face.score, time=face.time
            )
            .returning(RegionRow.id)
        ).scalar_one()
        conn.execute(insert(FaceDescriptorRow).values(region_id=region_id, vector=face.descriptor))
        same_frame = [o for o in old.get(face.image_id, []) if o.time == face.time]
        before = max(same_frame, key=lambda o: _overlap(o.bbox, face.bbox), default=None)
        if before is not None and _overlap(before.bbox, face.bbox) >= CARRY_OVER_OVERLAP:
            if before.person_id is not None:
                conn.execute(
                    insert(FacePersonRow).values(
                        region_id=region_id, person_id=before.person_id, confirmed=before.confirmed
                    )
                )
            for person_id in before.refused:
                conn.execute(insert(FaceRefusalRow).values(region_id=region_id, person_id=person_id))
        added.append((position, region_id))
    return removed, added


def face_region_ids(engine: Engine) -> np.ndarray:
    """Ids of every face with a descriptor (what the face FAISS file must hold)."""
    with engine.connect() as conn:
        ids = conn.execute(select(FaceDescriptorRow.region_id)).scalars().all()
    return np.asarray(ids, dtype=np.int64)


def face_descriptors(engine: Engine, region_ids: Sequence[int], dim: int) -> np.ndarray:
    """The descriptors of `region_ids`, in that order, as a float32 matrix."""
    return vectors_by_id(engine, FaceDescriptorRow.region_id, FaceDescriptorRow.vector, region_ids, dim)


def any_faces(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(FaceDescriptorRow.region_id).limit(1)).first() is not None
