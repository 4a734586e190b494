"""What an indexing run reports: live progress and the final tally (the CLI's JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class IndexProgress:
    phase: str  # "scanning", "embedding", "finishing"
    done: int
    total: int
    embedded: int = 0
    rate: float = 0.0  # images per second over the recent past
    eta_seconds: float | None = None
    current: str | None = None


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
    failures: list[dict[str, str]] = field(default_factory=list)
    cancelled: bool = False

    def fail(self, path: str, error: str) -> None:
        self.failed += 1
        self.failures.append({"path": path, "error": error})

    def to_json(self) -> dict:
        return asdict(self)
