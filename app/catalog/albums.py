"""Albums in the catalog: nested by "/" (a parent album shows its sub-albums' photos), a photo in
any number of them, kept by the photo's content (moves, renames, re-indexing, a repair and a
photo that leaves and comes back keep it in its albums), ordered by date or by hand. A smart
album keeps a search instead of photos. Every change is one transaction."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update

from app.catalog.decision_names import clean_name, name_key, parents, within
from app.catalog.schema import AlbumPhotoRow, AlbumRow, FileRow, ImageRow
from app.catalog.sql_helpers import chunks
from app.core.errors import UserError


@dataclass(frozen=True)
class AlbumSummary:
    id: int
    name: str
    count: int  # photos in it and in its sub-albums (a smart album: None until its search runs)
    smart: bool
    by_hand: bool
    query: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "count": self.count, "smart": self.smart}


def image_hashes(conn: Connection, image_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(list(dict.fromkeys(image_ids))):
        found.update(conn.execute(select(ImageRow.id, ImageRow.content_hash).where(ImageRow.id.in_(chunk))).all())
    return found


def _album(conn: Connection, name: str) -> Row:
    """The album named `name` (id, name, key, query, by_hand), or a UserError."""
    key = name_key(clean_name(name, "an album's"))
    columns = (AlbumRow.id, AlbumRow.name, AlbumRow.key, AlbumRow.query, AlbumRow.by_hand)
    row = conn.execute(select(*columns).where(AlbumRow.key == key)).one_or_none()
    if row is None:
        raise UserError(f"there is no album named {name!r}: `photo-organizer albums` lists them")
    return row


def create_album(engine: Engine, name: str, query: str | None = None) -> str:
    """A new album (its parents too, when they are missing); returns its name as kept."""
    cleaned = clean_name(name, "an album's")
    with engine.begin() as conn:
        if conn.execute(select(AlbumRow.id).where(AlbumRow.key == name_key(cleaned))).first() is not None:
            raise UserError(f"there is already an album named {cleaned!r}")
        now = time.time()
        for parent in parents(cleaned):
            if conn.execute(select(AlbumRow.id).where(AlbumRow.key == name_key(parent))).first() is None:
                conn.execute(insert(AlbumRow).values(name=parent, key=name_key(parent), created_at=now))
        conn.execute(insert(AlbumRow).values(name=cleaned, key=name_key(cleaned), query=query, created_at=now))
    return cleaned


def add_to_album(engine: Engine, name: str, image_ids: Sequence[int]) -> int:
    """Put photos in an album (after those already there); returns how many were not in it."""
    with engine.begin() as conn:
        album = _album(conn, name)
        if album.query is not None:
            raise UserError(f"{album.name!r} is a smart album: it fills itself from its search")
        hashes = list(dict.fromkeys(image_hashes(conn, image_ids).values()))
        have = set(conn.execute(select(AlbumPhotoRow.content_hash).where(AlbumPhotoRow.album_id == album.id)).scalars())
        new = [h for h in hashes if h not in have]
        last = conn.execute(select(func.max(AlbumPhotoRow.position)).where(AlbumPhotoRow.album_id == album.id))
        start = (last.scalar_one() or 0.0) + 1.0
        now = time.time()
        if new:
            rows = [
                {"album_id": album.id, "content_hash": h, "position": start + i, "added_at": now}
                for i, h in enumerate(new)
            ]
            conn.execute(insert(AlbumPhotoRow), rows)
    return len(new)


def remove_from_album(engine: Engine, name: str, image_ids: Sequence[int]) -> int:
    """Take photos out of an album (never out of the library); returns how many were in it."""
    with engine.begin() as conn:
        album = _album(conn, name)
        if album.query is not None:
            raise UserError(f"{album.name!r} is a smart album: it holds what its search finds")
        hashes = list(image_hashes(conn, image_ids).values())
        removed = 0
        for chunk in chunks(hashes):
            removed += conn.execute(
                delete(AlbumPhotoRow).where(AlbumPhotoRow.album_id == album.id, AlbumPhotoRow.content_hash.in_(chunk))
            ).rowcount
    return removed


def rename_album(engine: Engine, old: str, new: str) -> str:
    """Rename an album; its sub-albums move with it ("Trips" to "Travel": "Travel/Lisbon")."""
    cleaned = clean_name(new, "an album's")
    with engine.begin() as conn:
        album = _album(conn, old)
        new_key = name_key(cleaned)
        if within(new_key, album.key) and new_key != album.key:
            raise UserError(f"an album cannot go inside itself ({album.name!r} into {cleaned!r})")
        moving = [
            (row_id, name, key)
            for row_id, name, key in conn.execute(select(AlbumRow.id, AlbumRow.name, AlbumRow.key))
            if within(key, album.key)
        ]
        moving_ids = {row_id for row_id, _n, _k in moving}
        renamed = {row_id: cleaned + name[len(album.name) :] for row_id, name, _key in moving}
        new_keys = {name_key(name) for name in renamed.values()}
        for row_id, name, key in conn.execute(select(AlbumRow.id, AlbumRow.name, AlbumRow.key)):
            if key in new_keys and row_id not in moving_ids:
                raise UserError(f"there is already an album named {name!r}")
        # Two steps, so that keys swapping within the moved albums never collide midway.
        for row_id in moving_ids:
            conn.execute(update(AlbumRow).where(AlbumRow.id == row_id).values(key=f"\x00moving {row_id}"))
        for row_id, name in renamed.items():
            conn.execute(update(AlbumRow).where(AlbumRow.id == row_id).values(name=name, key=name_key(name)))
        now = time.time()
        for parent in parents(cleaned):
            if conn.execute(select(AlbumRow.id).where(AlbumRow.key == name_key(parent))).first() is None:
                conn.execute(insert(AlbumRow).values(name=parent, key=name_key(parent), created_at=now))
    return cleaned


def delete_album(engine: Engine, name: str) -> list[str]:
    """Delete an album and its sub-albums (their photos stay in the library); returns the names."""
    with engine.begin() as conn:
        album = _album(conn, name)
        gone = [
            (row_id, album_name)
            for row_id, album_name, key in conn.execute(select(AlbumRow.id, AlbumRow.name, AlbumRow.key))
            if within(key, album.key)
        ]
        for chunk in chunks([row_id for row_id, _name in gone]):
            conn.execute(delete(AlbumPhotoRow).where(AlbumPhotoRow.album_id.in_(chunk)))
            conn.execute(delete(AlbumRow).where(AlbumRow.id.in_(chunk)))
    return sorted(album_name for _id, album_name in gone)


def set_order(engine: Engine, name: str, by_hand: bool) -> None:
    with engine.begin() as conn:
        album = _album(conn, name)
        conn.execute(update(AlbumRow).where(AlbumRow.id == album.id).values(by_hand=int(by_hand)))


def move_in_album(engine: Engine, name: str, image_ids: Sequence[int], before: int | None) -> None:
    """Put photos, in the order given, before another of the album's photos (at the end when
    None); the album is then ordered by hand."""
    with engine.begin() as conn:
        album = _album(conn, name)
        hashes = image_hashes(conn, list(image_ids) + ([before] if before is not None else []))
        order = [
            h
            for h in conn.execute(
                select(AlbumPhotoRow.content_hash)
                .where(AlbumPhotoRow.album_id == album.id)
                .order_by(AlbumPhotoRow.position)
            ).scalars()
        ]
        moving = [hashes[i] for i in image_ids if i in hashes and hashes[i] in order]
        rest = [h for h in order if h not in set(moving)]
        at = rest.index(hashes[before]) if before is not None and hashes.get(before) in rest else len(rest)
        for position, content_hash in enumerate(rest[:at] + moving + rest[at:], start=1):
            conn.execute(
                update(AlbumPhotoRow)
                .where(AlbumPhotoRow.album_id == album.id, AlbumPhotoRow.content_hash == content_hash)
                .values(position=float(position))
            )
        conn.execute(update(AlbumRow).where(AlbumRow.id == album.id).values(by_hand=1))


def album_names(engine: Engine) -> list[str]:
    """Every album's name, in the order `album_summaries` lists them (without counting their
    photos: what a query's words are matched against, on every search)."""
    with engine.connect() as conn:
        names = list(conn.execute(select(AlbumRow.name)).scalars())
    return sorted(names, key=name_key)


