"""Taught names in the catalog: each name, the regions it was taught from, and its learned word
vector per model (with the report of that learning). A name is the user's and survives
everything automatic; a model switch only adds a vector for the new model."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, delete, distinct, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.catalog.schema import ConceptExampleRow, ConceptRow, ConceptVectorRow, FileRow, RegionRow
from app.core.errors import UserError
from app.core.names import clean_name, name_key


@dataclass(frozen=True)
class ConceptSummary:
    id: int
    name: str
    examples: int  # regions it was taught from
    photos: int  # distinct photos among them
    models: tuple[str, ...] = ()  # the models it has been learned for
    image_ids: tuple[int, ...] = field(default=(), repr=False)

    def learned_for(self, model_key: str) -> bool:
        return model_key in self.models


def concepts(engine: Engine) -> list[ConceptSummary]:
    """Every taught name, in alphabetical order."""
    with engine.connect() as conn:
        rows = conn.execute(select(ConceptRow.id, ConceptRow.name).order_by(ConceptRow.key)).all()
        examples = conn.execute(
            select(ConceptExampleRow.concept_id, ConceptExampleRow.region_id, RegionRow.image_id).join(
                RegionRow, RegionRow.id == ConceptExampleRow.region_id
            )
        ).all()
        models = conn.execute(select(ConceptVectorRow.concept_id, ConceptVectorRow.model_key)).all()
    regions: dict[int, int] = {}
    images: dict[int, set[int]] = {}
    for concept_id, _region_id, image_id in examples:
        regions[concept_id] = regions.get(concept_id, 0) + 1
        images.setdefault(concept_id, set()).add(image_id)
    learned: dict[int, list[str]] = {}
    for concept_id, model_key in models:
        learned.setdefault(concept_id, []).append(model_key)
    return [
        ConceptSummary(
            cid,
            name,
            regions.get(cid, 0),
            len(images.get(cid, ())),
            tuple(sorted(learned.get(cid, []))),
            tuple(sorted(images.get(cid, ()))),
        )
        for cid, name in rows
    ]


def find_concept(engine: Engine, name: str) -> ConceptSummary | None:
    key = name_key(name)
    return next((c for c in concepts(engine) if name_key(c.name) == key), None)


def taught_vectors(engine: Engine, model_key: str) -> dict[str, np.ndarray]:
    """The names learned for `model_key`, with their word vectors."""
    stmt = (
        select(ConceptRow.name, ConceptVectorRow.vector)
        .join(ConceptVectorRow, ConceptVectorRow.concept_id == ConceptRow.id)
        .where(ConceptVectorRow.model_key == model_key)
    )
    with engine.connect() as conn:
        return {name: np.frombuffer(blob, dtype=np.float32).copy() for name, blob in conn.execute(stmt)}


def example_region_ids(engine: Engine, concept_id: int) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(ConceptExampleRow.region_id)
                .where(ConceptExampleRow.concept_id == concept_id)
                .order_by(ConceptExampleRow.region_id)
            ).scalars()
        )


def report_of(engine: Engine, concept_id: int, model_key: str) -> dict | None:
    with engine.connect() as conn:
        text_value = conn.execute(
            select(ConceptVectorRow.report).where(
                ConceptVectorRow.concept_id == concept_id, ConceptVectorRow.model_key == model_key
            )
        ).scalar_one_or_none()
    return json.loads(text_value) if text_value else None


def save_learned(
    engine: Engine,
    name: str,
    region_ids: Sequence[int],
    model_key: str,
    vector: np.ndarray,
    report: dict,
) -> int:
    """In one transaction: the name (made if new), its examples (added to any it had), and its
    vector for `model_key`. Vectors for other models were learned from fewer examples: they go,
    and are learned again when the library uses that model. Returns the concept's id."""
    blob = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    with engine.begin() as conn:
        concept_id = conn.execute(select(ConceptRow.id).where(ConceptRow.key == name_key(name))).scalar_one_or_none()
        if concept_id is None:
            concept_id = conn.execute(
                insert(ConceptRow).values(name=clean_name(name), key=name_key(name), created_at=time.time())
            ).inserted_primary_key[0]  # type: ignore[index]
        have = set(
            conn.execute(
                select(ConceptExampleRow.region_id).where(ConceptExampleRow.concept_id == concept_id)
            ).scalars()
        )
        new = [{"concept_id": concept_id, "region_id": r} for r in dict.fromkeys(region_ids) if r not in have]
        if new:
            conn.execute(insert(ConceptExampleRow), new)
        conn.execute(delete(ConceptVectorRow).where(ConceptVectorRow.concept_id == concept_id))
        conn.execute(
            insert(ConceptVectorRow).values(
                concept_id=concept_id, model_key=model_key, vector=blob, report=json.dumps(report)
            )
        )
        return int(concept_id)


def save_relearned(engine: Engine, concept_id: int, model_key: str, vector: np.ndarray, report: dict) -> None:
    """A name learned again for another model from the examples it already had."""
    blob = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    with engine.begin() as conn:
        if conn.execute(select(ConceptRow.id).where(ConceptRow.id == concept_id)).scalar_one_or_none() is None:
            return  # forgotten while it was being learned
        conn.execute(
            delete(ConceptVectorRow).where(
                ConceptVectorRow.concept_id == concept_id, ConceptVectorRow.model_key == model_key
            )
        )
        conn.execute(
            insert(ConceptVectorRow).values(
                concept_id=concept_id, model_key=model_key, vector=blob, report=json.dumps(report)
            )
        )


def forget(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        gone = conn.execute(delete(ConceptRow).where(ConceptRow.key == name_key(name))).rowcount
    if not gone:
        raise UserError(f"no name {name!r} has been taught; 'photo-organizer concepts' lists them")


def rename(engine: Engine, old: str, new: str) -> None:
    """Rename a taught name; its learned vectors stay (a word vector does not depend on how the
    name is spelled)."""
    try:
        with engine.begin() as conn:
            changed = conn.execute(
                update(ConceptRow)
                .where(ConceptRow.key == name_key(old))
                .values(name=clean_name(new), key=name_key(new))
            ).rowcount
    except IntegrityError:
        raise UserError(f"{new!r} is already a taught name") from None
    if not changed:
        raise UserError(f"no name {old!r} has been taught; 'photo-organizer concepts' lists them")


def photos_of(engine: Engine, concept_id: int) -> list[int]:
    """The ids of the photos a name was taught from, newest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(distinct(RegionRow.image_id))
                .join(ConceptExampleRow, ConceptExampleRow.region_id == RegionRow.id)
                .where(ConceptExampleRow.concept_id == concept_id)
            ).scalars()
        )


def image_ids_for_paths(engine: Engine, paths: Sequence[str]) -> dict[str, int]:
    """The image each of `paths` holds, for those the library knows."""
    out: dict[str, int] = {}
    with engine.connect() as conn:
        for start in range(0, len(paths), 500):
            chunk = list(paths[start : start + 500])
            for path, image_id in conn.execute(select(FileRow.path, FileRow.image_id).where(FileRow.path.in_(chunk))):
                out[path] = image_id
    return out
