"""What a person decided about a photo outlives the photo's stay in the library: when an image
goes (`remove`, the trash, its files deleted), its faces' named people and the taught names'
examples among its regions are kept by its content hash; when the same content is indexed again,
the regions found at the same places get them back (a face rejoins its person, confirmed as it
was; an example rejoins its name). Names and examples are the user's: they survive everything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, select

from app.catalog.faces import FACE
from app.catalog.schema import (
    ConceptExampleRow,
    ConceptRow,
    FaceDescriptorRow,
    FacePersonRow,
    ImageRow,
    KeptMarkRow,
    PersonRow,
    RegionRow,
)
from app.catalog.sql_helpers import chunks

SAME_PLACE = 0.5  # intersection over union at which a region found again is the one marked


@dataclass(frozen=True)
class KeptMarks:
    """What is kept for photos that left: faces per person's name, examples per taught name."""

    people: dict[str, int]
    names: dict[str, int]

    def to_json(self) -> dict:
        return {"people": self.people, "names": self.names}


def keep_marks(conn: Connection, image_ids: Sequence[int]) -> None:
    """Before `image_ids` are deleted: keep their named faces and taught examples by content."""
    box = (RegionRow.x0, RegionRow.y0, RegionRow.x1, RegionRow.y1)
    for chunk in chunks(list(image_ids)):
        faces = conn.execute(
            select(ImageRow.content_hash, RegionRow.kind, *box, FacePersonRow.person_id, FacePersonRow.confirmed)
            .join(RegionRow, RegionRow.image_id == ImageRow.id)
            .join(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
            .join(PersonRow, PersonRow.id == FacePersonRow.person_id)
            .where(ImageRow.id.in_(chunk), PersonRow.name.is_not(None))
        ).all()
        examples = conn.execute(
            select(ImageRow.content_hash, RegionRow.kind, *box, ConceptExampleRow.concept_id)
            .join(RegionRow, RegionRow.image_id == ImageRow.id)
            .join(ConceptExampleRow, ConceptExampleRow.region_id == RegionRow.id)
            .where(ImageRow.id.in_(chunk))
        ).all()
        rows = [_mark(r[:6], person_id=r[6], confirmed=r[7]) for r in faces]
        rows += [_mark(r[:6], concept_id=r[6]) for r in examples]
        if rows:
            conn.execute(insert(KeptMarkRow), rows)


def _mark(row: Sequence, person_id: int | None = None, confirmed: int = 0, concept_id: int | None = None) -> dict:
    content_hash, kind, x0, y0, x1, y1 = row
    return {
        "content_hash": content_hash,
        "region_kind": kind,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "person_id": person_id,
        "confirmed": int(confirmed or 0),
        "concept_id": concept_id,
    }


def kept(engine: Engine) -> KeptMarks:
    """What is kept now, by name (for what `remove` says)."""
    with engine.connect() as conn:
        people = conn.execute(
            select(PersonRow.name, func.count())
            .join(KeptMarkRow, KeptMarkRow.person_id == PersonRow.id)
            .group_by(PersonRow.id)
        ).all()
        names = conn.execute(
            select(ConceptRow.name, func.count())
            .join(KeptMarkRow, KeptMarkRow.concept_id == ConceptRow.id)
            .group_by(ConceptRow.id)
        ).all()
    return KeptMarks({str(n): int(c) for n, c in people}, {str(n): int(c) for n, c in names})


def given_back(before: KeptMarks, after: KeptMarks) -> KeptMarks:
    """What was kept between `before` and `after` (what one removal kept)."""
    people = Counter(after.people) - Counter(before.people)
    names = Counter(after.names) - Counter(before.names)
    return KeptMarks(dict(people), dict(names))


def _overlap(a: Sequence[float], b: Sequence[float]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def restore_marks(engine: Engine) -> int:
    """Give photos that came back what was kept for them (under the writer lock, after a run
    found their regions); returns how many marks were given back. A mark whose region is not
    found yet (faces not looked for) stays for a later run."""
    with engine.begin() as conn:
        marks = conn.execute(
            select(
                KeptMarkRow.id,
                ImageRow.id,
                KeptMarkRow.region_kind,
                KeptMarkRow.x0,
                KeptMarkRow.y0,
                KeptMarkRow.x1,
                KeptMarkRow.y1,
                KeptMarkRow.person_id,
                KeptMarkRow.confirmed,
                KeptMarkRow.concept_id,
            ).join(ImageRow, ImageRow.content_hash == KeptMarkRow.content_hash)
        ).all()
        done = [m[0] for m in marks if _restore(conn, m)]
        for chunk in chunks(done):
            conn.execute(delete(KeptMarkRow).where(KeptMarkRow.id.in_(chunk)))
    return len(done)


def _restore(conn: Connection, mark: Sequence) -> bool:
    mark_id, image_id, kind, x0, y0, x1, y1, person_id, confirmed, concept_id = mark
    regions = conn.execute(
        select(RegionRow.id, RegionRow.x0, RegionRow.y0, RegionRow.x1, RegionRow.y1).where(
            RegionRow.image_id == image_id, RegionRow.kind == kind
        )
    ).all()
    best = max(regions, key=lambda r: _overlap((x0, y0, x1, y1), r[1:]), default=None)
    if best is None or _overlap((x0, y0, x1, y1), best[1:]) < SAME_PLACE:
        return False
    region_id = int(best[0])
    if concept_id is not None:
        conn.execute(
            insert(ConceptExampleRow).prefix_with("OR IGNORE").values(concept_id=concept_id, region_id=region_id)
        )
        return True
    if kind == FACE:
        described = conn.execute(select(FaceDescriptorRow.region_id).where(FaceDescriptorRow.region_id == region_id))
        if described.first() is None:
            return False
    current = conn.execute(select(FacePersonRow.confirmed).where(FacePersonRow.region_id == region_id)).first()
    if current is not None and current[0]:
        return True  # the person already confirmed another person for this face since
    conn.execute(delete(FacePersonRow).where(FacePersonRow.region_id == region_id))
    conn.execute(insert(FacePersonRow).values(region_id=region_id, person_id=person_id, confirmed=int(confirmed)))
    return True
