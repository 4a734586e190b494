"""One indexing run over a library: new and changed photos first (searchable as soon as they
are embedded), then the region pass for objects and text, which steps aside for newer work."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.core.paths import LibraryPaths
from app.indexing.pipeline import IndexOptions, IndexRun, ProgressCallback, StopCheck
from app.indexing.region_pass import RegionReport, RegionRun
from app.indexing.report import IndexProgress, IndexReport
from app.ml.embedder import ClipEmbedder
from app.ml.region_models import RegionModels
from app.vectors.store import VectorStore

if TYPE_CHECKING:
    from app.indexing.ray_indexing import RayIndexing


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


def index_and_find_regions(
    engine: Engine,
    paths: LibraryPaths,
    embedder: ClipEmbedder,
    region_models: RegionModels,
    store_for: Callable[[int], VectorStore | None],
    roots: Sequence[Path],
    options: IndexOptions,
    controls: RunControls,
    faces_store: Callable[[], VectorStore] | None = None,
) -> IndexReport:
    with _cluster_for(options, embedder) as cluster:
        run = IndexRun(engine, paths, embedder, store_for, options, controls.progress, controls.should_stop, cluster)
        if controls.pause is not None:
            run.paused = controls.pause
        report = run.run(roots)
        if not report.cancelled:
            report.thumbnails_restored = _restore_thumbnails(engine, paths, embedder, controls)
        if report.cancelled or not (options.detect or options.ocr or (options.faces and faces_store is not None)):
            return report
        if controls.deferred():
            report.regions_deferred = True
            return report
        regions = RegionRun(
            engine,
            embedder,
            region_models,
            store_for,
            detect=options.detect,
            ocr=options.ocr,
            progress=controls.progress,
            should_stop=lambda: controls.stopped() or controls.deferred(),
            paused=controls.pause,
            workers=options.resolved_workers(),
            faces=options.faces,
            faces_store=faces_store,
            cluster=cluster,
        )
        found: RegionReport = regions.run()
        if found.cancelled and controls.deferred() and not controls.stopped():
            found.cancelled = False  # stepped aside, not cancelled: what it did is kept and counted
            report.regions_deferred = True
        report.add_regions(found)
        return report


def _restore_thumbnails(engine: Engine, paths: LibraryPaths, embedder: ClipEmbedder, controls: RunControls) -> int:
    """Thumbnails gone missing are made again (the model's input size is needed, so it loads,
    but only when one is missing: an unchanged folder's run stays a directory walk)."""
    from app.indexing.thumbnail_repair import missing_thumbnails, restore_thumbnails

    if next(iter(missing_thumbnails(engine, paths)), None) is None:
        return 0
    spec = embedder.load().input_spec
    assert spec is not None
    return restore_thumbnails(engine, paths, spec, controls.stopped)


@contextlib.contextmanager
def _cluster_for(options: IndexOptions, embedder: ClipEmbedder) -> Iterator[RayIndexing | None]:
    """The run's Ray cluster when it asks for one (connected on first need, closed at the end)."""
    if options.ray is None:
        yield None
        return
    from app.indexing.ray_indexing import RayIndexing, RaySession  # Ray is imported only when asked

    with RaySession(options.ray) as session:
        yield RayIndexing(session, embedder.spec, embedder.requested_device)
