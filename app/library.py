"""The one facade the CLI and the UI both use: open a library, index, search, report.

A library folder holds the catalog (SQLite), one FAISS file per model and the thumbnail cache.
Opening it reconciles the FAISS file with the catalog (DESIGN.md invariant 2) when no other
process is writing; only one process writes at a time (`WriterLock`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np

from app.catalog import folders, repository
from app.catalog.database import CATALOG_ID_KEY, catalog_errors, open_catalog
from app.catalog.records import ImageInfo, RegionInfo, RemoveReport
from app.catalog.regions import count_region_state
from app.core.errors import (
    LibraryBusyError,
    LibraryStorageError,
    ReadOnlyLibraryError,
    UntrustedModelError,
    UserError,
)
from app.core.library_folder import library_writable, make_library_folder
from app.core.lock import WriterLock
from app.core.paths import LibraryPaths, default_library_dir, display_path, is_content_hash
from app.core.settings import Settings
from app.core.unit_vectors import unit
from app.indexing.pipeline import IndexOptions, IndexRun, ProgressCallback, StopCheck
from app.indexing.region_pass import RegionReport, RegionRun
from app.indexing.report import IndexReport
from app.ml.download import DownloadProgress
from app.ml.embedder import ClipEmbedder
from app.ml.model_choice import is_chosen, remember_choice, unchosen_message
from app.ml.region_models import RegionModels
from app.ml.spec import ModelSpec, default_spec
from app.search.query import SearchFilters, check_threshold
from app.search.ranking import DEFAULT_WEIGHTS, RankingOptions
from app.search.results import SearchHit
from app.vectors import reconcile as reconciling
from app.vectors.ivf import needs_retraining
from app.vectors.store import VectorStore

log = logging.getLogger(__name__)

MODEL_KEY = "model"


# A gallery row: (image id, first path, thumbnail file, when taken or else file time). Plain
# tuples, not objects: a gallery holds 100,000 of them, and tuples of plain values drop out of
# Python's cyclic garbage collector, whose full collections over object rows stalled the
# window's thread for ~100 ms whenever a gallery loaded.
GalleryRow = tuple[int, str, str, float]


DIM_KEY = "dim"
PENDING_KEY = "pending_model"


class Library:
    """An open library folder. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        root: Path | None = None,
        model: ModelSpec | None = None,
        device: str = "auto",
        create: bool = True,
    ) -> None:
        root = (root or default_library_dir()).expanduser().resolve()
        make_library_folder(root, create)
        self.paths = LibraryPaths(root)
        # Read-only media, a friend's shared folder: status, search, similar and computed
        # clusters work; anything that would write says why it cannot.
        self.read_only = not library_writable(root, self.paths.catalog)
        if self.read_only and not self.paths.catalog.exists():
            raise UserError(f"no library at {root}, and that folder cannot be written to create one")
        self.engine = open_catalog(self.paths.catalog, self.read_only)
        try:
            self._lock = WriterLock(self.paths.lock, read_only=self.read_only)
            self.device = device
            self._switch_to: ModelSpec | None = None
            self.spec = self._choose_model(model)
            if model is not None:
                remember_choice(model)  # named on the command line or in the settings: chosen
            self._embedder: ClipEmbedder | None = None
            self._store: VectorStore | None = None
            self.region_models = RegionModels(Settings.from_env(), self._compute_device, self._download_progress)
            # Called with (bytes so far, total) while model weights download on first use; may
            # raise CancelledError to stop the download.
            self.on_download: DownloadProgress | None = None
            with catalog_errors(self.paths.catalog):
                self._open_existing_store()
        except BaseException:
            self.engine.dispose()
            raise

    # --- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._lock.release()
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def root(self) -> Path:
        return self.paths.root

    # --- model and vectors ------------------------------------------------------------------------

    @property
    def stored_model(self) -> str | None:
        return repository.get_meta(self.engine, MODEL_KEY)

    def _choose_model(self, requested: ModelSpec | None) -> ModelSpec:
        stored = self.stored_model
        if stored is None:
            return requested or default_spec()
        if requested is not None and requested.key != stored:
            # Indexing switches models (re-embedding from thumbnails); until it completes, the
            # stored model's vectors keep serving.
            self._switch_to = requested
        return ModelSpec.from_key(stored)

    def _download_progress(self, done: int, total: int) -> None:
        if self.on_download is not None:
            self.on_download(done, total)

    def _compute_device(self) -> str:
        from app.ml.embedder import resolve_device

        return self._embedder.device if self._embedder is not None and self._embedder.loaded else resolve_device(self.device)

    @property
    def embedder(self) -> ClipEmbedder:
        """The library's model. One named by the catalog as a hub repository or a folder is
        loaded only once this user chose it (invariant 10): a library folder cannot."""
        if self._embedder is None:
            if not is_chosen(self.spec):
                raise UntrustedModelError(unchosen_message(self.spec))
            self._embedder = ClipEmbedder(self.spec, self.device, self._download_progress)
        return self._embedder

    @property
    def model_loaded(self) -> bool:
        """Whether the model is in memory already (a search answers without loading it)."""
        return self._embedder is not None and self._embedder.loaded

    def _new_store(self, key: str, dim: int) -> VectorStore:
        return VectorStore(self.paths.vectors_file(key), dim, repository.get_meta(self.engine, CATALOG_ID_KEY) or "")

    def _open_existing_store(self) -> None:
        dim = repository.get_meta(self.engine, DIM_KEY)
        if dim is None:
            return
        self._store = self._new_store(self.spec.key, int(dim))
        # Fix the file on disk only when no other process is writing; else just in memory.
        if self._lock.try_acquire():
            try:
                reconciling.reconcile(self.engine, self._store, save=False)
                self._store.save()
            except LibraryStorageError as exc:
                # Full or unwritable: this command still works from memory; the file is
                # fixed by the next one that can write.
                log.warning("%s", exc)
            finally:
                self._lock.release()
        else:
            reconciling.reconcile(self.engine, self._store, save=False)

    def _store_for(self, dim: int) -> VectorStore | None:
        if self._store is None and dim > 0:
            repository.set_meta(self.engine, MODEL_KEY, self.spec.key)
            repository.set_meta(self.engine, DIM_KEY, str(dim))
            # A file left from another catalog (this one emptied or recreated) carries that
            # catalog's id and is not loaded (app.vectors.store).
            self._store = self._new_store(self.spec.key, dim)
        return self._store

    @property
    def store(self) -> VectorStore | None:
        return self._store

    # --- indexing -----------------------------------------------------------------------------

    def index(
        self,
        roots: Sequence[Path | str],
        options: IndexOptions | None = None,
        progress: ProgressCallback | None = None,
        should_stop: StopCheck | None = None,
        pause: threading.Event | None = None,
        defer_regions: StopCheck | None = None,
    ) -> IndexReport:
        """Index `roots` (none: only finish the region pass). `defer_regions` returning True
        makes the region pass step aside at its next batch, for newer work waiting its turn."""
        self._refuse_if_read_only("index into it")
        resolved = [self._root_to_index(root) for root in roots]
        self._acquire_writer("indexing")
        roots_str = [str(p) for p in resolved]
        interrupted_before: list[str] | None = None
        report: IndexReport | None = None
        finished = False
        try:
            interrupted_before = folders.mark_run_started(self.engine, roots_str)
            if resolved:
                folders.remember_roots(self.engine, roots_str)
            reembedded = 0
            if self._switch_to is not None:
                made = self._switch_model(options or IndexOptions(), progress or (lambda _p: None), should_stop or (lambda: False))
                if made is None:
                    return IndexReport(cancelled=True)
                reembedded = made
            run = IndexRun(self.engine, self.paths, self.embedder, self._store_for, options, progress, should_stop)
            if pause is not None:
                run.paused = pause
            report = run.run(resolved)
            report.reembedded = reembedded
            opts = options or IndexOptions()
            if not report.cancelled and (opts.detect or opts.ocr):
                self._find_regions_unless_deferred(report, opts, progress, should_stop, pause, defer_regions)
            if not report.cancelled:
                self.update_search_index()
            finished = True
            return report
        finally:
            try:
                # Done or cancelled, the run ended; one that crashed stays "interrupted", so the
                # app resumes it (a kill leaves it so too).
                if interrupted_before is not None and (finished or (report is not None and report.cancelled)):
                    regions_left = report is not None and report.regions_deferred
                    folders.mark_run_ended(self.engine, roots_str, interrupted_before, regions_left)
            finally:
                self._lock.release()

    def _root_to_index(self, root: Path | str) -> Path:
        if not str(root).strip():
            raise UserError("an empty path was given; name a folder or a photo")
        path = Path(os.path.abspath(Path(root).expanduser()))
        if path.exists() or path.is_symlink():
            return path
        known = folders.photos_under(self.engine, str(path))
        if known:
            raise UserError(
                f"{display_path(str(path))} is gone (or not mounted right now); the library still holds its "
                f"{known} photo{'s' if known != 1 else ''}: to forget them, run 'photo-organizer remove {display_path(str(path))}'"
            )
        raise UserError(f"no such file or folder: {display_path(str(root))}")

    def _refuse_if_read_only(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyLibraryError(f"the library at {self.root} is read-only (read-only media or a shared folder); cannot {what}")

    def _acquire_writer(self, what: str) -> None:
        """The writer lock, or a clear reason why not: another process or this one is writing."""
        if self._lock.try_acquire(what):
            return
        if self._lock.held_here:
            raise LibraryBusyError(f"the library is busy {self._lock.holder or 'with other work'}; try again when it finishes")
        raise LibraryBusyError(f"another Photo Organizer process is indexing into {self.root} (or otherwise writing to it); try again when it finishes")

    def _find_regions_unless_deferred(
        self,
        report: IndexReport,
        options: IndexOptions,
        progress: ProgressCallback | None,
        should_stop: StopCheck | None,
        pause: threading.Event | None,
        defer_regions: StopCheck | None,
    ) -> None:
        stop = should_stop or (lambda: False)
        defer = defer_regions or (lambda: False)
        if defer():
            report.regions_deferred = True
            return
        found = self._find_regions(options, progress, lambda: stop() or defer(), pause)
        if found.cancelled and defer() and not stop():
            found.cancelled = False  # stepped aside, not cancelled: what it did is kept and counted
            report.regions_deferred = True
        report.add_regions(found)

    def _find_regions(
        self,
        options: IndexOptions,
        progress: ProgressCallback | None,
        should_stop: StopCheck | None,
        pause: threading.Event | None,
    ) -> RegionReport:
        """The second pass: objects and text inside the photos the first pass made searchable."""
        run = RegionRun(
            self.engine,
            self.embedder,
            self.region_models,
            self._store_for,
            detect=options.detect,
            ocr=options.ocr,
            progress=progress,
            should_stop=should_stop,
            paused=pause,
            workers=options.resolved_workers(),
        )
        return run.run()

    def _switch_model(self, options: IndexOptions, progress: ProgressCallback, should_stop: StopCheck) -> int | None:
        """Re-embed every region with the requested model, then make it the library's."""
        from app.catalog import model_switch
        from app.indexing.reembed import reembed

        target = self._switch_to
        assert target is not None
        if repository.get_meta(self.engine, PENDING_KEY) != target.key:
            model_switch.clear_pending_vectors(self.engine)
            repository.set_meta(self.engine, PENDING_KEY, target.key)
        embedder = ClipEmbedder(target, self.device, self._download_progress)
        made = reembed(self.engine, self.paths, embedder, progress, should_stop, options.batch_size or 64)
        if made is None:
            return None
        model_switch.complete_model_switch(self.engine, target.key, embedder.dim, MODEL_KEY, DIM_KEY, PENDING_KEY)
        old_file = self.paths.vectors_file(self.spec.key)
        self.spec, self._embedder, self._switch_to = target, embedder, None
        self._store = self._new_store(target.key, embedder.dim)
        reconciling.reconcile(self.engine, self._store, save=True)
        self._store.save()
        old_file.unlink(missing_ok=True)
        log.info("library switched to %s (%d regions re-embedded)", target.key, made)
        return made

    # --- reports --------------------------------------------------------------------------------

    def status(self) -> dict:
        counts = repository.counts(self.engine)
        interrupted = self.interrupted_roots()
        store = self._store
        index_vectors = store.ntotal if store is not None else 0
        consistent = (
            reconciling.consistent(self.engine, store) if store is not None else counts.vectors == 0
        )
        return {
            "images": counts.images,
            "files": counts.files,
            "regions": counts.regions,
            "vectors": counts.vectors,
            "index_vectors": index_vectors,
            "model": self.stored_model or self.spec.key,
            "library": str(self.root),
            "read_only": self.read_only,
            "consistent": consistent,
            "failures": counts.failures,
            "index": store.kind if store is not None else "flat",
            "index_lists": store.nlist if store is not None else 0,
            "switching_to": repository.get_meta(self.engine, PENDING_KEY),
            "analysis": self.analysis_freshness(),
            # How far the region pass got: images whose objects / text have been looked for.
            "region_pass": count_region_state(self.engine),
            # Roots of indexing that a crash or kill cut short (re-running index resumes it).
            "interrupted": None if interrupted is None else [str(p) for p in interrupted],
        }

    def analysis_freshness(self) -> dict[str, str]:
        """Whether the clusters and the 3D map match the library as it is now."""
        from app.analysis.library_analysis import freshness

        return freshness(self)

    def failure_count(self) -> int:
        return repository.counts(self.engine).failures

    def failures(self) -> list[dict]:
        """Skipped files: {path, error, retry} (retry: it could not be read just now)."""
        return [{"path": f.path, "error": f.reason, "retry": f.retry} for f in repository.failures(self.engine)]

    # --- search -------------------------------------------------------------------------------

    def require_vectors(self) -> VectorStore:
        if self._switch_to is not None:
            raise UserError(
                f"this library's vectors were made with {self.spec.key}, not {self._switch_to.key}; "
                f"run 'photo-organizer index --model ...' to switch (it re-embeds from thumbnails), "
                f"or search without --model"
            )
        if self._store is None or self._store.ntotal == 0:
            raise UserError(f"the library at {self.root} has no indexed photos yet; run 'photo-organizer index FOLDER' first")
        return self._store

    def text_vectors(self, texts: Sequence[str]) -> np.ndarray:
        from app.ml.embedder import TEXT_TEMPLATE

        return self.embedder.embed_texts([TEXT_TEMPLATE.format(t) for t in texts])

    def image_vector(self, path: Path | str) -> np.ndarray:
        """Embed an image file (inside the library or not)."""
        from app.indexing.decoding import DecodeError, decode, read_file

        path = Path(path).expanduser()
        if not path.is_file():
            raise UserError(f"no such image file: {path}")
        embedder = self.embedder.load()
        assert embedder.input_spec is not None
        try:
            decoded = decode(read_file(str(path)), embedder.input_spec, None)
        except DecodeError as exc:
            raise UserError(f"cannot use {path} as a query image: {exc}") from None
        return embedder.embed_arrays([decoded.model_input])[0]

    def search(
        self,
        text: str | None = None,
        image: Path | str | None = None,
        top_k: int = 20,
        threshold: float | None = None,
        weights: Mapping[str, float] | None = None,
        image_weight: float = 0.5,
        filters: SearchFilters | None = None,
        auto_cut: bool = False,
    ) -> list[SearchHit]:
        """Text, an example image, or both (`image_weight` is the image's share of the mix)."""
        from app.search.query import parse_query
        from app.search.vector_search import QueryVectors, keywords_of, search

        if top_k < 1:
            raise UserError("the number of results must be at least 1")
        if not 0.0 <= image_weight <= 1.0:  # false for NaN too
            raise UserError("the image weight must be between 0 and 1")
        check_threshold(threshold)
        has_text = text is not None and bool(text.strip())
        if not has_text and image is None:
            raise UserError("give a text query, an image, or both")
        parsed = parse_query(text) if has_text and text is not None else None
        store = self.require_vectors()
        parts: list[np.ndarray] = []
        negatives = np.empty((0, store.dim), dtype=np.float32)
        keywords: tuple[str, ...] = ()
        how = []
        if parsed is not None:
            positive_terms = [t for t in (parsed.text, *parsed.plus) if t]
            text_vector = unit(self.text_vectors(positive_terms).sum(axis=0))
            if parsed.minus:
                negatives = self.text_vectors(list(parsed.minus))
            keywords = keywords_of(*positive_terms)
            parts.append(text_vector * (1.0 - image_weight if image is not None else 1.0))
            how.append(f"text: {parsed.describe()}")
        if image is not None:
            parts.append(unit(self.image_vector(image)) * (image_weight if parsed is not None else 1.0))
            how.append("similar image")
        query = QueryVectors(unit(np.sum(parts, axis=0)), negatives, keywords, " + ".join(how))
        options = RankingOptions(top_k, threshold, auto_cut, {**DEFAULT_WEIGHTS, **(weights or {})})
        return search(self.engine, store, query, options, filters)

    def similar(
        self, path: Path | str, top_k: int = 20, filters: SearchFilters | None = None, threshold: float | None = None
    ) -> list[SearchHit]:
        """Images like the one at `path`: its stored vector if indexed, else the file's pixels."""
        from app.search.vector_search import QueryVectors, search

        if top_k < 1:
            raise UserError("the number of results must be at least 1")
        check_threshold(threshold)
        store = self.require_vectors()
        resolved = os.path.abspath(Path(path).expanduser())
        image_id = repository.image_id_for_path(self.engine, resolved)
        if image_id is None:
            vector = self.image_vector(resolved)
            exclude: set[int] = set()
        else:
            region_ids = repository.image_region_ids(self.engine, image_id)
            if not region_ids:
                raise UserError(f"{path} is in the library but has no vector yet; index it first")
            vector = store.reconstruct(region_ids[0])
            exclude = {image_id}
        query = QueryVectors(unit(vector), how="similar image")
        options = RankingOptions(top_k, threshold, False, {"image": 1.0, "object": 0.0, "text": 0.0})
        return search(self.engine, store, query, options, filters, exclude)

    # --- the IVF index --------------------------------------------------------------------------

    def update_search_index(self) -> str:
        """Choose exact or IVF search by size, and retrain IVF once the library has outgrown it;
        IVF is built off-lock and swapped in. Returns the kind."""
        store = self._store
        if store is None:
            return "flat"
        threshold = Settings.from_env().ivf_threshold
        if store.kind == "flat" and store.ntotal >= threshold:
            self._train_ivf(store)
        elif store.kind == "ivf" and store.ntotal < threshold // 2:
            store.to_flat()
        elif store.kind == "ivf" and needs_retraining(store.nlist, store.ntotal):
            log.info("retraining IVF: %d vectors outgrew %d lists", store.ntotal, store.nlist)
            self._train_ivf(store)
        return store.kind

    def _train_ivf(self, store: VectorStore) -> None:
        expected = store.ntotal
        build = store.build_ivf()
        if store.swap_in(build.index, expected):
            repository.set_meta(
                self.engine,
                "ivf",
                f"nlist={build.nlist} nprobe={build.nprobe} recall@10={build.recall_at_10:.3f} trained_on={expected}",
            )

    # --- browsing and editing ---------------------------------------------------------------

    def gallery(self, order: str = "date") -> list[GalleryRow]:
        folder = str(self.paths.thumbnails)
        return [
            (image_id, path, f"{folder}/{content_hash[:2]}/{content_hash}.jpg", when)
            for image_id, path, content_hash, when in repository.gallery_rows(self.engine, order)
            if is_content_hash(content_hash)  # a hostile catalog's rows never name files outside
        ]

    def details(self, image_id: int) -> tuple[ImageInfo, list[RegionInfo]] | None:
        """What the viewer shows: the image's facts and its regions (whole image first)."""
        info = repository.images(self.engine, [image_id]).get(image_id)
        if info is None:
            return None
        return info, repository.regions_of_image(self.engine, image_id)

    def thumbnail_for(self, image_id: int) -> Path | None:
        info = repository.images(self.engine, [image_id]).get(image_id)
        return self.paths.thumbnail(info.content_hash) if info and is_content_hash(info.content_hash) else None

    def interrupted_roots(self) -> list[Path] | None:
        """Indexing a crash or kill cut short (its roots; [] for the region pass alone), or None.
        A run under way, here or in another process, is not interrupted."""
        if self.read_only or self._lock.held_here or not self._lock.try_acquire():
            return None
        try:
            roots = folders.interrupted_roots(self.engine)
        finally:
            self._lock.release()
        return None if roots is None else [Path(r) for r in roots]

    def folders(self) -> list[dict]:
        """The folders added to the library, with how many photos each holds."""
        return [
            {"path": root, "photos": folders.photos_under(self.engine, root), "exists": os.path.exists(root)}
            for root in folders.indexed_roots(self.engine)
        ]

    def remove(self, paths: Sequence[Path | str]) -> RemoveReport:
        """Forget folders or files and everything indexed below them; the files themselves are
        never touched (they may be gone already, or on a drive that is not mounted)."""
        self._refuse_if_read_only("remove anything from it")
        targets = []
        for path in paths:
            if not str(path).strip():
                raise UserError("an empty path was given; name a folder or a photo")
            targets.append(os.path.abspath(Path(path).expanduser()))
        self._acquire_writer("removing photos")
        try:
            files = sorted({p for t in targets for p in folders.paths_under(self.engine, t)})
            failures = sorted(set(repository.failures_under(self.engine, targets)))
            roots = [r for r in folders.indexed_roots(self.engine) if any(folders.is_under(r, t) for t in targets)]
            if not files and not failures and not roots:
                shown = ", ".join(display_path(t) for t in targets)
                raise UserError(f"the library holds nothing at or below {shown}")
            images_before = repository.counts(self.engine).images
            region_ids = repository.remove_paths(self.engine, files + failures)
            if self._store is not None and region_ids:
                self._store.remove(region_ids)
                self._store.save()
            for root in roots:
                folders.forget_root(self.engine, root)
            images = images_before - repository.counts(self.engine).images
            return RemoveReport(files=len(files), images=images, failures=len(failures), roots=roots)
        finally:
            self._lock.release()

    def remove_folder(self, root: str) -> int:
        """Forget a folder and everything indexed below it (the files stay untouched on disk);
        returns how many files (and recorded failures) went."""
        removed = self.remove([root])
        return removed.files + removed.failures

    def remove_images(self, image_ids: Sequence[int]) -> int:
        """Forget images (their files stay untouched on disk); returns how many went."""
        self._refuse_if_read_only("remove anything from it")
        self._acquire_writer("removing photos")
        try:
            region_ids = repository.remove_images(self.engine, list(image_ids))
            if self._store is not None:
                self._store.remove(region_ids)
                self._store.save()
            return len(image_ids)
        finally:
            self._lock.release()

