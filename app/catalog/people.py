"""People in the catalog: which person each face belongs to, their names, and the user's
corrections (confirmations and "not this person"), which nothing automatic ever undoes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, func, insert, select, update

from app.catalog.faces import BOX, FACE
from app.catalog.schema import (
    FaceDescriptorRow,
    FacePersonRow,
    FaceRefusalRow,
    FileRow,
    KeptMarkRow,
    PersonRow,
    RegionRow,
)
from app.core.errors import UserError
from app.core.raw_pairs import find_pairs


@dataclass(frozen=True)
class FaceGroups:
    """Faces with descriptors, as the grouping sees them: region ids, descriptors (n x 128),
    person ids (-1: none yet) and whether the user confirmed each."""

    region_ids: np.ndarray
    descriptors: np.ndarray
    people: np.ndarray
    confirmed: np.ndarray


@dataclass(frozen=True)
class PersonSummary:
    id: int
    name: str | None
    faces: int
    photos: list[str]  # one path per photo
    cover: int  # the region id of a face to show (the largest)
    cover_image: int = 0  # the image holding it
    cover_bbox: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    image_ids: tuple[int, ...] = ()
    hidden: bool = False  # left out of People (a stranger in the background) until shown again
    face_ids: tuple[int, ...] = ()  # region ids of the faces (what remove-face takes)
    cover_time: float | None = None  # the cover face's moment, when it is in a video

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "faces": self.faces,
            "photos": self.photos,
            "hidden": self.hidden,
            "face_ids": list(self.face_ids),
        }


@dataclass(frozen=True)
class PersonFace:
    region_id: int
    image_id: int
    bbox: tuple[float, float, float, float]
    confirmed: bool
    time: float | None = None  # seconds into a video: the frame it was found in


def faces_without_person(engine: Engine) -> int:
    """How many faces wait to be placed into a person."""
    waiting = ~select(FacePersonRow.region_id).where(FacePersonRow.region_id == FaceDescriptorRow.region_id).exists()
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FaceDescriptorRow).where(waiting)).scalar_one())


def face_groups(engine: Engine, dim: int = 128) -> FaceGroups:
    stmt = (
        select(FaceDescriptorRow.region_id, FaceDescriptorRow.vector, FacePersonRow.person_id, FacePersonRow.confirmed)
        .outerjoin(FacePersonRow, FacePersonRow.region_id == FaceDescriptorRow.region_id)
        .order_by(FaceDescriptorRow.region_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    descriptors = np.empty((len(rows), dim), dtype=np.float32)
    for i, row in enumerate(rows):
        descriptors[i] = np.frombuffer(row[1], dtype=np.float32)
    return FaceGroups(
        np.asarray([r[0] for r in rows], dtype=np.int64),
        descriptors,
        np.asarray([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int64),
        np.asarray([bool(r[3]) for r in rows], dtype=bool),
    )


def refusals(engine: Engine) -> set[tuple[int, int]]:
    """(face region id, person id) pairs the user said no to."""
    with engine.connect() as conn:
        return {(int(r), int(p)) for r, p in conn.execute(select(FaceRefusalRow.region_id, FaceRefusalRow.person_id))}


def next_person_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(PersonRow.id), 0))).scalar_one()) + 1


def assign(engine: Engine, region_ids: Sequence[int], person_ids: Sequence[int]) -> None:
    """Put faces (not in any person yet) into people, creating the people that are new."""
    if not region_ids:
        return
    with engine.begin() as conn:
        existing = set(conn.execute(select(PersonRow.id)).scalars())
        for person_id in sorted(set(person_ids) - existing):
            conn.execute(insert(PersonRow).values(id=person_id))
        conn.execute(
            insert(FacePersonRow),
            [
                {"region_id": int(r), "person_id": int(p), "confirmed": 0}
                for r, p in zip(region_ids, person_ids, strict=True)
            ],
        )


def people(engine: Engine, include_hidden: bool = False) -> list[PersonSummary]:
    """People with at least one face, the hidden ones too if asked: named first (by name),
    then unnamed by size."""
    stmt = (
        select(
            PersonRow.id,
            PersonRow.name,
            PersonRow.hidden,
            RegionRow.id,
            RegionRow.image_id,
            (RegionRow.x1 - RegionRow.x0) * (RegionRow.y1 - RegionRow.y0),
            _first_path(),
            *BOX,
            RegionRow.time,
        )
        .join(FacePersonRow, FacePersonRow.person_id == PersonRow.id)
        .join(RegionRow, RegionRow.id == FacePersonRow.region_id)
        .order_by(RegionRow.image_id)
    )
    if not include_hidden:
        stmt = stmt.where(PersonRow.hidden == 0)
    with engine.connect() as conn:
        rows = _one_per_shot(conn.execute(stmt).all(), image_at=4, path_at=6)
    by_person: dict[int, dict] = {}
    for person_id, name, hidden, region_id, image_id, area, path, x0, y0, x1, y1, when in rows:
        entry = by_person.setdefault(
            person_id,
            {
                "name": name,
                "hidden": bool(hidden),
                "faces": 0,
                "photos": {},
                "cover": (-1.0, 0, 0, (), None),
                "ids": [],
            },
        )
        entry["faces"] += 1
        entry["ids"].append(region_id)
        if path is not None:
            entry["photos"].setdefault(image_id, path)
        entry["cover"] = max(entry["cover"], (float(area), region_id, image_id, (x0, y0, x1, y1), when))
    out = [
        PersonSummary(
            pid,
            e["name"],
            e["faces"],
            list(e["photos"].values()),
            e["cover"][1],
            e["cover"][2],
            e["cover"][3],
            tuple(e["photos"]),
            e["hidden"],
            tuple(sorted(e["ids"])),
            e["cover"][4],
        )
        for pid, e in by_person.items()
    ]
    named = sorted((p for p in out if p.name), key=lambda p: (p.name.lower(), p.id))  # type: ignore[union-attr]
    unnamed = sorted((p for p in out if not p.name), key=lambda p: (-p.faces, p.id))
    return named + unnamed


def _require_person(engine: Engine, person_id: int) -> None:
    with engine.connect() as conn:
        if conn.execute(select(PersonRow.id).where(PersonRow.id == person_id)).first() is None:
            raise UserError(f"no person with id {person_id}; 'photo-organizer people' lists them")


def _checked_name(engine: Engine, name: str) -> str:
    """A person's name: not empty, not a word the search already reads (a common word, one of
    its vocabulary: the name would take the word over), and not a name taught to the search
    (the search bar would not know which one was meant)."""
    from app.catalog.concepts import find_concept
    from app.core.names import clean_name, word_taken_by_search
    from app.ml.vocabulary import CONCEPTS

    name = clean_name(name)
    if not name:
        raise UserError("a person's name cannot be empty")
    if not any(ch.isalnum() for ch in name):
        raise UserError(f"the name {name!r} has no letters or digits")
    taken = word_taken_by_search(name, CONCEPTS)
    if taken is not None:
        raise UserError(taken)
    if find_concept(engine, name) is not None:
        raise UserError(f"{name!r} is a name taught to the search (Names); a person's name must be different")
    return name


@dataclass(frozen=True)
class Naming:
    """What naming a person did: who has the name now, and who joined them (with `merge`)."""

    person_id: int
    name: str
    merged: int | None = None  # the person whose faces joined, if the name was theirs


def person_with_name(engine: Engine, name: str, other_than: int) -> tuple[int, str] | None:
    """(id, name as kept) of another person who has `name` (in any case), or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(PersonRow.id, PersonRow.name).where(
                func.lower(PersonRow.name) == " ".join(name.split()).lower(), PersonRow.id != other_than
            )
        ).first()
    return (int(row[0]), str(row[1])) if row is not None else None


