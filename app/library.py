"""The one facade the CLI and the UI both use: open a library, index, search, report.

A library folder holds the catalog (SQLite), one FAISS file per model and the thumbnail cache.
Opening it reconciles the FAISS file with the catalog (DESIGN.md invariant 2) when no other
process is writing; only one process writes at a time (`WriterLock`). The work itself lives in
small services: `app.indexing.library_indexing` (a run), `app.search.compose` (queries),
`app.vectors.library_vectors` and `app.vectors.index_policy` (the vector file and its kind),
`app.catalog.model_switch` with `app.indexing.reembed` (another model). People and taught
names are services of their own: `library.people` (`app.library_people`) and `library.names`
(`app.teaching.library_names`).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from app.catalog import folders, lookups, media_lookups, meta
from app.catalog.database import catalog_errors, open_catalog
from app.catalog.kept_marks import restore_marks
from app.catalog.media_lookups import GalleryMarks
from app.catalog.records import FolderSummary, ImageInfo, KnownFailure, LibraryStatus, RegionInfo
from app.core.errors import ReadOnlyLibraryError, UntrustedModelError, UserError
from app.core.library_folder import library_writable, make_library_folder
from app.core.lock import WriterLock
from app.core.paths import LibraryPaths, default_library_dir
from app.core.settings import Settings
from app.indexing.report import QUICK_SEARCHES, IndexProgress, IndexReport
from app.library_edits import LibraryEdits
from app.library_organising import LibraryOrganising
from app.library_people import LibraryPeople
from app.library_queries import QueryEncoder, QuickQueries
from app.library_sidecars import LibrarySidecars
from app.ml.model_choice import is_chosen, remember_choice, unchosen_message
from app.ml.region_models import RegionModels
from app.ml.spec import ModelSpec, default_spec
from app.search.library_search import SearchSources, search_library, similar_in_library
from app.search.request import SearchRequest
from app.search.results import SearchHit
from app.teaching.library_names import TaughtNames
from app.vectors.library_vectors import MODEL_KEY, LibraryVectors
from app.vectors.store import VectorStore

if TYPE_CHECKING:
    # Imported once a library indexes or loads its model: a command-line search starts without.
    from app.indexing.run_setup import IndexOptions, ProgressCallback, RunControls, StopCheck
    from app.ml.download import DownloadProgress
    from app.ml.embedder import ClipEmbedder

log = logging.getLogger(__name__)

T = TypeVar("T")


# A gallery row: plain tuples, not objects: a gallery holds 100,000 of them, and tuples of plain
# values drop out of Python's cyclic garbage collector, whose full collections over object rows
# stalled the window's thread ~100 ms whenever a gallery loaded (shown as `GalleryItem`s).
GalleryRow = tuple[int, str, str, int]  # image id, first path, thumbnail file, day (YYYYMMDD)


class Library:
    """An open library folder. Use as a context manager, or call `close()`.

    `model` names the model the caller wants: a new library is made with it; an existing one
    made with another keeps serving with its own until `switch_model()` (or `index()`, which
    switches first) re-embeds it. `settings` default to the environment's (`Settings.from_env`);
    the window passes the person's own."""

    def __init__(
        self,
        root: Path | None = None,
        model: ModelSpec | None = None,
        device: str = "auto",
        create: bool = True,
        settings: Settings | None = None,
    ) -> None:
        root = (root or default_library_dir()).expanduser().resolve()
        self.paths = LibraryPaths(root)
        make_library_folder(root, self.paths.catalog, create)
        # Read-only media, a friend's shared folder: status, search, similar and computed
        # clusters work; anything that would write says why it cannot.
        self.read_only = not library_writable(root, self.paths.catalog)
        if self.read_only and not self.paths.catalog.exists():
            raise UserError(f"no library at {root}, and that folder cannot be written to create one")
        self.engine = open_catalog(self.paths.catalog, self.read_only)
        try:
            self._lock = WriterLock(self.paths.lock, read_only=self.read_only)
            self.device = device
            stored = self.stored_model
            self.spec = ModelSpec.from_key(stored) if stored is not None else (model or default_spec())
            # A model asked for that differs from the library's: switched to by the next index.
            self.requested_model = model if model is not None and model.key != self.spec.key else None
            if model is not None:
                remember_choice(model)  # named on the command line or in the settings: chosen
            self._embedder: ClipEmbedder | None = None
            self.queries = QuickQueries(lambda: self.spec, lambda: self.embedder)
            self.vectors = LibraryVectors(self.engine, self.paths, self.spec.key)
            self.sidecars = LibrarySidecars(self.engine, self._writing, lambda: self.settings.write_sidecars)
            self.people = LibraryPeople(
                self.engine, self._edit_people, lambda: self.vectors.faces, self.sidecars.decided
            )
            self.names = TaughtNames(
                self.engine,
                lambda: self.spec.key,
                lambda: self.embedder,
                self._refuse_if_read_only,
                self.require_vectors,
            )
            self.edits = LibraryEdits(self.engine, self._writing, self._forget_regions)
            self.organising = LibraryOrganising(self.engine, self._writing, self.search, self.sidecars.decided)
            # What searches read their words and photos with (quick exports, else the model).
            self.encoder = QueryEncoder(
                self.queries, lambda: self.embedder, lambda: self._torch_loaded, lambda: self.names.vectors()
            )
            self.settings = settings or Settings.from_env()
            self.region_models = RegionModels(self.settings, self._compute_device, self._download_progress)
            # Called with (bytes so far, total) while model weights download on first use; may
            # raise CancelledError to stop the download.
            self.on_download: DownloadProgress | None = None
            with catalog_errors(self.paths.catalog):
                self.vectors.open_existing(self._lock)
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
        return meta.get_meta(self.engine, MODEL_KEY)

    def _download_progress(self, done: int, total: int) -> None:
        if self.on_download is not None:
            self.on_download(done, total)

    def _compute_device(self) -> str:
        from app.ml.embedder import resolve_device

        loaded = self._embedder is not None and self._embedder.loaded
        return self._embedder.device if loaded and self._embedder is not None else resolve_device(self.device)

    @property
    def embedder(self) -> ClipEmbedder:
        """The library's model. One named by the catalog as a hub repository or a folder is
        loaded only once this user chose it (invariant 10): a library folder cannot."""
        if self._embedder is None:
            if not is_chosen(self.spec):
                raise UntrustedModelError(unchosen_message(self.spec))
            self._embedder = self._clip_embedder(self.spec)
        return self._embedder

    def _clip_embedder(self, spec: ModelSpec) -> ClipEmbedder:
        from app.ml.embedder import ClipEmbedder

        return ClipEmbedder(spec, self.device, self._download_progress)

    @property
    def model_loaded(self) -> bool:
        """Whether a search answers without loading anything: the model is in memory, or its
        exported text tower is ready."""
        return self._torch_loaded or self.queries.ready

    @property
    def _torch_loaded(self) -> bool:
        """Whether the model itself is in memory (it then reads queries: nothing to load)."""
        return self._embedder is not None and self._embedder.loaded

    @property
    def device_in_use(self) -> str:
        """Either "CPU" or "CUDA" once the model is loaded, else "" (the status bar shows it)."""
        return self._embedder.device.upper() if self._embedder is not None and self._embedder.loaded else ""

    @property
    def store(self) -> VectorStore | None:
        return self.vectors.store

    def use_settings(self, settings: Settings) -> None:
        """New settings (objects or text switched on or off) from the next run on."""
        self.settings = settings
        self.region_models.settings = settings

    # --- indexing -----------------------------------------------------------------------------

    def index(
        self, roots: Sequence[Path | str], options: IndexOptions | None = None, controls: RunControls | None = None
    ) -> IndexReport:
        """Index `roots` (none: only finish the region pass), switching to the requested model
        first if there is one; `controls` report progress, stop, pause, or make the region pass
        step aside at its next batch for newer work waiting its turn."""
        from app.indexing.library_indexing import index_and_find_regions, leave_status_current
        from app.indexing.run_setup import IndexOptions, RunControls, RunTarget

        self._refuse_if_read_only("index into it")
        resolved = [folders.root_to_index(self.engine, root) for root in roots]
        options = options or IndexOptions(
            detect=self.settings.detect_objects,
            ocr=self.settings.read_text,
            faces=self.settings.find_faces,
            ray=self.settings.ray_address,
        )
        controls = controls or RunControls()
        self._lock.acquire("indexing")
        roots_str = [str(p) for p in resolved]
        interrupted_before: list[str] | None = None
        report: IndexReport | None = None
        finished = False
        try:
            interrupted_before = folders.mark_run_started(self.engine, roots_str)
            if resolved:
                folders.remember_roots(self.engine, roots_str)
            reembedded = 0
            if self.requested_model is not None:
                made = self._reembed_with(self.requested_model, options, controls)
                if made is None:
                    return IndexReport(cancelled=True)
                reembedded = made
            target = RunTarget(
                self.engine,
                self.paths,
                self.embedder,
                self.vectors.store_for,
                self.region_models,
                self.vectors.faces_store,
            )
            report = index_and_find_regions(target, resolved, options, controls)
            report.reembedded = reembedded
            restore_marks(self.engine)  # photos back again: their people and taught names too
            self._settle_faces(group=options.faces and not report.cancelled)
            if not report.cancelled:
                self.vectors.fit_search_index(self.settings.ivf_threshold)
                self._learn_names_again(controls)
                if report.embedded or self.model_loaded:
                    self.queries.prepare(lambda: controls.tell(IndexProgress(QUICK_SEARCHES, 0, 1)))
                leave_status_current(self.engine, self.paths, self.vectors)
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

    def switch_model(
        self,
        spec: ModelSpec,
        device: str | None = None,
        progress: ProgressCallback | None = None,
        should_stop: StopCheck | None = None,
    ) -> int | None:
        """Re-embed every region with `spec` (from the thumbnails) and make it the library's
        model; the old vectors serve searches until it completes. Returns how many regions were
        re-embedded, or None if stopped (a later switch to the same model resumes it)."""
        self._refuse_if_read_only("switch its model")
        remember_choice(spec)
        if device is not None and device != self.device:
            self.device, self._embedder = device, None
        if spec.key == self.spec.key:
            self.requested_model = None
            return 0
        with self._writing("switch its model", "switching models"):
            from app.indexing.run_setup import IndexOptions, RunControls

            return self._reembed_with(spec, IndexOptions(), RunControls(progress, should_stop))

    def _reembed_with(self, target: ModelSpec, options: IndexOptions, controls: RunControls) -> int | None:
        """Under the writer lock: re-embed with `target` and make it the library's model."""
        from app.indexing.reembed import switch_model

        embedder = self._clip_embedder(target)
        progress = controls.progress or (lambda _p: None)
        made = switch_model(self.engine, self.paths, embedder, progress, controls.stopped, options.batch_size or 64)
        if made is None:
            return None
        self.spec, self._embedder, self.requested_model = target, embedder, None
        self.vectors.switch_to(target.key, embedder.dim)
        log.info("library switched to %s (%d regions re-embedded)", target.key, made)
        self._learn_names_again(controls)
        return made

    def _learn_names_again(self, controls: RunControls) -> None:
        """Taught names the library's model has no vector for yet (it was just switched to, or a
        name was taught while a switch ran) are learned again from their examples."""
        from app.core.errors import CancelledError

        try:
            self.names.learn_again(controls.progress, controls.stopped)
        except CancelledError:
            log.info("learning names again was stopped; the next run resumes it")

    @contextlib.contextmanager
    def _writing(self, what: str, busy_with: str | None = None) -> Iterator[None]:
        """Every change to the library goes through here: refused with a reason on a read-only
        library, under the writer lock (or a reason why it is taken), and the catalog's failures
        turned into the sentence the CLI and the window both show. `what` says the change ("remove
        anything from it"), `busy_with` what another caller is told meanwhile ("removing photos")."""
        self._refuse_if_read_only(what)
        self._lock.acquire(busy_with or what)
        try:
            with catalog_errors(self.paths.catalog):
                yield
        finally:
            self._lock.release()

    def _refuse_if_read_only(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyLibraryError(
                f"the library at {self.root} is read-only (read-only media or a shared folder); cannot {what}"
            )

    # --- reports --------------------------------------------------------------------------------

    def status(self) -> LibraryStatus:
        from app.library_status import library_status

        model = self.stored_model or self.spec.key
        return library_status(self.engine, self.paths, self.vectors, model, self.read_only, self.interrupted_roots())

    def catalog_sound(self) -> bool:
        """SQLite's own quick check of the catalog file."""
        return lookups.integrity_ok(self.engine)

    def failure_count(self) -> int:
        return lookups.counts(self.engine).failures

    def failures(self) -> list[KnownFailure]:
        """Skipped files with their reasons (`retry`: it could not be read just now)."""
        return lookups.failures(self.engine)

    # --- search -------------------------------------------------------------------------------

    def require_vectors(self) -> VectorStore:
        if self.requested_model is not None:
            raise UserError(
                f"this library's vectors were made with {self.spec.key}, not {self.requested_model.key}; "
                f"run 'photo-organizer index --model ...' to switch (it re-embeds from thumbnails), "
                f"or search without --model"
            )
        store = self.store
        if store is None or store.ntotal == 0:
            raise UserError(
                f"the library at {self.root} has no indexed photos yet; run 'photo-organizer index FOLDER' first"
            )
        return store

    @property
    def _sources(self) -> SearchSources:
        return SearchSources(self.require_vectors, self.encoder.text_vectors, self.encoder.image_vector)

    def search(self, request: SearchRequest) -> list[SearchHit]:
        """Words, an example image, or both (`SearchRequest`). Names of people in the words (or
        `request.person`) keep only their photos; the rest of the words rank them."""
        return search_library(self.engine, self._sources, request)

    def similar(self, path: Path | str, request: SearchRequest | None = None) -> list[SearchHit]:
        """Images like the one at `path`: its stored vector if indexed, else the file's pixels;
        `request` gives the number of results, the threshold and the filters."""
        return similar_in_library(self.engine, self._sources, path, request or SearchRequest())

    # --- browsing and editing ---------------------------------------------------------------

    def gallery(
        self, order: str = "date", newest: int | None = None, stop: Callable[[], bool] | None = None
    ) -> list[GalleryRow]:
        return lookups.gallery_rows(self.engine, str(self.paths.thumbnails), order, newest, stop)

    def gallery_marks(self, of: Sequence[tuple[int, str]] | None = None) -> GalleryMarks:
        """RAW+JPEG pairs (one shown, as its JPEG), durations, marks: of all photos, or of `of`."""
        return media_lookups.gallery_marks(self.engine, of)

    def details(self, image_id: int) -> tuple[ImageInfo, list[RegionInfo]] | None:
        """What the viewer shows: the image's facts and its regions (whole image first)."""
        info = lookups.images(self.engine, [image_id]).get(image_id)
        if info is None:
            return None
        return info, lookups.regions_of_image(self.engine, image_id)

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

    def folders(self) -> list[FolderSummary]:
        """The folders added to the library, with how many photos each holds."""
        return [
            FolderSummary(root, folders.photos_under(self.engine, root), os.path.exists(root))
            for root in folders.indexed_roots(self.engine)
        ]

    def _forget_regions(self, region_ids: list[int]) -> None:
        store = self.store
        if store is not None and region_ids:
            store.remove(region_ids)
            store.save()
        self._settle_faces(group=False)

    def _settle_faces(self, group: bool) -> None:
        """Under the writer lock, after faces were found or went with their photos: the face
        file follows the catalog, people left empty go, and (`group`) new faces join people."""
        from app.catalog import people
        from app.indexing.people_grouping import settle_new_faces

        self.vectors.reconcile_faces()
        if group:
            settle_new_faces(self.engine)
        people.drop_empty_people(self.engine)

    # --- people (`self.people`) -------------------------------------------------------------

    def _edit_people(self, what: str, edit: Callable[[], T]) -> T:
        with self._writing(what, what.replace("people", "faces")):
            return edit()