def album_summaries(engine: Engine) -> list[AlbumSummary]:
    """Every album by name, each counting the library's photos in it and its sub-albums."""
    with engine.connect() as conn:
        albums = conn.execute(select(AlbumRow.id, AlbumRow.name, AlbumRow.key, AlbumRow.query, AlbumRow.by_hand)).all()
        present = (
            select(AlbumPhotoRow.album_id, ImageRow.id)
            .join(ImageRow, ImageRow.content_hash == AlbumPhotoRow.content_hash)
            .where(ImageRow.id.in_(select(FileRow.image_id)))
        )
        members: dict[int, set[int]] = {}
        for album_id, image_id in conn.execute(present):
            members.setdefault(album_id, set()).add(image_id)
    summaries = []
    for album_id, name, key, query, by_hand in albums:
        inside: set[int] = set()
        for other_id, _name, other_key, _query, _by_hand in albums:
            if within(other_key, key):
                inside |= members.get(other_id, set())
        count = len(inside) if query is None else 0
        summaries.append(AlbumSummary(album_id, name, count, query is not None, bool(by_hand), query))
    return sorted(summaries, key=lambda a: name_key(a.name))


def album_photos(engine: Engine, name: str) -> tuple[AlbumSummary, list[int]]:
    """An album and the library's photos in it and its sub-albums: its own in its order (by hand,
    else by date taken), then its sub-albums' (by date). A smart album's list is its search's."""
    with engine.connect() as conn:
        album = _album(conn, name)
        keys = {
            row_id: key for row_id, key in conn.execute(select(AlbumRow.id, AlbumRow.key)) if within(key, album.key)
        }
        taken = func.coalesce(ImageRow.taken_at, 0.0)
        stmt = (
            select(AlbumPhotoRow.album_id, ImageRow.id, AlbumPhotoRow.position, taken)
            .join(ImageRow, ImageRow.content_hash == AlbumPhotoRow.content_hash)
            .where(AlbumPhotoRow.album_id.in_(list(keys)), ImageRow.id.in_(select(FileRow.image_id)))
        )
        rows = conn.execute(stmt).all()
    own = [r for r in rows if r[0] == album.id]
    own.sort(key=(lambda r: (r[2], r[1])) if album.by_hand else (lambda r: (r[3], r[1])))
    seen = {r[1] for r in own}
    below = sorted((r for r in rows if r[0] != album.id and r[1] not in seen), key=lambda r: (r[3], r[1]))
    ordered = [r[1] for r in own] + list(dict.fromkeys(r[1] for r in below))
    summary = AlbumSummary(
        album.id, album.name, len(ordered), album.query is not None, bool(album.by_hand), album.query
    )
    return summary, ordered


