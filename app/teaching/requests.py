"""Checking what a person asked to teach before anything is learned: the name (its own, not a
word the search already understands, not a person's) and the examples (enough, in the library).
Every refusal is a one-line `UserError`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from app.catalog import concepts, lookups, people
from app.catalog.concepts import ConceptSummary
from app.core.errors import UserError
from app.core.names import clean_name, name_key, word_taken_by_search
from app.ml.vocabulary import CONCEPTS


@dataclass(frozen=True)
class TeachRequest:
    """A name to teach and what to teach it from: indexed `photos` and/or `region_ids` (photos,
    object crops or faces picked in the viewer); `add` gives a taught name more examples."""

    name: str
    photos: Sequence[Path | str] = ()
    region_ids: Sequence[int] = ()
    add: bool = False
    steps: int | None = None  # learning steps (tests and benchmarks); None: the default


MIN_EXAMPLES = 3
MAX_NAME_LENGTH = 60
MIN_OTHER_PHOTOS = 3  # background to tell the name apart from


def check_name(engine: Engine, name: str, adding: bool) -> ConceptSummary | None:
    """The taught name `name` already is (when `adding` examples to it), else None; a name that
    cannot be taught gets a one-line reason."""
    clean = clean_name(name)
    if not clean:
        raise UserError("the name is empty: give the name to teach, e.g. 'Rex' or 'the cabin'")
    if len(clean) > MAX_NAME_LENGTH:
        raise UserError(f"the name is too long ({len(clean)} characters; at most {MAX_NAME_LENGTH})")
    if '"' in clean or clean[0] in "+-":
        raise UserError("a name cannot hold double quotes or start with + or - (the search reads those)")
    if not any(ch.isalnum() for ch in clean):
        raise UserError(f"the name {clean!r} has no letters or digits")
    taken = word_taken_by_search(clean, CONCEPTS)
    if taken is not None:
        raise UserError(taken)
    key = name_key(clean)
    if key in {name_key(n) for n in people.person_names(engine)}:
        raise UserError(f"{clean!r} is a person's name (People); a taught name must be different")
    existing = concepts.find_concept(engine, clean)
    if existing is not None and not adding:
        raise UserError(
            f"{existing.name!r} is already a taught name ({existing.examples} examples); add photos to it "
            f"(--add), or forget it first"
        )
    if existing is None and adding:
        raise UserError(f"no name {clean!r} has been taught yet, so there is nothing to add to")
    return existing


def regions_of_photos(engine: Engine, photos: Sequence[Path | str]) -> list[int]:
    """The whole-photo regions of `photos` (paths of indexed files), in order, without repeats;
    a path the library does not hold is refused by name."""
    absolute = [os.path.abspath(Path(p).expanduser()) for p in photos]
    known = concepts.image_ids_for_paths(engine, absolute)
    missing = [p for p in absolute if p not in known]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise UserError(f"not in the library: {missing[0]}{more}; index it first, then teach")
    region_ids: list[int] = []
    for path in absolute:
        whole = lookups.image_region_ids(engine, known[path])
        if not whole:
            raise UserError(f"{path} is in the library but has no vector yet; let indexing finish first")
        region_ids.append(whole[0])
    return list(dict.fromkeys(region_ids))


def check_examples(engine: Engine, region_ids: Sequence[int], library_images: int) -> None:
    """Enough examples, and enough other photos to tell them from."""
    total = len(region_ids)
    if total < MIN_EXAMPLES:
        raise UserError(f"teaching a name needs at least {MIN_EXAMPLES} example photos (got {total})")
    example_images = {r.image_id for r in lookups.regions(engine, list(region_ids)).values()}
    if library_images - len(example_images) < MIN_OTHER_PHOTOS:
        raise UserError(
            f"the library needs at least {MIN_OTHER_PHOTOS} other photos besides the examples to tell the name apart"
        )
