"""Faces other photo apps named (read from XMP at indexing) given to this library's people once
its face pass has found the faces: the detected face a named region covers best gets the name
("This is Anna", as the People view says it), unless this library already named that face's
person otherwise: then the two names are kept apart as a conflict, shown, never overwritten."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from app.catalog import people
from app.catalog.schema import FileRow, ImageRow, XmpFaceRow
from app.core.errors import UserError

SAME_FACE = 0.3  # overlap (intersection over union) from which a named region is that face


@dataclass(frozen=True)
class XmpNaming:
    named: int  # faces that got a name from another app
    conflicts: int


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def apply_xmp_faces(engine: Engine) -> XmpNaming:
    """Give waiting names to the faces found since (under the writer lock, after grouping)."""
    stmt = (
        select(XmpFaceRow.id, XmpFaceRow.name, XmpFaceRow.x0, XmpFaceRow.y0, XmpFaceRow.x1, XmpFaceRow.y1, ImageRow.id)
        .join(ImageRow, ImageRow.content_hash == XmpFaceRow.content_hash)
        .where(XmpFaceRow.state == "waiting", ImageRow.faces_by.is_not(None))
    )
    with engine.connect() as conn:
        waiting = conn.execute(stmt).all()
    named = conflicts = 0
    for row_id, name, x0, y0, x1, y1, image_id in waiting:
        faces = people.faces_in_image(engine, image_id)
        best = max(faces, key=lambda f: _overlap(f.bbox, (x0, y0, x1, y1)), default=None)
        state, here = "unmatched", None
        if best is not None and _overlap(best.bbox, (x0, y0, x1, y1)) >= SAME_FACE:
            if best.name and best.name.casefold() == name.casefold():
                state = "agreed"
            elif best.name:
                state, here = "conflict", best.name
                conflicts += 1
            else:
                try:
                    people.face_is(engine, best.region_id, name)
                    state, named = "named", named + 1
                except UserError as error:  # a name this library cannot take (a search word…)
                    state, here = "conflict", str(error)
                    conflicts += 1
        with engine.begin() as conn:
            conn.execute(update(XmpFaceRow).where(XmpFaceRow.id == row_id).values(state=state, name_here=here))
    return XmpNaming(named, conflicts)


def xmp_face_conflicts(engine: Engine) -> list[tuple[str, str, str]]:
    """(a photo's path, the name another app gave, the name here) for each face named otherwise."""
    path = select(FileRow.path).where(FileRow.image_id == ImageRow.id).limit(1).scalar_subquery()
    stmt = (
        select(path, XmpFaceRow.name, XmpFaceRow.name_here)
        .join(ImageRow, ImageRow.content_hash == XmpFaceRow.content_hash)
        .where(XmpFaceRow.state == "conflict")
        .order_by(XmpFaceRow.id)
    )
    with engine.connect() as conn:
        return [(str(p), n, h or "") for p, n, h in conn.execute(stmt) if p is not None]
