"""What an indexing run is given: the library it works on (`RunTarget`), how it is steered
(`RunControls`: progress, stop, pause, step aside) and what it is asked to do (`IndexOptions`).
Each is passed whole, so a run's signature stays short as options grow."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.core.paths import LibraryPaths
from app.core.settings import Settings, parse_bool
from app.indexing.report import IndexProgress
from app.vectors.store import VectorStore

if TYPE_CHECKING:
    from app.ml.embedder import ClipEmbedder
    from app.ml.region_models import RegionModels

ProgressCallback = Callable[[IndexProgress], None]
StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class RunTarget:
    """The library a run works on: its catalog, its folder (thumbnails), its model, its vector
    files (`store_for(dim)`, and the faces' own), and the models that find regions."""

    engine: Engine
    paths: LibraryPaths
    embedder: ClipEmbedder
    store_for: Callable[[int], VectorStore | None]
    region_models: RegionModels | None = None
    faces_store: Callable[[], VectorStore] | None = None


@dataclass
class RunControls:
    """How the caller steers a run: progress, stop, pause, and `defer_regions` (returning True
    makes the region pass step aside at its next batch, for newer work waiting its turn)."""

    progress: ProgressCallback | None = None
    should_stop: StopCheck | None = None
    pause: threading.Event | None = None
    defer_regions: StopCheck | None = None

    def stopped(self) -> bool:
        return self.should_stop is not None and self.should_stop()

    def deferred(self) -> bool:
        return self.defer_regions is not None and self.defer_regions()

    def tell(self, progress: IndexProgress) -> None:
        if self.progress is not None:
            self.progress(progress)


@dataclass(frozen=True)
class IndexOptions:
    batch_size: int = 0  # 0: chosen from the device
    decode_workers: int = 0  # 0: one per core
    save_interval_seconds: float = 20.0
    link_flush: int = 256
    decode_niceness: int = field(
        default_factory=lambda: _decode_niceness(os.environ.get("PHOTO_ORGANIZER_DECODE_NICE"))
    )
    # JPEGs decoded on the model's device (nvjpeg on CUDA) instead of by the decode workers.
    # None: on CUDA, where an H200 run measured it level with 16 decode processes (234 photos/s
    # each) and 1.4x ahead with 4 (101 against 72), the CPU left free; off elsewhere. Any device
    # honours True (the CPU too, which is how the tests check it).
    device_decode: bool | None = field(
        default_factory=lambda: _optional_bool(os.environ.get("PHOTO_ORGANIZER_DEVICE_DECODE"))
    )
    # None: index on this machine; otherwise on Ray ("" starts one here; "auto" or an address joins a cluster).
    ray: str | None = None
    # The region pass (objects and text inside photos); on unless the settings say otherwise.
    detect: bool = field(default_factory=lambda: Settings.from_env().detect_objects)
    ocr: bool = field(default_factory=lambda: Settings.from_env().read_text)
    faces: bool = field(default_factory=lambda: Settings.from_env().find_faces)

    def resolved_batch_size(self, device: str) -> int:
        return self.batch_size if self.batch_size > 0 else embedding_batch_size(device)

    def decodes_on_device(self, device: str) -> bool:
        return self.device_decode if self.device_decode is not None else device.startswith("cuda")

    def use_processes(self, device: str) -> bool:
        forced = os.environ.get("PHOTO_ORGANIZER_DECODE_PROCESSES", "").strip()
        if forced:
            return parse_bool(forced)
        return device.startswith("cuda") and (os.cpu_count() or 1) >= 4

    def resolved_workers(self) -> int:
        return self.decode_workers if self.decode_workers > 0 else max(1, os.cpu_count() or 1)


def _optional_bool(value: str | None) -> bool | None:
    text = (value or "").strip()
    return parse_bool(text) if text else None


def _decode_niceness(value: str | None, default: int = 10) -> int:
    """How far below the model decoding runs (0-19); a value that is not a number is ignored."""
    text = (value or "").strip()
    return min(19, max(0, int(text))) if text.lstrip("-").isdigit() else default


def embedding_batch_size(device: str) -> int:
    """Photos the model embeds at once on `device` (here, or on a cluster's actors)."""
    return 256 if device.startswith("cuda") else 32
