"""Plain records the catalog functions return (never live ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.geo_points import GeoPoint
from app.core.xmp_read import XmpFacts


@dataclass(frozen=True)
class KnownFile:
    file_id: int
    path: str
    size: int
    mtime_ns: int
    image_id: int
    ctime_ns: int | None = None  # None: recorded before change times were kept


@dataclass(frozen=True)
class KnownFailure:
    path: str
    size: int
    mtime_ns: int
    reason: str
    # "file": the file is bad (skipped until it changes); "environment": it could not be read
    # right now (retried on the next run, and the photo it held is kept meanwhile).
    kind: str = "file"

    @property
    def retry(self) -> bool:
        return self.kind == "environment"


@dataclass(frozen=True)
class ImageFacts:
    """What decoding learns about an image's content, stored once per image."""

    content_hash: str
    byte_size: int
    width: int
    height: int
    format: str
    taken_at: float | None
    camera: str | None
    duration: float | None = None  # seconds: a video
    place: GeoPoint | None = None  # where its GPS (or a video's location) says it was taken
    xmp: XmpFacts | None = None  # what other photo apps decided (its XMP or sidecar), if anything


@dataclass
class NewImage:
    """An image decoded and embedded in this run, with the file that holds it."""

    facts: ImageFacts
    path: str
    size: int
    mtime_ns: int
    ctime_ns: int | None
    vector: bytes


@dataclass(frozen=True)
class FileLink:
    """A file whose content is an image already in the catalog (a copy or a move)."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int | None
    image_id: int
    replaces_path: str | None = None


@dataclass(frozen=True)
class RegionInfo:
    region_id: int
    image_id: int
    kind: str
    label: str | None
    bbox: tuple[float, float, float, float]
    confidence: float
    text: str | None
    time: float | None = None  # seconds into a video: a frame


@dataclass(frozen=True)
class ImageInfo:
    image_id: int
    content_hash: str
    width: int
    height: int
    byte_size: int
    format: str
    taken_at: float | None
    camera: str | None
    paths: list[str] = field(default_factory=list)
    duration: float | None = None  # seconds: a video
    latitude: float | None = None  # its GPS position
    longitude: float | None = None
    place: str | None = None  # "city, region, country"
    place_estimated: bool = False  # from the photos with GPS in its event, not its own


@dataclass(frozen=True)
class CatalogCounts:
    images: int
    files: int
    regions: int
    vectors: int
    failures: int
    people: int = 0  # with at least one face, shown in People
    hidden_people: int = 0
    names: int = 0  # names taught to the search
    videos: int = 0  # images that are videos
    raw: int = 0  # images that are camera RAW files (not the JPEG beside one)


@dataclass(frozen=True)
class RemoveReport:
    """What `Library.remove` forgot: file paths, images left with no file, recorded failures,
    and the added folders that went with them."""

    files: int
    images: int
    failures: int
    roots: list[str]
    # Kept for when the same photos come back: faces per person's name, examples per taught name.
    kept_people: dict[str, int] = field(default_factory=dict)
    kept_names: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "removed_files": self.files,
            "removed_images": self.images,
            "removed_failures": self.failures,
            "forgotten_folders": self.roots,
            "kept_for_return": {"people": self.kept_people, "names": self.kept_names},
        }


@dataclass(frozen=True)
class RegionPassState:
    """How far the region pass got: images whose objects / text have been looked for."""

    objects_done: int
    text_done: int
    images: int
    faces_done: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "objects_done": self.objects_done,
            "text_done": self.text_done,
            "faces_done": self.faces_done,
            "images": self.images,
        }


@dataclass(frozen=True)
class FolderSummary:
    """A folder added to the library: how many photos it holds, and whether it is there now
    (an unplugged drive keeps its photos)."""

    path: str
    photos: int
    exists: bool


@dataclass(frozen=True)
class LibraryStatus:
    """What `status` reports: counts, the vector index, the model, and work left over."""

    images: int  # photos and videos
    files: int
    regions: int
    vectors: int
    index_vectors: int
    model: str
    library: str
    read_only: bool
    consistent: bool
    failures: int
    index: str  # "flat" (exact) or "ivf"
    index_lists: int
    switching_to: str | None  # a model switch under way (it resumes when chosen again)
    region_pass: RegionPassState
    # Roots of indexing that a crash or kill cut short ([] for the region pass alone), else None.
    interrupted: list[str] | None
    # The vector file was unusable as found (damaged, older, another catalog's) and was rebuilt.
    vector_file_rebuilt: str | None = None
    face_vectors: int = 0  # face descriptors in their own FAISS file
    people: int = 0  # shown in People (with at least one face)
    hidden_people: int = 0
    names: int = 0  # names taught to the search
    files_missing: int = 0  # paths the catalog holds whose file is gone (or a drive not mounted)
    thumbnails_missing: int = 0  # made again by the next index run
    videos: int = 0  # of `images`
    raw: int = 0  # of `images`: camera RAW files
    places: int = 0  # of `images`: with a place (from their GPS, or estimated)
    places_estimated: int = 0  # of `places`

    def to_json(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "vector_file_rebuilt"}
        out["region_pass"] = self.region_pass.to_json()
        return out
