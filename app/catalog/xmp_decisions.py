"""What other photo apps decided about a photo new to the library, read from its XMP (the file's
own, or its sidecar): its stars, or a reject (Lightroom's and digiKam's rating of -1), a
favourite (digiKam's "accepted" pick label), and its
tags and colour label as tags ("Label/Red"). A decision made here is never overwritten: a photo
this library already marked (an edit carried its marks over) keeps them; tags only add."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from app.catalog.decision_names import clean_name, name_key
from app.catalog.schema import PhotoMarkRow, PhotoTagRow, TagRow, XmpFaceRow
from app.core.errors import UserError
from app.core.xmp_read import XmpFacts


def take_xmp_decisions(conn: Connection, found: Sequence[tuple[str, XmpFacts]]) -> None:
    now = time.time()
    for content_hash, xmp in found:
        rejected = int((xmp.rating or 0) < 0 or xmp.pick == 1)
        stars, favourite = max(0, xmp.rating or 0), int(xmp.pick == 3)
        if stars or rejected or favourite:
            marked = conn.execute(select(PhotoMarkRow.content_hash).where(PhotoMarkRow.content_hash == content_hash))
            if marked.first() is None:
                values = {"stars": stars, "rejected": rejected, "favourite": favourite, "changed_at": now}
                conn.execute(insert(PhotoMarkRow).values(content_hash=content_hash, **values))
        tags = [*xmp.tags, *([f"Label/{xmp.label}"] if xmp.label else [])]
        for tag in tags:
            _tag(conn, tag, content_hash)
        if xmp.faces:  # named once this library's face pass has found the faces (`xmp_faces`)
            rows = [{"content_hash": content_hash, "name": f.name.strip(), "state": "waiting"} for f in xmp.faces]
            boxes = [dict(zip(("x0", "y0", "x1", "y1"), f.box, strict=True)) for f in xmp.faces]
            named = [r | b for r, b in zip(rows, boxes, strict=True) if r["name"]]
            if named:
                conn.execute(insert(XmpFaceRow), named)


def _tag(conn: Connection, tag: str, content_hash: str) -> None:
    try:
        cleaned = clean_name(tag, "a tag's")
    except UserError:
        return  # an empty or overlong keyword another app kept: not a tag here
    tag_id = conn.execute(select(TagRow.id).where(TagRow.key == name_key(cleaned))).scalar_one_or_none()
    if tag_id is None:
        tag_id = conn.execute(
            insert(TagRow).values(name=cleaned, key=name_key(cleaned)).returning(TagRow.id)
        ).scalar_one()
    have = conn.execute(
        select(PhotoTagRow.tag_id).where(PhotoTagRow.tag_id == tag_id, PhotoTagRow.content_hash == content_hash)
    ).first()
    if have is None:
        conn.execute(insert(PhotoTagRow).values(tag_id=tag_id, content_hash=content_hash))