def name_person(engine: Engine, person_id: int, name: str, merge: bool = False) -> Naming:
    """Name a person, which confirms their faces. A name another person already has is refused,
    unless `merge`: then this person's faces join that person, whose name stays as it is
    written (one name, one person)."""
    name = _checked_name(engine, name)
    _require_person(engine, person_id)
    same = person_with_name(engine, name, person_id)
    merged = None
    if same is not None:
        if not merge:
            raise UserError(
                f"person {same[0]} is already called {same[1]!r}: to make them one person, name this one with "
                f"--merge (or 'photo-organizer people merge {same[0]} {person_id}'); else choose another name"
            )
        merge_people(engine, same[0], person_id)
        merged, person_id, name = person_id, same[0], same[1]
    with engine.begin() as conn:
        conn.execute(update(PersonRow).where(PersonRow.id == person_id).values(name=name, hidden=0))
        conn.execute(update(FacePersonRow).where(FacePersonRow.person_id == person_id).values(confirmed=1))
    return Naming(person_id, name, merged)


def merge_people(engine: Engine, keep: int, other: int) -> None:
    """Move every face of `other` into `keep` (keeping a name if only `other` had one)."""
    if keep == other:
        raise UserError("a person cannot be merged with themselves")
    _require_person(engine, keep)
    _require_person(engine, other)
    with engine.begin() as conn:
        names = dict(conn.execute(select(PersonRow.id, PersonRow.name).where(PersonRow.id.in_([keep, other]))).all())
        moving = select(FacePersonRow.region_id).where(FacePersonRow.person_id == other)
        # The user puts these faces into `keep`: an earlier "not this person" for them is undone.
        conn.execute(
            delete(FaceRefusalRow).where(FaceRefusalRow.person_id == keep, FaceRefusalRow.region_id.in_(moving))
        )
        conn.execute(update(FacePersonRow).where(FacePersonRow.person_id == other).values(person_id=keep))
        conn.execute(update(KeptMarkRow).where(KeptMarkRow.person_id == other).values(person_id=keep))
        conn.execute(delete(FaceRefusalRow).where(FaceRefusalRow.person_id == other))
        if not names.get(keep) and names.get(other):
            conn.execute(update(PersonRow).where(PersonRow.id == keep).values(name=names[other]))
        conn.execute(delete(PersonRow).where(PersonRow.id == other))


