"""Opening the catalog: engine settings (WAL, foreign keys) and step-by-step migrations.

The schema version lives in SQLite's `user_version`; each migration moves it up by one inside
a transaction, so an interrupted upgrade is simply redone on the next open.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.pool import QueuePool

from app.catalog.schema import Base
from app.core.errors import CatalogDamagedError, LibraryBusyError, UserError
from app.core.storage import storage_error

log = logging.getLogger(__name__)


def _migrate_0_to_1(conn: Connection) -> None:
    from app.catalog.schema import FailureRow, FileRow, ImageRow, Meta, RegionRow

    Base.metadata.create_all(
        conn,
        tables=[t.__table__ for t in (Meta, ImageRow, FileRow, RegionRow, FailureRow)],  # type: ignore[attr-defined, misc]
    )


def _migrate_1_to_2(conn: Connection) -> None:
    """Vectors of a model being switched to, kept apart until the switch completes."""
    from app.catalog.schema import PendingVectorRow

    Base.metadata.create_all(conn, tables=[PendingVectorRow.__table__])  # type: ignore[list-item]


def _migrate_2_to_3(conn: Connection) -> None:
    """Full-text index of the words found in photos (OCR), for exact keyword search."""
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS region_text USING fts5("
            "text, region_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
        )
    )
    conn.execute(text("INSERT INTO region_text(text, region_id) SELECT text, id FROM regions WHERE text IS NOT NULL"))


def _migrate_3_to_4(conn: Connection) -> None:
    """Per image, which detector and OCR versions made its regions (the region pass resumes
    from these and skips what the same versions already did)."""
    have = {row[1] for row in conn.execute(text("PRAGMA table_info(images)"))}
    for column in ("objects_by", "text_by"):
        if column not in have:  # a catalog created by this version has them from step 1
            conn.execute(text(f"ALTER TABLE images ADD COLUMN {column} VARCHAR"))


def _migrate_4_to_5(conn: Connection) -> None:
    """Files keep their change time (a rewrite with the old mtime is noticed); failures say
    whether the file or the environment failed (the latter is retried); paths holding U+0001
    take the escaped form of `path_text`; the catalog gets an identity that its vector files
    carry, so a vector file never serves another catalog."""
    import uuid

    for table, column, kind in (("files", "ctime_ns", "INTEGER"), ("failures", "kind", "VARCHAR(16) DEFAULT 'file'")):
        have = {row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))}
        if column not in have:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
    conn.execute(text("UPDATE failures SET kind = 'file' WHERE kind IS NULL"))
    for table in ("files", "failures"):
        for column in ("path", "folder"):
            conn.execute(
                text(
                    f"UPDATE {table} SET {column} = replace({column}, char(1), char(1) || char(1)) WHERE instr({column}, char(1)) > 0"
                )
            )
    conn.execute(text("INSERT OR IGNORE INTO meta(key, value) VALUES ('catalog_id', :v)"), {"v": uuid.uuid4().hex})


def _migrate_5_to_6(conn: Connection) -> None:
    """Faces: which face models last looked at each image, the faces' descriptors (a vector
    space of their own), people, which person each face belongs to, and refusals."""
    from app.catalog.schema import FaceDescriptorRow, FacePersonRow, FaceRefusalRow, PersonRow

    have = {row[1] for row in conn.execute(text("PRAGMA table_info(images)"))}
    if "faces_by" not in have:  # a catalog created by this version has it from step 1
        conn.execute(text("ALTER TABLE images ADD COLUMN faces_by VARCHAR"))
    tables = [FaceDescriptorRow.__table__, PersonRow.__table__, FacePersonRow.__table__, FaceRefusalRow.__table__]
    Base.metadata.create_all(conn, tables=tables)  # type: ignore[arg-type]


def _migrate_6_to_7(conn: Connection) -> None:
    """Taught names: the names, the regions they were taught from, their learned vectors."""
    from app.catalog.schema import ConceptExampleRow, ConceptRow, ConceptVectorRow

    tables = [ConceptRow.__table__, ConceptExampleRow.__table__, ConceptVectorRow.__table__]
    Base.metadata.create_all(conn, tables=tables)  # type: ignore[arg-type]


def _migrate_7_to_8(conn: Connection) -> None:
    """Marks kept for photos that leave: a face's named person, a taught name's example."""
    from app.catalog.schema import KeptMarkRow

    Base.metadata.create_all(conn, tables=[KeptMarkRow.__table__])  # type: ignore[list-item]


def _migrate_8_to_9(conn: Connection) -> None:
    """Videos: an image's duration (None: a photo) and which frame finder made its frames;
    a region's time in its video (frames, and what is found in them)."""
    for table, column, kind in (
        ("images", "duration", "FLOAT"),
        ("images", "frames_by", "VARCHAR"),
        ("regions", "time", "FLOAT"),
    ):
        have = {row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))}
        if column not in have:  # a catalog created by this version has them from step 1
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def _migrate_9_to_10(conn: Connection) -> None:
    """Places: an image's GPS position, whether its GPS was looked for at all, and its place's
    names."""
    from app.catalog.schema import PlaceRow

    Base.metadata.create_all(conn, tables=[PlaceRow.__table__])  # type: ignore[list-item]
    for column, kind in (("latitude", "FLOAT"), ("longitude", "FLOAT"), ("altitude", "FLOAT"), ("gps_read", "INTEGER")):
        have = {row[1] for row in conn.execute(text("PRAGMA table_info(images)"))}
        if column not in have:  # a catalog created by this version has them from step 1
            conn.execute(text(f"ALTER TABLE images ADD COLUMN {column} {kind}"))


