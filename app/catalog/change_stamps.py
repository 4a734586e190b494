"""Change stamps: one random number per kind of catalog content, drawn again by a trigger in
the same transaction as every write to that content.

Whether a library changed since some answer was made (estimated places, the analyses'
versions, the vector files' agreement with the catalog) used to be found by reading a million
rows and hashing them, on every `status`, search and move of the slider. Comparing stamps costs
one query. A stamp is drawn at random, never counted up: a catalog restored from a backup and
then changed as often as the one it replaced still gets stamps that neither has seen (a false
match is a 2^-64 chance). A remembered answer (`remembered`) carries the stamps it was made
from, read before it was made, so a change made meanwhile shows on the next read.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from app.catalog import meta

VECTORS = "vectors"  # which regions have a CLIP vector (what the vector file must hold)
IMAGE_VECTORS = "image_vectors"  # which whole-image regions have one (what analyses read)
TIMES = "times"  # the photos, their dates taken, their files' paths and times
POSITIONS = "positions"  # GPS positions and the places named from them
FACES = "faces"  # which faces have a descriptor (what the face file must hold)
REGION_PASS = "region_pass"  # which photos had objects, text or faces looked for
STAMPED = (VECTORS, IMAGE_VECTORS, TIMES, POSITIONS, FACES, REGION_PASS)

_IMAGE_REGION = "{row}.kind = 'image' AND {row}.vector IS NOT NULL"
# (stamp, table, event, condition): every write that changes what the stamp stands for.
_TRIGGERS = (
    (VECTORS, "regions", "INSERT", "NEW.vector IS NOT NULL"),
    (VECTORS, "regions", "DELETE", "OLD.vector IS NOT NULL"),
    (VECTORS, "regions", "UPDATE OF vector", None),
    (IMAGE_VECTORS, "regions", "INSERT", _IMAGE_REGION.format(row="NEW")),
    (IMAGE_VECTORS, "regions", "DELETE", _IMAGE_REGION.format(row="OLD")),
    (
        IMAGE_VECTORS,
        "regions",
        "UPDATE OF vector, kind, image_id",
        f"({_IMAGE_REGION.format(row='NEW')}) OR ({_IMAGE_REGION.format(row='OLD')})",
    ),
    (TIMES, "images", "INSERT", None),
    (TIMES, "images", "DELETE", None),
    (TIMES, "images", "UPDATE OF taken_at", None),
    (TIMES, "files", "INSERT", None),
    (TIMES, "files", "DELETE", None),
    (TIMES, "files", "UPDATE OF path, mtime_ns, image_id", None),
    (POSITIONS, "images", "INSERT", "NEW.latitude IS NOT NULL"),
    (POSITIONS, "images", "DELETE", "OLD.latitude IS NOT NULL"),
    (POSITIONS, "images", "UPDATE OF latitude, longitude", None),
    (POSITIONS, "image_places", "INSERT", "NEW.estimated = 0"),
    (POSITIONS, "image_places", "DELETE", "OLD.estimated = 0"),
    (POSITIONS, "image_places", "UPDATE", "NEW.estimated = 0 OR OLD.estimated = 0"),
    (FACES, "face_descriptors", "INSERT", None),
    (FACES, "face_descriptors", "DELETE", None),
    (FACES, "face_descriptors", "UPDATE", None),
    (REGION_PASS, "images", "UPDATE OF objects_by, text_by, faces_by", None),
)


def create_stamps(conn: Connection) -> None:
    """The stamps' table, a first stamp of each, and the triggers that draw them again (a
    migration step: idempotent)."""
    conn.execute(text("CREATE TABLE IF NOT EXISTS change_stamps (what TEXT PRIMARY KEY, stamp INTEGER NOT NULL)"))
    for what in STAMPED:
        conn.execute(text("INSERT OR IGNORE INTO change_stamps(what, stamp) VALUES (:w, random())"), {"w": what})
    tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    for number, (what, table, event, condition) in enumerate(_TRIGGERS):
        if table not in tables:
            continue  # a catalog made by hand, short of a table: nothing there to change
        if event.startswith("UPDATE OF "):  # a column set to the value it had changes nothing
            changed = " OR ".join(f"OLD.{c.strip()} IS NOT NEW.{c.strip()}" for c in event[10:].split(","))
            condition = f"({changed}) AND ({condition})" if condition else changed
        when = f" WHEN {condition}" if condition else ""
        conn.execute(
            text(
                f"CREATE TRIGGER IF NOT EXISTS change_stamp_{number}_{what} AFTER {event} ON {table}{when} "
                f"BEGIN UPDATE change_stamps SET stamp = random() WHERE what = '{what}'; END"
            )
        )


def stamps(engine: Engine, *what: str) -> str:
    """The current stamps of `what`, as one string (equal only while none of them changed)."""
    with engine.connect() as conn:
        found = {str(w): int(s) for w, s in conn.execute(text("SELECT what, stamp FROM change_stamps"))}
    return ",".join(f"{w}={found.get(w)}" for w in what)


def remembered(engine: Engine, name: str, made_from: str, make: Callable[[], str], writable: bool) -> str:
    """What `make` gives, remembered in the catalog with `made_from` (stamps read before it
        is called): made again only when `made_from` differs from what it was last made from. A
        library that cannot be written makes it every time (`writable` False, or its catalog refusing
    the write)."""
    key = f"remembered:{name}"
    stored = meta.get_meta(engine, key)
    if stored is not None:
        with contextlib.suppress(ValueError, TypeError):
            before, value = json.loads(stored)
            if before == made_from and isinstance(value, str):
                return value
    value = make()
    if writable:
        with contextlib.suppress(OperationalError):  # full or busy: made again next time
            meta.set_meta(engine, key, json.dumps([made_from, value]))
    return value
