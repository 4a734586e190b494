"""Tags, hierarchical by "/" ("Family/Anna": a search for Family finds Anna's photos too), kept
by a photo's content (as albums are)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from app.catalog.albums import image_hashes
from app.catalog.decision_names import clean_name, name_key, parents, within
from app.catalog.schema import FileRow, ImageRow, PhotoTagRow, TagRow
from app.catalog.sql_helpers import chunks
from app.core.errors import UserError


@dataclass(frozen=True)
class TagSummary:
    name: str
    count: int  # photos with it or a tag below it

    def to_json(self) -> dict:
        return {"name": self.name, "count": self.count}


def add_tag(engine: Engine, tag: str, image_ids: Sequence[int]) -> tuple[str, int]:
    """Tag photos (the tag is made if new); returns the tag as kept and how many photos gained it."""
    cleaned = clean_name(tag, "a tag's")
    with engine.begin() as conn:
        tag_id = conn.execute(select(TagRow.id).where(TagRow.key == name_key(cleaned))).scalar_one_or_none()
        if tag_id is None:
            made = conn.execute(insert(TagRow).values(name=cleaned, key=name_key(cleaned))).inserted_primary_key
            assert made is not None
            tag_id = int(made[0])
        else:
            cleaned = conn.execute(select(TagRow.name).where(TagRow.id == tag_id)).scalar_one()
        hashes = list(dict.fromkeys(image_hashes(conn, image_ids).values()))
        have = set(conn.execute(select(PhotoTagRow.content_hash).where(PhotoTagRow.tag_id == tag_id)).scalars())
        new = [h for h in hashes if h not in have]
        if new:
            conn.execute(insert(PhotoTagRow), [{"tag_id": tag_id, "content_hash": h} for h in new])
    return cleaned, len(new)


def remove_tag(engine: Engine, tag: str, image_ids: Sequence[int]) -> int:
    """Take a tag off photos (a tag left on no photo is forgotten); returns how many had it."""
    cleaned = clean_name(tag, "a tag's")
    with engine.begin() as conn:
        tag_id = conn.execute(select(TagRow.id).where(TagRow.key == name_key(cleaned))).scalar_one_or_none()
        if tag_id is None:
            raise UserError(f"there is no tag {cleaned!r}: `photo-organizer tags` lists them")
        removed = 0
        for chunk in chunks(list(image_hashes(conn, image_ids).values())):
            removed += conn.execute(
                delete(PhotoTagRow).where(PhotoTagRow.tag_id == tag_id, PhotoTagRow.content_hash.in_(chunk))
            ).rowcount
        if conn.execute(select(PhotoTagRow.content_hash).where(PhotoTagRow.tag_id == tag_id).limit(1)).first() is None:
            conn.execute(delete(TagRow).where(TagRow.id == tag_id))
    return removed


def _tagged(engine: Engine) -> tuple[dict[str, str], dict[str, set[int]]]:
    """(tag key -> name, tag key -> the library's photos with exactly that tag)."""
    stmt = (
        select(TagRow.key, ImageRow.id)
        .join(PhotoTagRow, PhotoTagRow.tag_id == TagRow.id)
        .join(ImageRow, ImageRow.content_hash == PhotoTagRow.content_hash)
        .where(ImageRow.id.in_(select(FileRow.image_id)))
    )
    with engine.connect() as conn:
        names = dict(conn.execute(select(TagRow.key, TagRow.name).order_by(TagRow.id)).all())  # oldest first
        photos: dict[str, set[int]] = {}
        for key, image_id in conn.execute(stmt):
            photos.setdefault(key, set()).add(image_id)
    return names, photos


def tag_summaries(engine: Engine) -> list[TagSummary]:
    """Every tag with photos, and the tags above nested ones ("Family" for "Family/Anna"), by
    name, each counting its photos and those of the tags below it."""
    names, photos = _tagged(engine)
    shown = {key: name for key, name in names.items() if key in photos}
    for key in list(shown):  # a parent is written as the oldest tag below it writes it
        for parent in parents(shown[key]):
            shown.setdefault(name_key(parent), names.get(name_key(parent), parent))
    summaries = []
    for key, name in shown.items():
        inside: set[int] = set()
        for other, ids in photos.items():
            if within(other, key):
                inside |= ids
        summaries.append(TagSummary(name, len(inside)))
    return sorted(summaries, key=lambda t: name_key(t.name))


def images_tagged(engine: Engine, tag: str) -> frozenset[int]:
    """Photos with `tag` or a tag below it; a tag no photo has is refused."""
    key = name_key(clean_name(tag, "a tag's"))
    _names, photos = _tagged(engine)
    found = [ids for other, ids in photos.items() if within(other, key)]
    if not found:
        raise UserError(f"no photo is tagged {tag.strip()!r}: `photo-organizer tags` lists the tags")
    return frozenset().union(*found)


def tags_of(engine: Engine, image_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(image_ids)):
            stmt = (
                select(ImageRow.id, TagRow.name)
                .join(PhotoTagRow, PhotoTagRow.content_hash == ImageRow.content_hash)
                .join(TagRow, TagRow.id == PhotoTagRow.tag_id)
                .where(ImageRow.id.in_(chunk))
                .order_by(TagRow.key)
            )
            for image_id, name in conn.execute(stmt):
                found.setdefault(image_id, []).append(name)
    return found


def tag_names(engine: Engine) -> list[str]:
    """Every tag's name (completion as a tag is typed)."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(TagRow.name)).scalars(), key=name_key)
