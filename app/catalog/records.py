"""Plain records the repository returns (never live ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class NewImage:
    """An image decoded and embedded in this run, with the file that holds it."""

    content_hash: str
    byte_size: int
    width: int
    height: int
    format: str
    taken_at: float | None
    camera: str | None
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


@dataclass(frozen=True)
class CatalogCounts:
    images: int
    files: int
    regions: int
    vectors: int
    failures: int


@dataclass(frozen=True)
class RemoveReport:
    """What `Library.remove` forgot: file paths, images left with no file, recorded failures,
    and the added folders that went with them."""

    files: int
    images: int
    failures: int
    roots: list[str]

    def to_json(self) -> dict:
        return {"removed_files": self.files, "removed_images": self.images, "removed_failures": self.failures, "forgotten_folders": self.roots}
