"""SQLAlchemy models of the catalog.

An image is distinct content (the hash of its bytes); a file is a path holding an image; a
region is a part of an image (the whole image, an object crop, a line of text) with a vector.
Vectors are kept here as float32 blobs too: SQLite is the source of truth and the FAISS file
is a fast index rebuilt from it, which is what lets a kill at any moment leave both in
agreement after the next open.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.catalog.path_text import PathText


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ImageRow(Base):
    __tablename__ = "images"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    camera: Mapped[str | None] = mapped_column(String, nullable=True)
    added_at: Mapped[float] = mapped_column(Float)
    # Which detector / OCR version last made this image's object / text regions (None: not yet).
    objects_by: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
    text_by: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
    faces_by: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)  # seconds: a video
    frames_by: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
    # Where it was taken, from its GPS (None: no position, or one that cannot be a real fix).
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    altitude: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    # 1 once its GPS was looked for (images indexed before GPS was read have it None).
    gps_read: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)

    # The newest photos by date taken, a walk from the index's end: the gallery's first page
    # (`newest_photos`) without sorting a million photos.
    __table_args__ = (Index("ix_images_taken_at", "taken_at"),)


class FileRow(Base):
    __tablename__ = "files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(PathText, unique=True)
    folder: Mapped[str] = mapped_column(PathText, index=True)
    size: Mapped[int] = mapped_column(Integer)
    mtime_ns: Mapped[int] = mapped_column(Integer)
    # The inode's change time: a file rewritten with its old size and mtime (`touch -r`) still
    # gets a new one. None in rows from before it was recorded.
    ctime_ns: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), index=True)

    # The newest files first, a walk from the index's end: the undated photos of the gallery's
    # first page (`newest_photos`).
    __table_args__ = (Index("ix_files_mtime", "mtime_ns"),)


class RegionRow(Base):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String, nullable=True)
    x0: Mapped[float] = mapped_column(Float, default=0.0)
    y0: Mapped[float] = mapped_column(Float, default=0.0)
    x1: Mapped[float] = mapped_column(Float, default=1.0)
    y1: Mapped[float] = mapped_column(Float, default=1.0)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    time: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)  # seconds into a video

    __table_args__ = (
        Index("ix_regions_image_kind", "image_id", "kind"),
        # Which regions have a vector, by kind, without reading a row's 2 KB vector: opening a
        # library, `status` and the analyses ask it, and at a million photos a scan of the
        # table itself reads gigabytes.
        Index("ix_regions_kind_vector", "kind", "id", sqlite_where=sql_text("vector IS NOT NULL")),
        # The regions with words (OCR lines, descriptions): naming a million photos' clusters
        # reads them all, and they are few.
        Index("ix_regions_text", "image_id", sqlite_where=sql_text("text IS NOT NULL")),
        # The regions with a vector of some photos, without reading their rows: a search within
        # a place, a person's or an album's photos (176,881 photos in Lisbon of a million: the
        # ids to search among in 0.13 s, where checking each row's vector took 0.47 s).
        Index("ix_regions_image_vector", "image_id", sqlite_where=sql_text("vector IS NOT NULL")),
    )


class FailureRow(Base):
    __tablename__ = "failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(PathText, unique=True)
    folder: Mapped[str] = mapped_column(PathText, index=True)
    size: Mapped[int] = mapped_column(Integer)
    mtime_ns: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[float] = mapped_column(Float)
    # "file": the file itself is bad (skipped until it changes); "environment": it could not be
    # read just now (permissions, I/O, a vanished mount), tried again on every run.
    kind: Mapped[str] = mapped_column(String(16), default="file")


class PendingVectorRow(Base):
    """Vectors made by the model the library is switching to, until the switch completes."""

    __tablename__ = "pending_vectors"
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class FaceDescriptorRow(Base):
    """A face region's descriptor (dlib, 128 float32): a vector space of its own, never mixed
    with CLIP's (face regions have no CLIP vector); its FAISS file is rebuilt from these."""

    __tablename__ = "face_descriptors"
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class PersonRow(Base):
    """A person: a group of faces, named by the user or not (yet)."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
    hidden: Mapped[int] = mapped_column(Integer, default=0)


class FacePersonRow(Base):
    """Which person a face belongs to; `confirmed` when the user said so (never re-assigned)."""

    __tablename__ = "face_people"
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)


class FaceRefusalRow(Base):
    """'Not this person': the face never joins that person again."""

    __tablename__ = "face_refusals"
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class ConceptRow(Base):
    """A name the user taught ("Rex", "the cabin"); `key` is the name folded for matching."""

    __tablename__ = "concepts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    key: Mapped[str] = mapped_column(String, unique=True)
    created_at: Mapped[float] = mapped_column(Float)


class ConceptExampleRow(Base):
    """A region (a whole photo, an object crop or a face) the name was taught from."""

    __tablename__ = "concept_examples"
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)


class ConceptVectorRow(Base):
    """A name's learned word vector for one model, with the report of its learning (JSON)."""

    __tablename__ = "concept_vectors"
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True)
    model_key: Mapped[str] = mapped_column(String, primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    report: Mapped[str] = mapped_column(Text, default="{}")


class KeptMarkRow(Base):
    """What a person decided about a photo that left the library (`remove`, the trash, a file
    deleted), kept by its content so that the same photo coming back gets it back: a face's
    named person, or a region a taught name was taught from. `box` is the region's, relative."""

    __tablename__ = "kept_marks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    region_kind: Mapped[str] = mapped_column(String(16))
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    concept_id: Mapped[int | None] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), nullable=True)