def kept_search(engine: Engine, name: str) -> object | None:
    """The search a smart album keeps (decoded JSON, checked by its reader), or None for an
    album of photos; an unknown album is a UserError."""
    with engine.connect() as conn:
        query = _album(conn, name).query
    if query is None:
        return None
    try:
        return json.loads(query)
    except ValueError:
        return "unreadable"


def images_in_album(engine: Engine, name: str) -> frozenset[int]:
    return frozenset(album_photos(engine, name)[1])


@dataclass(frozen=True)
class KeptAlbum:
    """An album as it was (to bring back after a delete): its search or its own photos, by
    content, in its order."""

    name: str
    query: str | None
    by_hand: bool
    hashes: tuple[str, ...]


def kept_albums(engine: Engine, name: str) -> list[KeptAlbum]:
    """The album named and those inside it, as they are now."""
    with engine.connect() as conn:
        album = _album(conn, name)
        rows = [
            row
            for row in conn.execute(select(AlbumRow.id, AlbumRow.name, AlbumRow.key, AlbumRow.query, AlbumRow.by_hand))
            if within(row.key, album.key)
        ]
        kept = []
        for row in rows:
            hashes = conn.execute(
                select(AlbumPhotoRow.content_hash)
                .where(AlbumPhotoRow.album_id == row.id)
                .order_by(AlbumPhotoRow.position)
            ).scalars()
            kept.append(KeptAlbum(row.name, row.query, bool(row.by_hand), tuple(hashes)))
    return kept


def restore_albums(engine: Engine, kept: Sequence[KeptAlbum]) -> None:
    """Bring back albums as `kept_albums` saw them (those there again by now are left alone)."""
    with engine.begin() as conn:
        now = time.time()
        for album in sorted(kept, key=lambda a: name_key(a.name)):
            key = name_key(album.name)
            if conn.execute(select(AlbumRow.id).where(AlbumRow.key == key)).first() is not None:
                continue
            values = {"name": album.name, "key": key, "query": album.query, "by_hand": int(album.by_hand)}
            made = conn.execute(insert(AlbumRow).values(**values, created_at=now).returning(AlbumRow.id))
            album_id = made.scalar_one()
            if album.hashes:
                photos = [
                    {"album_id": album_id, "content_hash": h, "position": float(i), "added_at": now}
                    for i, h in enumerate(album.hashes, start=1)
                ]
                conn.execute(insert(AlbumPhotoRow), photos)
