"""One indexing run over a library: new and changed photos first (searchable as soon as they
are embedded), then the region pass for objects and text, which steps aside for newer work."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.core.paths import LibraryPaths
from app.indexing.missing_counts import keep_thumbnails, thumbnails_at_run_start
from app.indexing.missing_thumbnails import RunStart, absent, candidates_at_run_end, run_end_record
from app.indexing.pipeline import IndexRun
from app.indexing.place_naming import name_places
from app.indexing.region_pass import RegionRun
from app.indexing.report import IndexReport, RegionReport
from app.indexing.run_setup import IndexOptions, RunControls, RunTarget
from app.indexing.sidecar_reading import read_changed_sidecars
from app.ml.embedder import ClipEmbedder
from app.vectors.library_vectors import LibraryVectors

if TYPE_CHECKING:
    from app.indexing.ray_indexing import RayIndexing


def index_and_find_regions(
    target: RunTarget, roots: Sequence[Path], options: IndexOptions, controls: RunControls
) -> IndexReport:
    """Index `roots` into `target`, then find objects, text and faces in what needs it, and
    videos' scene frames (stepping aside when `controls` defer the region pass for newer work)."""
    thumbnails = thumbnails_at_run_start(target.engine, target.paths)
    with _cluster_for(options, target.embedder) as cluster:
        report = IndexRun(target, options, controls, cluster).run(roots)
        if not report.cancelled:
            report.thumbnails_restored = _restore_thumbnails(target, thumbnails, controls)
            report.places, warning = name_places(target.engine, target.paths, controls.stopped)
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


def _restore_thumbnails(target: RunTarget, start: RunStart, controls: RunControls) -> int:
    """Thumbnails gone missing are made again (the model's input size is needed, so it loads,
    but only when one is missing: an unchanged folder's run stays a directory walk), and the
    ones still missing are kept for `status` (`app.indexing.missing_thumbnails`)."""
    from app.indexing.thumbnail_repair import listed_missing_thumbnails, missing_thumbnails, restore_thumbnails

    engine, paths = target.engine, target.paths
    candidates = candidates_at_run_end(engine, start)
    missing = listed_missing_thumbnails(engine, paths) if candidates is None else absent(paths, candidates)
    made = 0
    if next(iter(missing_thumbnails(engine, missing)), None) is not None:
        spec = target.embedder.load().input_spec
        assert spec is not None
        made = restore_thumbnails(engine, paths, spec, missing, controls.stopped)
    keep_thumbnails(paths, run_end_record(engine, paths, missing))
    return made


def leave_status_current(engine: Engine, paths: LibraryPaths, vectors: LibraryVectors) -> None:
    """After a run, what `status` would count again is counted by the process that changed it:
    the photos' tallies, the files and thumbnails missing, the vector files, checked whole and
    found to agree with the catalog once settled, and the version the photos' analyses are
    cached under. The next command reads each (at a million photos, a thousand added: the first
    `status` after took 1.9 s with the thumbnails' list kept, 0.7 s with this, against 0.55 s
    for any other)."""
    from app.catalog.analysis_vectors import photos_version
    from app.catalog.image_tallies import image_tallies
    from app.indexing.missing_counts import missing_counts

    vectors.settle()
    image_tallies(engine)
    missing_counts(engine, paths, read_only=False)
    photos_version(engine, vectors.model_key, writable=True)


@contextlib.contextmanager
def _cluster_for(options: IndexOptions, embedder: ClipEmbedder) -> Iterator[RayIndexing | None]:
    """The run's Ray cluster when it asks for one (connected on first need, closed at the end)."""
    if options.ray is None:
        yield None
        return
    from app.indexing.ray_indexing import RayIndexing, RaySession  # Ray is imported only when asked

    with RaySession(options.ray) as session:
        yield RayIndexing(session, embedder.spec, embedder.requested_device)