def _migrate_10_to_11(conn: Connection) -> None:
    """What a person decides: albums (smart ones too), favourites, stars, rejects, tags."""
    from app.catalog.schema import AlbumPhotoRow, AlbumRow, PhotoMarkRow, PhotoTagRow, TagRow

    tables = [AlbumRow, AlbumPhotoRow, PhotoMarkRow, TagRow, PhotoTagRow]
    Base.metadata.create_all(conn, tables=[t.__table__ for t in tables])  # type: ignore[misc]


def _migrate_11_to_12(conn: Connection) -> None:
    """XMP sidecars this library writes for other photo apps (when turned on), and the faces
    other apps named in photos' XMP."""
    from app.catalog.schema import SidecarRow, XmpFaceRow

    Base.metadata.create_all(conn, tables=[SidecarRow.__table__, XmpFaceRow.__table__])  # type: ignore[list-item]


def _migrate_12_to_13(conn: Connection) -> None:
    """Regions with a vector indexed by kind (partial index): no full read of the vectors to
    list their ids."""
    for index in Base.metadata.tables["regions"].indexes:
        if index.name == "ix_regions_kind_vector":
            index.create(conn, checkfirst=True)


def _migrate_13_to_14(conn: Connection) -> None:
    """Change stamps drawn again by triggers on every write: whether anything changed is one
    query, not a read of every row. Regions with words indexed (partial index)."""
    from app.catalog.change_stamps import create_stamps

    create_stamps(conn)
    for index in Base.metadata.tables["regions"].indexes:
        if index.name == "ix_regions_text":
            index.create(conn, checkfirst=True)


def _migrate_14_to_15(conn: Connection) -> None:
    """Images indexed by date taken and files by modification time: the gallery's newest page
    without a sort of every photo."""
    for table, name in (("images", "ix_images_taken_at"), ("files", "ix_files_mtime")):
        for index in Base.metadata.tables[table].indexes:
            if index.name == name:
                index.create(conn, checkfirst=True)


def _migrate_15_to_16(conn: Connection) -> None:
    """Regions with a vector indexed by their photo: a search within some photos (a place, a
    person, an album) finds their regions without reading a row (1.5 s at a million photos)."""
    for index in Base.metadata.tables["regions"].indexes:
        if index.name == "ix_regions_image_vector":
            index.create(conn, checkfirst=True)


MIGRATIONS: list[Callable[[Connection], None]] = [
    _migrate_0_to_1,
    _migrate_1_to_2,
    _migrate_2_to_3,
    _migrate_3_to_4,
    _migrate_4_to_5,
    _migrate_5_to_6,
    _migrate_6_to_7,
    _migrate_7_to_8,
    _migrate_8_to_9,
    _migrate_9_to_10,
    _migrate_10_to_11,
    _migrate_11_to_12,
    _migrate_12_to_13,
    _migrate_13_to_14,
    _migrate_14_to_15,
    _migrate_15_to_16,
]
SCHEMA_VERSION = len(MIGRATIONS)
# Steps (from version N to N + 1) that only add indexes: a library a few such steps behind that
# cannot be written here is read as it stands, only slower, rather than refused.
INDEX_ONLY_STEPS = frozenset({12, 14, 15})


