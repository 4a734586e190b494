"""People in a search: names the library knows are taken out of the words before they reach
CLIP ("Anna at the beach" searches "at the beach" among photos of Anna; "Anna Ben" means both
in the photo), and a search by people alone lists their photos."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from app.catalog import lookups, people
from app.catalog.records import RegionInfo
from app.core.errors import UserError
from app.core.names import name_key, name_pattern
from app.search.results import SearchHit

CONNECTORS = {"and", "with", "&", "+", ","}


def split_names(text: str | None, names: Sequence[str]) -> tuple[list[str], str]:
    """(the known names found in `text`, longest first, any case; the text without them). Only
    whole words match, so "Anna" is not found in "Annapolis"."""
    if not text:
        return [], ""
    found: list[str] = []
    rest = text
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        pattern = name_pattern(name)
        if pattern.search(rest):
            found.append(name)
            rest = pattern.sub(" ", rest)
    words = rest.split()
    while words and words[0].lower() in CONNECTORS:
        words.pop(0)
    while words and words[-1].lower() in CONNECTORS:
        words.pop()
    return found, " ".join(words)


def images_with_everyone(engine: Engine, names: Sequence[str]) -> set[int]:
    """Images holding every one of the people named (a name no person has: an error)."""
    known = {name_key(n) for n in people.person_names(engine)}
    images: set[int] | None = None
    for name in names:
        if name_key(name) not in known:
            raise UserError(
                f"no person is called {name!r}; 'photo-organizer people' lists them, and 'people name' names one"
            )
        found = people.images_with_person(engine, name)
        images = found if images is None else images & found
    return images or set()


def people_hits(engine: Engine, image_ids: set[int], names: Sequence[str], top_k: int) -> list[SearchHit]:
    """The photos of the people named, newest first (no words to rank them by)."""
    infos = lookups.images(engine, sorted(image_ids))
    ordered = sorted(infos.values(), key=lambda i: (-(i.taken_at or 0.0), i.image_id))[:top_k]
    why = "person: " + " + ".join(names)
    return [
        SearchHit(
            info.image_id,
            info.paths[0],
            1.0,
            RegionInfo(0, info.image_id, "image", None, (0.0, 0.0, 1.0, 1.0), 1.0, None),
            why,
            info.content_hash,
        )
        for info in ordered
        if info.paths
    ]