def remove_face(engine: Engine, region_id: int) -> int:
    """'Not this person': the face leaves its person for good (a new person of its own).
    Returns the new person's id."""
    with engine.begin() as conn:
        row = conn.execute(
            select(FacePersonRow.person_id)
            .join(RegionRow, RegionRow.id == FacePersonRow.region_id)
            .where(FacePersonRow.region_id == region_id, RegionRow.kind == FACE)
        ).first()
        if row is None:
            raise UserError(
                f"no face with region id {region_id} in any person; 'photo-organizer people --json' lists them"
            )
        alone = conn.execute(select(func.count()).where(FacePersonRow.person_id == row[0])).scalar_one() == 1
        named = conn.execute(select(PersonRow.name).where(PersonRow.id == row[0])).scalar_one_or_none()
        if alone and not named:
            raise UserError(
                f"face {region_id} is already a person of its own (person {row[0]}); "
                f"'photo-organizer people hide {row[0]}' leaves a stranger out of People"
            )
        conn.execute(insert(FaceRefusalRow).prefix_with("OR IGNORE").values(region_id=region_id, person_id=row[0]))
        new_id = int(conn.execute(select(func.coalesce(func.max(PersonRow.id), 0))).scalar_one()) + 1
        conn.execute(insert(PersonRow).values(id=new_id))
        conn.execute(
            update(FacePersonRow).where(FacePersonRow.region_id == region_id).values(person_id=new_id, confirmed=1)
        )
    return new_id


def person_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [n for n in conn.execute(select(PersonRow.name).where(PersonRow.name.is_not(None))).scalars() if n]


