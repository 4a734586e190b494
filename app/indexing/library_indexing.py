"""One indexing run over a library: new and changed photos first (searchable as soon as they
are embedded), then the region pass for objects and text, which steps aside for newer work."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.core.paths import LibraryPaths
from app.indexing.pipeline import IndexRun
from app.indexing.place_naming import name_places
from app.indexing.region_pass import RegionRun
from app.indexing.report import IndexReport, RegionReport
from app.indexing.run_setup import IndexOptions, RunControls, RunTarget
from app.indexing.sidecar_reading import read_changed_sidecars
from app.ml.embedder import ClipEmbedder

if TYPE_CHECKING:
    from app.indexing.ray_indexing import RayIndexing


def index_and_find_regions(
    target: RunTarget, roots: Sequence[Path], options: IndexOptions, controls: RunControls
) -> IndexReport:
    """Index `roots` into `target`, then find objects, text and faces in what needs it, and
    videos' scene frames (stepping aside when `controls` defer the region pass for newer work)."""
    with _cluster_for(options, target.embedder) as cluster:
        report = IndexRun(target, options, controls, cluster).run(roots)
        if not report.cancelled:
            report.thumbnails_restored = _restore_thumbnails(target.engine, target.paths, target.embedder, controls)
            report.places, warning = name_places(target.engine, controls.stopped)
            report.warnings += [warning] if warning else []
            report.sidecars_read = read_changed_sidecars(target.engine, roots)  # another app's later word
        # The pass runs even with objects, text and faces off: videos' frames.
        if report.cancelled or target.region_models is None:
            return report
        if controls.deferred():
            report.regions_deferred = True
            return report
        found: RegionReport = RegionRun(target, options, controls, cluster).run()
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