class PlaceRow(Base):
    """Where an image was taken, by name: from its own GPS, or estimated from the photos with
    GPS in its event (`estimated`). `by` names the place data that named it."""

    __tablename__ = "image_places"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    city: Mapped[str] = mapped_column(String)
    region: Mapped[str] = mapped_column(String)
    country: Mapped[str] = mapped_column(String, index=True)
    country_code: Mapped[str] = mapped_column(String(8))
    estimated: Mapped[int] = mapped_column(Integer, default=0)
    by: Mapped[str] = mapped_column(String)


# --- what a person decides about photos (#31) ------------------------------------------------
# Kept by a photo's content, not its row: a photo that moves, is renamed, leaves and comes back,
# or whose row a repair had to drop and indexing made again, keeps its albums, stars and tags
# (an edit made in another app carries them over: `decisions.carry_over`).


class AlbumRow(Base):
    """An album, nested by "/" in its name ("Trips/Lisbon 2023"); `key` is the name folded for
    matching. A smart album keeps a search (`query`, JSON) instead of photos."""

    __tablename__ = "albums"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    key: Mapped[str] = mapped_column(String, unique=True)
    query: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    by_hand: Mapped[int] = mapped_column(Integer, default=0)  # 1: in the order photos were put, else by date
    created_at: Mapped[float] = mapped_column(Float)


class AlbumPhotoRow(Base):
    __tablename__ = "album_photos"
    album_id: Mapped[int] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[float] = mapped_column(Float)  # the order by hand
    added_at: Mapped[float] = mapped_column(Float)


class PhotoMarkRow(Base):
    """A photo's favourite flag, stars (0-5) and reject flag."""

    __tablename__ = "photo_marks"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    favourite: Mapped[int] = mapped_column(Integer, default=0)
    stars: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[float] = mapped_column(Float)


class TagRow(Base):
    """A tag, hierarchical by "/" ("Family/Anna"); `key` is the name folded for matching."""

    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    key: Mapped[str] = mapped_column(String, unique=True)


class PhotoTagRow(Base):
    __tablename__ = "photo_tags"
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class SidecarRow(Base):
    """A photo file's XMP sidecar: `seen` once read (its mtime then, so that another app's later
    change is read again); and, when the person turned writing on, `pending` until written (a
    read-only folder keeps it so), `written` with the bytes' digest, `failed` with why. Kept by
    the photo's path: a sidecar sits beside its file."""

    __tablename__ = "sidecars"
    path: Mapped[str] = mapped_column(String, primary_key=True)  # the photo's
    state: Mapped[str] = mapped_column(String(16))
    sidecar: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)
    message: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    changed_at: Mapped[float] = mapped_column(Float)
    seen_ns: Mapped[int | None] = mapped_column(
        Integer, nullable=True, default=None
    )  # the sidecar's mtime when last read


class XmpFaceRow(Base):
    """A face another photo app named in a photo's XMP (MWG or Microsoft regions): `waiting`
    until this library's face pass has looked at the photo, then `named` (its face got the
    name), `agreed` (already so named), `conflict` (named otherwise here: `name_here`, never
    overwritten) or `unmatched` (no face found there)."""

    __tablename__ = "xmp_faces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String)
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    name_here: Mapped[str | None] = mapped_column(String, nullable=True, default=None)