def images_with_person(engine: Engine, name: str) -> set[int]:
    """Images holding a face of the person called `name` (any case)."""
    stmt = (
        select(RegionRow.image_id)
        .join(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
        .join(PersonRow, PersonRow.id == FacePersonRow.person_id)
        .where(func.lower(PersonRow.name) == " ".join(name.split()).lower())
    )
    with engine.connect() as conn:
        return set(conn.execute(stmt).scalars())


def drop_empty_people(engine: Engine) -> None:
    """People left with no face (their photos went) and no name go."""
    with engine.begin() as conn:
        conn.execute(
            delete(PersonRow).where(
                PersonRow.name.is_(None),
                ~select(FacePersonRow.region_id).where(FacePersonRow.person_id == PersonRow.id).exists(),
            )
        )


def person_faces(engine: Engine, person_id: int) -> list[PersonFace]:
    """A person's faces, as the person opens them to check (unconfirmed first)."""
    stmt = (
        select(
            RegionRow.id,
            RegionRow.image_id,
            *BOX,
            FacePersonRow.confirmed,
            RegionRow.time,
            _first_path(),
        )
        .join(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
        .where(FacePersonRow.person_id == person_id)
        .order_by(FacePersonRow.confirmed, RegionRow.image_id)
    )
    with engine.connect() as conn:
        rows = _one_per_shot(conn.execute(stmt).all(), image_at=1, path_at=8)
    return [PersonFace(r[0], r[1], (r[2], r[3], r[4], r[5]), bool(r[6]), r[7]) for r in rows]


def _first_path() -> Any:
    """A face's image's first path, as a selected column."""
    return select(func.min(FileRow.path)).where(FileRow.image_id == RegionRow.image_id).scalar_subquery()


def _one_per_shot(rows: Sequence[Any], image_at: int, path_at: int) -> list[Any]:
    """Face rows without those in the RAW of a RAW+JPEG pair whose JPEG is among them too: one
    shot in two files is one photo, and its JPEG's faces stand for it."""
    paired = find_pairs((r[image_at], r[path_at]) for r in rows if r[path_at] is not None).raws
    return [r for r in rows if r[image_at] not in paired]


def set_hidden(engine: Engine, person_id: int, hidden: bool) -> None:
    """Leave a person out of the People view (a stranger in the background), or show them
    again; their faces and name stay either way."""
    _require_person(engine, person_id)
    with engine.begin() as conn:
        conn.execute(update(PersonRow).where(PersonRow.id == person_id).values(hidden=int(hidden)))


@dataclass(frozen=True)
class FaceInImage:
    """A face as the viewer draws it: its box, and the person it belongs to (name or none)."""

    region_id: int
    bbox: tuple[float, float, float, float]
    person_id: int | None
    name: str | None


def faces_in_image(engine: Engine, image_id: int) -> list[FaceInImage]:
    stmt = (
        select(RegionRow.id, *BOX, PersonRow.id, PersonRow.name)
        .outerjoin(FacePersonRow, FacePersonRow.region_id == RegionRow.id)
        .outerjoin(PersonRow, PersonRow.id == FacePersonRow.person_id)
        .where(RegionRow.image_id == image_id, RegionRow.kind == FACE)
        .order_by(RegionRow.x0)
    )
    with engine.connect() as conn:
        return [FaceInImage(r[0], (r[1], r[2], r[3], r[4]), r[5], r[6]) for r in conn.execute(stmt)]


def face_is(engine: Engine, region_id: int, name: str) -> int:
    """'This is <name>': the face joins the person of that name, confirmed. When nobody has the
    name yet and the face's person has none, that person gets it (naming them, as the People view
    does); else a new person of that name. Returns the person's id."""
    name = _checked_name(engine, name)
    with engine.connect() as conn:
        named = conn.execute(select(PersonRow.id).where(func.lower(PersonRow.name) == name.lower())).first()
        current = conn.execute(
            select(PersonRow.id, PersonRow.name)
            .join(FacePersonRow, FacePersonRow.person_id == PersonRow.id)
            .where(FacePersonRow.region_id == region_id)
        ).first()
    if named is None and current is not None and not current[1]:
        return name_person(engine, int(current[0]), name).person_id
    with engine.begin() as conn:
        if conn.execute(select(RegionRow.id).where(RegionRow.id == region_id, RegionRow.kind == FACE)).first() is None:
            raise UserError(f"no face with region id {region_id}")
        found = conn.execute(select(PersonRow.id).where(func.lower(PersonRow.name) == name.lower())).first()
        if found is None:
            person_id = int(conn.execute(select(func.coalesce(func.max(PersonRow.id), 0))).scalar_one()) + 1
            conn.execute(insert(PersonRow).values(id=person_id, name=name))
        else:
            person_id = int(found[0])
        conn.execute(
            delete(FaceRefusalRow).where(FaceRefusalRow.region_id == region_id, FaceRefusalRow.person_id == person_id)
        )
        conn.execute(delete(FacePersonRow).where(FacePersonRow.region_id == region_id))
        conn.execute(insert(FacePersonRow).values(region_id=region_id, person_id=person_id, confirmed=1))
    return person_id


def confirm_faces(engine: Engine, person_id: int) -> int:
    """Confirm every face suggested for a person, in one go; returns how many."""
    _require_person(engine, person_id)
    with engine.begin() as conn:
        result = conn.execute(
            update(FacePersonRow)
            .where(FacePersonRow.person_id == person_id, FacePersonRow.confirmed == 0)
            .values(confirmed=1)
        )
    return int(result.rowcount or 0)
