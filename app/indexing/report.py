"""What an indexing run reports: live progress and the final tally (the CLI's JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


def time_left(seconds: float | None) -> str:
    """'12 min left', '40 s left', or '' when unknown (the CLI's progress line and the window's)."""
    if not seconds:
        return ""
    return f"{seconds / 60:.0f} min left" if seconds > 90 else f"{seconds:.0f} s left"


QUICK_SEARCHES = "quick searches"  # the phase of a first export of the model's towers (once per model)


@dataclass(frozen=True)
class IndexProgress:
    phase: str  # "scanning", "embedding", "finishing", "regions", "re-embedding", QUICK_SEARCHES
    done: int
    total: int
    embedded: int = 0
    rate: float = 0.0  # images per second over the recent past
    eta_seconds: float | None = None
    current: str | None = None


@dataclass
class RegionReport:
    """What the region pass found: objects, lines of text and faces, and the time each took."""

    images: int = 0
    objects: int = 0
    texts: int = 0
    faces: int = 0
    frames: int = 0  # scene frames of videos
    detect_seconds: float = 0.0
    ocr_seconds: float = 0.0
    face_seconds: float = 0.0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def regions(self) -> int:
        return self.objects + self.texts + self.frames


@dataclass
class IndexReport:
    scanned: int = 0
    new: int = 0
    moved: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    embedded: int = 0
    regions: int = 0
    reembedded: int = 0  # regions re-embedded from thumbnails for a model switch
    seconds: float = 0.0
    images_per_second: float = 0.0
    failures: list[dict] = field(default_factory=list)  # {path, error, retry}
    cancelled: bool = False
    objects: int = 0  # object regions made by the region pass
    texts: int = 0  # lines of text made by the region pass
    faces: int = 0  # faces found by the region pass
    frames: int = 0  # scene frames of videos, each searchable at its time
    region_images: int = 0  # images the region pass went through
    warnings: list[str] = field(default_factory=list)  # e.g. detector weights missing
    region_seconds: dict[str, float] = field(default_factory=dict)  # the region pass by stage
    # The region pass stepped aside for newer work (a folder added meanwhile); the next run
    # continues it where it stopped.
    regions_deferred: bool = False
    # Folders that could not be listed this time: {path, error, kept}; what the library knows
    # below them is kept, since nothing confirmed it gone.
    unreadable_folders: list[dict] = field(default_factory=list)
    thumbnails_restored: int = 0  # thumbnails that had gone missing, made again from the photos
    places: int = 0  # images whose place was named from their GPS in this run
    sidecars_read: int = 0  # photos whose XMP sidecar another app changed, read again

    def fail(self, path: str, error: str, retry: bool = False) -> None:
        """A file skipped; `retry`: it could not be read now (not its fault), tried again next run."""
        self.failed += 1
        self.failures.append({"path": path, "error": error, "retry": retry})

    def add_regions(self, found: RegionReport) -> None:
        self.regions += found.regions
        self.objects += found.objects
        self.texts += found.texts
        self.faces += found.faces
        self.frames += found.frames
        self.region_images += found.images
        self.warnings += found.warnings
        self.cancelled = self.cancelled or found.cancelled
        self.seconds = round(self.seconds + found.seconds, 3)
        self.region_seconds = {
            "detect": round(found.detect_seconds, 3),
            "ocr": round(found.ocr_seconds, 3),
            "faces": round(found.face_seconds, 3),
            "embed": round(found.embed_seconds, 3),
            "total": round(found.seconds, 3),
        }

    def to_json(self) -> dict:
        return asdict(self)
