"""A photo edited in another app (rotated, cropped, retouched) is new content at the same path:
what the person decided about it (albums, favourite, stars, reject, tags) goes with it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.catalog.schema import AlbumPhotoRow, FileRow, ImageRow, PhotoMarkRow, PhotoTagRow
from app.catalog.sql_helpers import chunks


def edited_in_place(conn: Connection, new_images: dict[str, int]) -> list[tuple[str, str]]:
    """(old content hash, new content hash) for each path (`new_images`: path -> image id) that
    held other content until now."""
    pairs: list[tuple[str, str]] = []
    for chunk in chunks(list(new_images)):
        rows = conn.execute(
            select(FileRow.path, ImageRow.content_hash)
            .join(ImageRow, ImageRow.id == FileRow.image_id)
            .where(FileRow.path.in_(chunk))
        ).all()
        old = {path: content_hash for path, content_hash in rows}
        new_ids = [new_images[path] for path in old]
        new_hashes = dict(
            conn.execute(select(ImageRow.id, ImageRow.content_hash).where(ImageRow.id.in_(new_ids))).all()
        )
        for path, old_hash in old.items():
            new_hash = new_hashes.get(new_images[path])
            if new_hash is not None and new_hash != old_hash:
                pairs.append((old_hash, new_hash))
    return pairs


def carry_over(conn: Connection, pairs: Sequence[tuple[str, str]]) -> None:
    """Each new content gets the old one's albums, marks and tags (what it has already stays)."""
    for old_hash, new_hash in pairs:
        columns = (PhotoMarkRow.favourite, PhotoMarkRow.stars, PhotoMarkRow.rejected, PhotoMarkRow.changed_at)
        marks = conn.execute(select(*columns).where(PhotoMarkRow.content_hash == old_hash)).one_or_none()
        if marks is not None:
            conn.execute(
                sqlite_insert(PhotoMarkRow)
                .values(
                    content_hash=new_hash,
                    favourite=marks.favourite,
                    stars=marks.stars,
                    rejected=marks.rejected,
                    changed_at=marks.changed_at,
                )
                .on_conflict_do_nothing()
            )
        for album_id, position, added_at in conn.execute(
            select(AlbumPhotoRow.album_id, AlbumPhotoRow.position, AlbumPhotoRow.added_at).where(
                AlbumPhotoRow.content_hash == old_hash
            )
        ).all():
            conn.execute(
                sqlite_insert(AlbumPhotoRow)
                .values(album_id=album_id, content_hash=new_hash, position=position, added_at=added_at)
                .on_conflict_do_nothing()
            )
        for tag_id in conn.execute(select(PhotoTagRow.tag_id).where(PhotoTagRow.content_hash == old_hash)).scalars():
            conn.execute(
                sqlite_insert(PhotoTagRow).values(tag_id=tag_id, content_hash=new_hash).on_conflict_do_nothing()
            )
