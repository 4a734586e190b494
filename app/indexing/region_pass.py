"""The region pass: objects and lines of text inside photos, after the whole-image pass.

Whole-image vectors come first so a new folder is searchable at once; this second pass then
walks the images whose object or text regions are missing or were made by another detector /
OCR version. Photos are read again on the decode pool (at most 1280 px, JPEG draft mode) while
this thread runs the detector, OCR and the CLIP towers in small batches. Each batch is one
transaction that replaces the redone kinds' regions and marks the images done, so a kill costs
only the batch in flight and a re-run neither repeats nor duplicates anything. On a Ray cluster
the models run on its actors (`app.indexing.ray_stages.RegionFinding`); the commits stay here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from app.catalog.regions import RegionsDone, RegionWork, images_needing_regions, replace_regions
from app.core.errors import ModelUnavailableError
from app.indexing.decoding import save_thumbnail
from app.indexing.lookahead import InOrder
from app.indexing.region_finder import FoundRegions, Loaded, RegionFinder, load_for_regions, region_batch_size
from app.indexing.report import IndexProgress, RegionReport
from app.indexing.run_setup import IndexOptions, RunControls, RunTarget
from app.indexing.video_files import FRAMES_VERSION

if TYPE_CHECKING:
    from app.indexing.ray_indexing import RayIndexing

log = logging.getLogger(__name__)


class RegionRun:
    """One region pass over every image that needs it; create, then call `run` once."""

    def __init__(
        self,
        target: RunTarget,
        options: IndexOptions,
        controls: RunControls,
        cluster: RayIndexing | None = None,
    ) -> None:
        assert target.region_models is not None
        self.engine = target.engine
        self.paths = target.paths
        self.cluster = cluster  # the models on Ray's actors, else here
        self.embedder = target.embedder
        self.models = target.region_models
        self._store_for = target.store_for
        self.detect, self.ocr = options.detect, options.ocr
        self.find_faces = options.faces and target.faces_store is not None
        self._faces_store = target.faces_store
        self._progress = controls.progress or (lambda _p: None)
        # Stopped, or asked to step aside for newer work (what it did is kept).
        self._should_stop = lambda: controls.stopped() or controls.deferred()
        self.paused = controls.pause or threading.Event()
        self.workers = max(1, options.resolved_workers())
        self.save_interval = options.save_interval_seconds
        self.report = RegionReport()
        self._finder: RegionFinder | None = None
        self._faces_changed = False
        self._started = time.perf_counter()

    def run(self) -> RegionReport:
        started = time.perf_counter()
        objects_by = self.models.detector_version() if self.detect else None
        text_by = self.models.reader_version() if self.ocr else None
        faces_by = self.models.faces_version() if self.find_faces else None
        work = images_needing_regions(self.engine, objects_by, text_by, faces_by, FRAMES_VERSION)
        if work and self.cluster is not None:
            self._process_on_ray(work, self.cluster)
        elif work:
            work = self._load_models(work)
            if work:
                self._process(work)
        self.report.seconds = round(time.perf_counter() - started, 3)
        return self.report

    def _load_models(self, work: list[RegionWork]) -> list[RegionWork]:
        def loaded(wanted: bool, load: Callable[[], Any]) -> Any:
            if not wanted:
                return None
            try:
                return load()
            except ModelUnavailableError as exc:
                self.report.warnings.append(str(exc))
                return None

        detector = loaded(any(w.objects for w in work), self.models.detector)
        reader = loaded(any(w.text for w in work), self.models.reader)
        face_models = loaded(any(w.faces for w in work), self.models.faces)
        self._finder = RegionFinder(self.embedder, detector, reader, face_models)
        return [
            w for w in work if (w.objects and detector) or (w.text and reader) or (w.faces and face_models) or w.frames
        ]

    def _process_on_ray(self, work: list[RegionWork], cluster: RayIndexing) -> None:
        """The models run on the cluster's actors; the commits stay here, batch by batch."""
        batch_size = cluster.plan().region_batch
        batch: list[FoundRegions] = []
        last_save = time.monotonic()
        self._started = time.perf_counter()
        self._emit(0, len(work))
        try:
            with cluster.regions(work, self.models.settings, self.paused, self._should_stop) as found:
                for item in found:
                    batch.append(item)
                    if len(batch) >= batch_size:
                        self._commit(batch)
                        batch = []
                        last_save = self._batch_done(len(work), last_save)
                self.report.cancelled = found.stopped
            self._commit(batch)
            self._emit(self.report.images, len(work))
        finally:
            self._save()

    def _process(self, work: list[RegionWork]) -> None:
        self.embedder.load()
        batch_size = region_batch_size(self.embedder.device)
        lookahead = 2 * batch_size + self.workers
        batch: list[Loaded] = []
        last_save = time.monotonic()
        self._started = time.perf_counter()
        self._emit(0, len(work))
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="regions") as pool:
            try:

                def submit(item: RegionWork) -> Future[Loaded]:
                    return pool.submit(load_for_regions, item)

                with InOrder(submit, work, lookahead, self.paused, self._should_stop) as loaded:
                    for item in loaded:
                        batch.append(item)
                        if len(batch) >= batch_size or loaded.exhausted:
                            self._finish(batch)
                            batch = []
                            last_save = self._batch_done(len(work), last_save)
                    self.report.cancelled = loaded.stopped
            finally:
                self._save()

    def _batch_done(self, total: int, last_save: float) -> float:
        """Tell the progress; save the vector stores now and then. Returns the last save's time."""
        self._emit(self.report.images, total)
        if time.monotonic() - last_save < self.save_interval:
            return last_save
        self._save()
        return time.monotonic()

    # --- one batch ---------------------------------------------------------------------------------

    def _finish(self, batch: list[Loaded]) -> None:
        assert self._finder is not None
        self._commit(self._finder.find(batch))

    def _commit(self, batch: list[FoundRegions]) -> None:
        """One transaction replaces the redone kinds' regions and marks the images done; then
        the vector stores follow (reconciled on open if a kill comes between)."""
        regions = [r for f in batch for r in f.regions]
        faces = [face for f in batch for face in f.faces]
        done = [
            RegionsDone(f.work.image_id, f.objects_by, f.text_by, f.faces_by, f.frames_by)
            for f in batch
            if not f.changed
        ]
        for f in batch:
            for when, jpeg in f.frame_thumbnails:
                save_thumbnail(jpeg, self.paths.frame_thumbnail(f.work.content_hash, when))
        replaced = replace_regions(self.engine, done, regions, faces)
        added = replaced.added
        store = self._store_for(self.embedder.dim)
        if store is not None:
            store.remove(replaced.removed)
            if added:
                vectors = np.vstack([np.frombuffer(regions[p].vector, np.float32) for p, _ in added])
                store.add(np.array([i for _, i in added], dtype=np.int64), vectors)
        if (replaced.faces_removed or replaced.faces_added) and self._faces_store is not None:
            self._faces_changed = True
            face_store = self._faces_store()
            face_store.remove(replaced.faces_removed)
            if replaced.faces_added:
                ids = np.array([i for _, i in replaced.faces_added], dtype=np.int64)
                face_store.add(
                    ids, np.vstack([np.frombuffer(faces[p].descriptor, np.float32) for p, _ in replaced.faces_added])
                )
        self.report.faces += len(replaced.faces_added)
        for p, _ in added:
            kind = regions[p].kind
            self.report.objects += kind == "object"
            self.report.texts += kind == "text"
            self.report.frames += kind == "frame"
        for f in batch:
            self.report.detect_seconds += f.seconds.get("detect", 0.0)
            self.report.ocr_seconds += f.seconds.get("ocr", 0.0)
            self.report.face_seconds += f.seconds.get("faces", 0.0)
            self.report.embed_seconds += f.seconds.get("embed", 0.0)
            self.report.warnings += [w for w in f.warnings if w not in self.report.warnings]
        self.report.images += len(batch)

    def _save(self) -> None:
        store = self._store_for(0)
        if store is not None:
            store.save()
        if self._faces_store is not None and self._faces_changed:
            self._faces_store().save()

    def _emit(self, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self._started
        rate = done / elapsed if done and elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else None
        self._progress(IndexProgress("regions", done, total, self.report.regions, round(rate, 2), eta))
