"""The indexing pipeline: scan, classify against the catalog, decode on a pool, embed, commit.

Decoding runs on a thread pool with a bounded look-ahead of a few batches; the calling thread
is the one model consumer, so the model never waits for pixels and memory stays bounded.
Every batch is one SQLite transaction (images, files, regions and vectors together); the
FAISS file is saved atomically now and then and at the end, and reconciled on open, so a kill
at any moment costs only the work in flight.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.catalog import index_writes, removal
from app.catalog.records import FileLink, KnownFailure, KnownFile, NewImage
from app.core.errors import UserError
from app.core.paths import display_path
from app.indexing.batch_embedding import BatchEmbedding, NewContent, ReleasingUnused, StartedBatch
from app.indexing.byte_arena import Slot
from app.indexing.decode_pool import arena_for, decode_pool, may_go_to_device, prepare_in_process
from app.indexing.lookahead import InOrder
from app.indexing.outcomes import (
    Decoded,
    Embedded,
    Encoded,
    Failed,
    Known,
    Link,
    Outcome,
    OutcomeStream,
    StorageFailed,
    prepare,
)
from app.indexing.report import IndexProgress, IndexReport
from app.indexing.run_plan import plan_run
from app.indexing.run_setup import (
    IndexOptions,
    RunControls,
    RunTarget,
)
from app.indexing.scanner import ScannedFile, scan
from app.vectors.store import VectorStore

if TYPE_CHECKING:
    from app.indexing.ray_indexing import RayIndexing

log = logging.getLogger(__name__)

# IndexOptions is found here too, where callers found it before it moved to `run_setup`.
__all__ = ["IndexOptions", "IndexRun"]


@dataclass
class _Held:
    """What the consumer holds between commits: the batch started on the device, the batch
    being filled, and links and failures not yet written."""

    embedding: BatchEmbedding
    started: StartedBatch | None = None
    batch: list[NewContent] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    failures: list[Failed] = field(default_factory=list)


class IndexRun:
    """One indexing run over some roots; create, then call `run` once."""

    def __init__(
        self,
        target: RunTarget,
        options: IndexOptions | None = None,
        controls: RunControls | None = None,
        cluster: RayIndexing | None = None,
    ) -> None:
        controls = controls or RunControls()
        self.engine = target.engine
        self.cluster = cluster  # the expensive work on Ray (options.ray), else on this machine
        self.paths = target.paths
        self.embedder = target.embedder
        self._open_store = target.store_for
        self.options = options or IndexOptions()
        self._progress = controls.progress or (lambda _p: None)
        self._should_stop = controls.should_stop or (lambda: False)
        # Set by the caller to pause between photos.
        self.paused = controls.pause if controls.pause is not None else threading.Event()
        self.report = IndexReport()
        self._store: VectorStore | None = None
        self._known_hashes: dict[str, int] = {}
        self._known: dict[str, KnownFile] = {}
        self._removable_by_image: dict[int, list[str]] = {}
        # Images that lost a path during this run (its content changed, or it went); a link to
        # one of them is a move, not a copy. Decided when the run ends, whatever the order.
        self._displaced: set[int] = set()
        self._linked_images: list[int] = []
        self._last_save = time.monotonic()
        self._rate_marks: deque[tuple[float, int]] = deque(maxlen=20)

    # --- the run ----------------------------------------------------------------------------

    def run(self, roots: Sequence[Path]) -> IndexReport:
        started = time.perf_counter()
        self._emit("scanning", 0, 0)
        scanned = scan(
            roots,
            on_progress=lambda n: self._emit("scanning", n, 0),
            should_stop=self._should_stop,
            exclude=[self.paths.root],
        )
        root_strs = [str(r) for r in roots]
        known = self._known = index_writes.files_under(self.engine, root_strs)
        known_failures = index_writes.failures_under(self.engine, root_strs)
        self._known_hashes = index_writes.all_image_hashes(self.engine)

        self.report.scanned = len(scanned.files) + len(scanned.failures)
        plan = plan_run(scanned, known, known_failures)
        work = plan.work
        self.report.unchanged = plan.unchanged
        index_writes.set_change_times(self.engine, plan.change_times)
        for failed in plan.skipped:
            self.report.fail(failed.path, failed.reason)
        for failure in plan.scan_failures:
            self.report.fail(failure.path, failure.reason, failure.retry)
        for folder, reason, kept in plan.unreadable:
            self.report.unreadable_folders.append({"path": folder, "error": reason, "kept": kept})
            self.report.warnings.append(
                f"cannot read the folder {display_path(folder)} ({reason}); the {kept} photos known there are kept"
            )
        for folder in plan.excluded:
            self.report.warnings.append(
                f"{display_path(folder)} is the library's own folder: photos inside it are not indexed"
            )
        self._removable_by_image = plan.removable
        removable_failures, stale_failures = plan.removable_failures, plan.stale_failures
        if plan.scan_failures:
            index_writes.record_failures(self.engine, plan.scan_failures)
            self._displaced.update(
                known[f.path].image_id for f in plan.scan_failures if not f.retry and f.path in known
            )
        if work and not self._should_stop():
            self._process(work)
        if not self.report.cancelled and not self._should_stop():
            left = [p for paths in self._removable_by_image.values() for p in paths]
            self.report.removed = len(left)
            self._apply_removed(removal.remove_paths(self.engine, left + removable_failures))
            index_writes.forget_failures(self.engine, stale_failures)
            # Only now, with every move of the run linked, is an image without files gone.
            self._apply_removed(removal.drop_orphan_images(self.engine))
        else:
            self.report.cancelled = True
        self._count_links()
        self._emit("finishing", len(work), len(work))
        self._save_vectors()
        self.report.seconds = round(time.perf_counter() - started, 3)
        if self.report.seconds > 0:
            self.report.images_per_second = round(self.report.embedded / self.report.seconds, 2)
        return self.report

    def _process(self, work: list[ScannedFile]) -> None:
        if self.cluster is not None:
            self._process_on_ray(work, self.cluster)
            return
        self.embedder.load()  # only now: an unchanged folder never pays for the model
        workers = self.options.resolved_workers()
        batch_size = self.options.resolved_batch_size(self.embedder.device)
        lookahead = 2 * batch_size + 2 * workers
        on_device = self.options.decodes_on_device(self.embedder.device)
        pool_of = decode_pool(workers, self.options, self.embedder.device, self._known_hashes)
        with pool_of as pool, arena_for(pool, on_device, work) as arena:
            assert self.embedder.input_spec is not None
            spec, paths = self.embedder.input_spec, self.paths
            reserved: deque[Slot | None] = deque()  # the arena's room for each file handed out

            def submit(item: ScannedFile) -> Future[Outcome]:
                if isinstance(pool, ProcessPoolExecutor):
                    slot = arena.reserve(item.size) if arena is not None and may_go_to_device(item) else None
                    reserved.append(slot)
                    return pool.submit(prepare_in_process, item, spec, paths, on_device, slot)
                return pool.submit(prepare, item, self._known_hashes, spec, paths, on_device)

            held = _Held(BatchEmbedding(self.embedder, self.paths, arena))
            on_pause = functools.partial(self._commit_for_pause, held)
            with InOrder(submit, work, lookahead, self.paused, self._should_stop, on_pause) as outcomes:
                stream = outcomes if arena is None else ReleasingUnused(outcomes, reserved, arena)
                try:
                    self._consume(stream, len(work), batch_size, held)
                except BrokenProcessPool:
                    # Killed from outside, or by the system for memory: keep what is done.
                    self._commit_held(held)
                    self._save_vectors()
                    raise UserError(
                        "a decoding process ended abruptly (stopped from outside, or out of memory); "
                        "the photos done so far are kept: index again to go on"
                    ) from None
                if isinstance(stream, ReleasingUnused):
                    log.info(
                        "%d files came to the device through shared memory (%d as bytes)",
                        stream.placed,
                        stream.as_bytes,
                    )

    def _process_on_ray(self, work: list[ScannedFile], cluster: RayIndexing) -> None:
        # Loading the model here (for its input size only: the cluster's actors load their own)
        # overlaps connecting, which stays on this thread: a Ray started here ends its processes
        # when the thread that started them ends.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-load") as loading:
            loaded = loading.submit(self.embedder.load)
            cluster.session.ray()
            loaded.result()
        assert self.embedder.input_spec is not None
        spec = self.embedder.input_spec
        held = _Held(BatchEmbedding(self.embedder, self.paths))
        known = self._known_hashes.keys()
        on_pause = functools.partial(self._commit_for_pause, held)
        with cluster.embedded(work, spec, known, self.paused, self._should_stop, on_pause) as outcomes:
            self._consume(outcomes, len(work), self.options.batch_size or cluster.plan().batch_size, held)

    def _consume(self, outcomes: OutcomeStream, total: int, batch_size: int, held: _Held) -> None:
        """Commit outcomes as they come: new content in batches (each started on the model's
        device before the one before it is committed), links and failures in theirs."""
        done = 0
        for outcome in outcomes:
            done += 1
            if isinstance(outcome, StorageFailed):
                # Every later photo would fail the same way: keep what is done, stop.
                self._commit_held(held)
                raise outcome.error
            if isinstance(outcome, Known):
                outcome = Link(outcome.scanned, self._known_hashes[outcome.content_hash])
            if isinstance(outcome, (Decoded, Encoded, Embedded)):
                held.batch.append(outcome)
                if len(held.batch) >= batch_size:
                    held.started = self._start_next(held.embedding, held.batch, held.started)
                    held.batch = []
            elif isinstance(outcome, Link):
                held.links.append(outcome)
                if len(held.links) >= self.options.link_flush:
                    self._commit_links(held.links)
                    held.links = []
            else:
                held.failures.append(outcome)
            self._emit("embedding", done, total, outcome.scanned.path)
        self.report.cancelled = outcomes.stopped
        self._commit_held(held, waiting=not self.report.cancelled)  # if stopped, redone next run

    def _commit_held(self, held: _Held, waiting: bool = True) -> None:
        """Commit what `held` has: the batch in flight, links and failures, and (`waiting`)
        the photos decoded for the next batch, embedded now."""
        self._commit_new(self._start_next(held.embedding, held.batch if waiting else [], held.started))
        held.started = None
        if waiting:
            held.batch = []
        self._commit_links(held.links)
        self._commit_failures(held.failures)
        held.links, held.failures = [], []

    def _commit_for_pause(self, held: _Held) -> None:
        """As a pause begins: commit what is embedded and save the vectors, so that a kill
        while paused costs nothing done. Photos decoded for the next batch wait in memory;
        embedding them now would keep the cores busy."""
        self._commit_held(held, waiting=False)
        self._save_vectors()
        log.info("paused: everything embedded so far is committed")

    def _start_next(
        self, embedding: BatchEmbedding, batch: list[NewContent], previous: StartedBatch | None
    ) -> StartedBatch | None:
        """Start `batch`, then commit the batch before it while the device works."""
        following = embedding.start(batch) if batch else None
        self._commit_new(previous)
        return following

    # --- consumer side (this thread) ------------------------------------------------------------

    def _commit_new(self, started: StartedBatch | None) -> None:
        if started is None:
            return
        self._commit_failures(started.failed)
        vectors = started.vectors()  # also gives the arena's room back, whatever the batch came to
        if not started.rows:
            return
        rows = [
            NewImage(
                facts=facts,
                path=scanned.path,
                size=scanned.size,
                mtime_ns=scanned.mtime_ns,
                ctime_ns=scanned.ctime_ns,
                vector=vectors[i].tobytes(),
            )
            for i, (scanned, facts) in enumerate(started.rows)
        ]
        written, image_ids = index_writes.add_embedded_images(self.engine, rows)
        store = self._get_store(vectors.shape[1])
        if written:
            region_ids = np.array([rid for rid, _ in written], dtype=np.int64)
            store.add(region_ids, vectors[[pos for _, pos in written]])
        for scanned, facts in started.rows:
            self._note_new_content(scanned.path, image_ids[facts.content_hash])
        self.report.new += len(rows)
        self.report.embedded += len(written)
        self.report.regions += len(written)
        self._known_hashes.update(image_ids)
        self._maybe_save()

    def _commit_links(self, links: list[Link]) -> None:
        if not links:
            return
        rows = []
        for link in links:
            old = self._known.get(link.scanned.path)
            if old is not None and old.image_id == link.image_id:
                self.report.unchanged += 1  # the same content, touched
                replaces = None
            else:
                old_paths = self._removable_by_image.get(link.image_id)
                replaces = old_paths.pop() if old_paths else None
                if replaces is not None:
                    self.report.moved += 1
                    self._displaced.add(link.image_id)
                else:
                    self._linked_images.append(link.image_id)  # a copy or a move: `_count_links`
                self._note_new_content(link.scanned.path, link.image_id)
            scanned = link.scanned
            rows.append(
                FileLink(scanned.path, scanned.size, scanned.mtime_ns, scanned.ctime_ns, link.image_id, replaces)
            )
        index_writes.link_files(self.engine, rows)

    def _note_new_content(self, path: str, image_id: int) -> None:
        """`path` now holds `image_id`: the image it held before (if another) lost a file."""
        old = self._known.get(path)
        if old is not None and old.image_id != image_id:
            self._displaced.add(old.image_id)

    def _count_links(self) -> None:
        """Links to images that lost a path in this run are moves; the others are copies."""
        for image_id in self._linked_images:
            if image_id in self._displaced or self._removable_by_image.get(image_id):
                self.report.moved += 1
            else:
                self.report.new += 1
        self._linked_images = []

    def _commit_failures(self, failures: list[Failed]) -> None:
        if not failures:
            return
        for f in failures:
            self.report.fail(f.scanned.path, f.reason, f.retry)
            old = self._known.get(f.scanned.path)
            if old is not None and not f.retry:
                self._displaced.add(old.image_id)
        rows = [
            KnownFailure(
                f.scanned.path, f.scanned.size, f.scanned.mtime_ns, f.reason, "environment" if f.retry else "file"
            )
            for f in failures
        ]
        index_writes.record_failures(self.engine, rows)

    def _apply_removed(self, region_ids: list[int]) -> None:
        if not region_ids:
            return
        if self._store is None:
            self._store = self._open_store(0)  # the existing store, if the library has one
        if self._store is not None:
            self._store.remove(region_ids)

    def _get_store(self, dim: int) -> VectorStore:
        if self._store is None:
            self._store = self._open_store(dim)
        assert self._store is not None
        return self._store

    def _maybe_save(self) -> None:
        if time.monotonic() - self._last_save >= self.options.save_interval_seconds:
            self._save_vectors()

    def _save_vectors(self) -> None:
        if self._store is not None:
            self._store.save()
            self._last_save = time.monotonic()

    def _emit(self, phase: str, done: int, total: int, current: str | None = None) -> None:
        now = time.monotonic()
        self._rate_marks.append((now, self.report.embedded + self.report.new + self.report.moved))
        rate = 0.0
        if len(self._rate_marks) >= 2:
            (t0, n0), (t1, n1) = self._rate_marks[0], self._rate_marks[-1]
            rate = (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0
        eta = (total - done) / rate if rate > 0 and total else None
        self._progress(IndexProgress(phase, done, total, self.report.embedded, round(rate, 2), eta, current))