CATALOG_ID_KEY = "catalog_id"


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode never corrupts the database on a crash; it may lose the last commit
    # on power loss, which the pipeline simply redoes.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_catalog(path: Path, read_only: bool = False) -> Engine:
    """The catalog's engine, migrated to this version's schema. A read-only catalog (read-only
    media, someone else's folder) opens without writing a byte: no WAL switch, no migration."""
    with catalog_errors(path):
        if read_only:
            return _open_read_only(path)
        engine = create_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _on_connect)
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return engine


def _open_read_only(path: Path) -> Engine:
    uri = f"file:{quote(str(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # WAL needs its -shm file, which a read-only folder cannot hold: read the file as
            # it stands (a cleanly closed catalog has everything in it).
            conn.close()
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        return conn

    # A pool of connections handed to one thread at a time, as a writable catalog's engine has:
    # the in-memory URL's default keeps one connection per thread for at most five threads and
    # closes another thread's connection for a sixth (the window has more), under its feet.
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    with engine.connect() as conn:
        version = schema_version(conn)
    if version > SCHEMA_VERSION or not set(range(version, SCHEMA_VERSION)) <= INDEX_ONLY_STEPS:
        engine.dispose()
        newer = version > SCHEMA_VERSION
        raise UserError(
            f"this library was written by {'a newer' if newer else 'an older'} Photo Organizer (schema {version}, "
            f"this version uses {SCHEMA_VERSION}) and is read-only, so it cannot be "
            f"{'read; please upgrade the app' if newer else 'upgraded here; open it once where it can be written'}"
        )
    return engine


@contextlib.contextmanager
def catalog_errors(path: Path) -> Iterator[None]:
    """SQLite's failures as one line a person can act on: a damaged catalog, full or unwritable
    storage, a catalog that cannot be opened. Anything else passes through."""
    try:
        yield
    except (sqlalchemy_exc.DBAPIError, sqlite3.Error) as exc:
        raise readable_error(exc, path) from None


def readable_error(exc: BaseException, path: Path) -> BaseException:
    """`exc` as the sentence a person reads when it is the catalog's (at `path`) failing, the
    same for the command line and the window; any other error as it is."""
    if isinstance(exc, sqlalchemy_exc.DBAPIError):
        return describe_catalog_error(exc.orig if exc.orig is not None else exc, path)
    if isinstance(exc, sqlite3.Error):
        return describe_catalog_error(exc, path)
    return exc


def describe_catalog_error(exc: BaseException, path: Path) -> UserError:
    message = str(exc)
    lowered = message.lower()
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return CatalogDamagedError(
            f"the catalog {path} is damaged ({message}); run 'photo-organizer doctor' to see what can be recovered"
        )
    if "disk is full" in lowered or "no space" in lowered:
        return storage_error(path.parent, OSError(errno.ENOSPC, message))
    if "readonly" in lowered or "read-only" in lowered:
        return storage_error(path.parent, OSError(errno.EROFS, message))
    if "disk i/o error" in lowered:
        return storage_error(path.parent, OSError(errno.EIO, message))
    if "unable to open" in lowered:
        return UserError(f"cannot open the catalog {path}: {message} (is the folder readable and writable?)")
    if "locked" in lowered or "busy" in lowered:
        return LibraryBusyError(f"the catalog {path} is busy ({message}); try again in a moment")
    return UserError(f"the catalog {path} could not be used: {message}")


def schema_version(conn: Connection) -> int:
    return int(conn.execute(text("PRAGMA user_version")).scalar_one())


def migrate(engine: Engine) -> None:
    with engine.begin() as conn:
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise UserError(
                f"this library was written by a newer Photo Organizer (schema {version}, "
                f"this version reads up to {SCHEMA_VERSION}); please upgrade the app"
            )
        for step in range(version, SCHEMA_VERSION):
            log.info("migrating catalog schema %d -> %d", step, step + 1)
            MIGRATIONS[step](conn)
            conn.execute(text(f"PRAGMA user_version={step + 1}"))
