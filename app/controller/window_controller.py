"""The main window's logic, without Qt: the library it has open, long work one task at a time
(indexing, the region pass, a model switch) with pause, stop and folders waiting their turn,
what the gallery shows, and only the newest search's results.

Work that touches the catalog, the vectors, the file lock or image decoding is handed to
`tasks.run(op, on_success, on_error)`: `op` runs on a worker, the callbacks on the GUI thread.
The window implements `WindowView` and forwards its widgets' events here; tests drive this class
with a runner that calls back at once and a plain-Python view.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.controller.browse_state import BrowseState, ClusterCovers, cluster_cards_of
from app.controller.changes import Changed, Done
from app.controller.chosen_photos import show_chosen_photos
from app.controller.duplicates import DuplicatesReview
from app.controller.gallery_first_page import AfterFirstPage, FirstPage
from app.controller.gallery_rows import GalleryRows, GalleryUpdate, library_rows, plan_update
from app.controller.indexing_queue import IndexingQueue
from app.controller.memories import MemoriesPart
from app.controller.names import LongWork, NamesOrganiser
from app.controller.organise import Organiser
from app.controller.organising import Organising
from app.controller.people import PeopleOrganiser
from app.controller.places import PlacesBrowser
from app.controller.searching import Searching
from app.controller.texts import READ_ONLY, progress_text, report_text
from app.controller.window_part import WindowParts, library_size, run_action, warm_up
from app.controller.window_view import TaskRunner, WindowView
from app.core.errors import CancelledError, ModelUnavailableError
from app.core.settings import Settings
from app.indexing.report import IndexProgress, IndexReport
from app.ml.spec import LOCAL_DIR, ModelSpec

if TYPE_CHECKING:
    from app.library import Library


GALLERY_RESULTS = 200  # a search fills the gallery with at most this many photos

Callback = Callable[[Any], None]
GalleryLoad = tuple[list[tuple], GalleryRows, GalleryUpdate | None, int, ClusterCovers]  # see refresh_gallery


class WindowController:
    def __init__(
        self,
        view: WindowView,
        tasks: TaskRunner,
        report_progress: Callable[[IndexProgress], None],
        attach: Callable[[Library], Library] = lambda library: library,
        later: Callable[[Callable[[], None]], None] = lambda call: call(),
    ) -> None:
        self.view = view
        self.tasks = tasks
        # Called on the indexing worker; the window carries it to the GUI thread (`on_progress`).
        self._report_progress = report_progress
        self._attach = attach  # hands a newly opened library the download progress callback
        self._later = later  # runs a call on the next turn of the window's event loop
        self._ended_work: Callable[[], None] = lambda: None
        self.library: Library | None = None
        self.settings: Settings | None = None
        self.indexing = IndexingQueue()
        self.browse = BrowseState()
        self._gallery_loading = self._gallery_stale = False  # one gallery load at a time
        self._closing = False  # the window closes: reads under way stop, and nothing more starts
        self.first_page = FirstPage(view, tasks, self.browse)
        parts = WindowParts(view, AfterFirstPage(tasks, self.first_page), self.browse, lambda: self.library, self.apply)
        self.analyses = parts.analyses  # clusters, the map, duplicates: a child's for a large library
        self.searching = Searching(parts, self.refresh_gallery)
        self.organise = Organiser(parts, self.refresh_gallery)
        self.people = PeopleOrganiser(parts, self.refuse_while_busy)
        self.places = PlacesBrowser(parts)
        self.names = NamesOrganiser(parts, self._long_work())
        self.duplicates = DuplicatesReview(parts, self.refuse_while_busy, self.use_stacks)
        self.organising = Organising(parts, self.refuse_while_busy, self._long_work())
        self.memories = MemoriesPart(parts)

    # --- the library ----------------------------------------------------------------------------

    def open_library(self, library_dir: Path | None, settings: Settings | None = None) -> None:
        """Open the library on a worker (opening reconciles vectors; whether a run was interrupted
        takes the writer lock). `settings` are the person's (the environment's when None)."""
        self.settings = settings

        def op() -> tuple[Library, list[Path] | None, list[Path]]:
            from app.library import Library

            library = self._attach(Library(library_dir, settings=settings))
            library_size(library)  # its vector file's size is known before the window asks
            try:
                interrupted = library.interrupted_roots()
                # A root on a drive that is not mounted stays interrupted; looking costs a stat each.
                present = [root for root in interrupted if root.exists()] if interrupted else []
                return library, interrupted, present
            except BaseException:
                library.close()
                raise

        self.tasks.run(op, self._on_library_opened, self.view.show_error)

    def _on_library_opened(self, opened: tuple[Library, list[Path] | None, list[Path]]) -> None:
        library, interrupted, present = opened
        self.library, self.first_page.asked = library, False
        self.view.say(f"Library: {library.root}")
        self.view.show_library(library.read_only)
        self.apply(Done(changed=Changed.EVERYTHING))
        self.memories.look_at_today()
        # The first search answers at once: the vectors and the text tower load in the background.
        self.tasks.run(lambda: warm_up(library, self.first_page.wait))
        # Indexing that a crash or kill cut short continues by itself.
        if interrupted is not None:
            if present:
                self.indexing.waiting = present + self.indexing.waiting
                self.view.say("Resuming the indexing that was interrupted…")
            elif not interrupted and not self.indexing.waiting:
                self.find_regions()
        self._start_waiting()

    def use_settings(self, settings: Settings) -> None:
        """Objects or text switched on or off: from the next run on (the running one keeps its)."""
        self.settings = settings
        if self.library is not None:
            self.library.use_settings(settings)

    def answer_model_question(self, use_it: bool) -> None:
        """The person's answer to using the model the library names (remembered when yes)."""
        library = self.library
        if not use_it or library is None:
            self.view.say("Search by words needs the library's model; photos can still be browsed")
            return
        from app.ml.model_choice import remember_choice

        spec = library.spec

        def chosen(_none: None) -> None:
            self.view.say(f"Using {spec.key}, as you chose")
            self.organise.refresh_clusters()  # their names come from the model too
            self.view.repeat_search()

        self.tasks.run(lambda: remember_choice(spec), chosen, self.view.show_error)

    def stop_work(self) -> None:
        """The window closes: indexing, a duplicates scan, reading the gallery and analyses stop."""
        self._closing = True
        self.indexing.cancel()
        self.duplicates.stop()
        self.analyses.close()  # the workers waiting on it end

    def close(self) -> None:
        self.stop_work()
        if self.library is not None:
            self.library.close()
            self.library = None

    # --- indexing and other long work ---------------------------------------------------------

    def index_paths(self, roots: list[Path]) -> None:
        if self.library is None:
            self.indexing.waiting += roots
            return
        if self.library.read_only:
            self.view.say(f"Photos cannot be added: {READ_ONLY}")
            return
        if self.indexing.running:
            self.indexing.wait_behind(roots)
            self.view.say("Queued: the dropped folders are indexed next, then objects and text continue")
            return
        label = ", ".join(str(r) for r in roots)
        self._run_index(roots, f"Indexing {label} …")

    def find_regions(self) -> None:
        """Only the region pass (after objects or text were switched on in the settings)."""
        if self.library is None:
            return
        if self.indexing.running:
            self.view.say("Objects and text will be found after the current indexing")
            return
        self._run_index([], "Finding objects and text in your photos…")

    def _run_index(self, roots: list[Path], message: str) -> None:
        library = self.library
        assert library is not None
        queue = self.indexing
        stop = queue.begin(roots or None)
        self.view.work_started(message, pausable=True)
        from app.indexing.run_setup import RunControls

        controls = RunControls(self._report_progress, stop.is_set, queue.pause, queue.defer_regions.is_set)
        self.tasks.run(
            lambda: library.index(roots, controls=controls),
            self._on_indexed,
            self._on_index_error,
        )

    def set_paused(self, paused: bool) -> None:
        self.indexing.set_paused(paused)
        if paused:
            self.view.say("Paused, with everything indexed so far saved: Resume continues where it stopped")

    def cancel(self) -> None:
        if self.indexing.cancel():
            self.view.say("Stopping… (what is done is kept)")

    def on_progress(self, p: IndexProgress) -> None:
        """On the GUI thread, for each progress report of the running task."""
        device = self.library.device_in_use if self.library is not None else ""
        self.view.work_progressed(p.done, p.total if p.phase != "scanning" else 0, progress_text(p, device))

    def _on_indexed(self, report: IndexReport) -> None:
        self.view.say(report_text(report))
        self.view.set_notices(report.warnings)
        self._work_done()
        self.view.indexing_done(report)

    def _on_index_error(self, error: BaseException) -> None:
        self._work_done()
        if isinstance(error, ModelUnavailableError):
            self.view.ask_model_missing(str(error))
        elif isinstance(error, CancelledError):
            self.view.say("Download cancelled: indexing needs the search model; add the folder again to resume")
        else:
            self.view.show_error(error)
        self.view.indexing_done(None)

    def _work_done(self) -> None:
        due = self.indexing.end()
        self.view.work_ended()
        self.apply(Done(changed=Changed.EVERYTHING))
        self.indexing.waiting = due
        self._start_waiting()

    def apply(self, done: Done) -> None:
        """The one place an action's changes reach the views: it says what the action said,
        then each view that shows something that changed reads it again, and no other."""
        if done.said:
            self.view.say(done.said)
        changed = done.changed
        if Changed.PHOTOS in changed:  # first: an opened library's first page goes ahead of the rest
            self.refresh_gallery()
            self.organise.refresh_clusters()
            self.organise.refresh_map()
            self.places.refresh()
            self.memories.refresh()
        if Changed.FOLDERS in changed:
            self.organise.refresh_folders()
        if Changed.PEOPLE in changed:
            self.people.refresh()
        if Changed.NAMES in changed:
            self.names.refresh()
        if Changed.DUPLICATES in changed:
            self.duplicates.refresh()
        if Changed.MARKS in changed and Changed.PHOTOS not in changed:
            self.refresh_gallery()  # the badges
        if Changed.ALBUMS in changed:
            self.organising.refresh()
        if Changed.NAMES in changed and Changed.PHOTOS not in changed:
            self.view.repeat_search()  # a search that used a name reads it again

    def _start_waiting(self) -> None:
        if self.library is None or self.indexing.running:
            return
        if self.indexing.waiting:
            roots, self.indexing.waiting = self.indexing.waiting, []
            self.index_paths(roots)
        elif (work := self.indexing.next_work()) is not None:
            work()

    def _long_work(self) -> LongWork:
        return LongWork(self.indexing, self._report_progress, self._work_done)

    def refuse_while_busy(self, what: str) -> bool:
        """Writers exclude each other: while indexing runs, changing waits for it (said so)."""
        if self.library is not None and self.library.read_only:
            self.view.say(f"{what}: {READ_ONLY}")
            return True
        if not self.indexing.running:
            return False
        message = f"{what} once indexing finishes (or cancel it first): only one change to the library at a time."
        self.view.say(message)
        self.view.tell(message)
        return True

    def switch_model(self, spec: ModelSpec, device: str) -> None:
        """Re-embed the library with another model in the background; search keeps working on
        the old vectors until the switch completes (it resumes if the app is closed)."""
        library = self.library
        if library is None:
            return
        if self.indexing.running:
            self.view.tell("Finish or cancel indexing before switching models.")
            return
        stop = self.indexing.begin()
        self.view.work_started(f"Switching to {spec.key}: re-embedding from thumbnails…", pausable=False)

        def done(made: int | None) -> None:
            if made is None:
                self.view.say("Model switch stopped; it resumes when you choose the model again")
                report = IndexReport(cancelled=True)
            else:
                self.view.say(f"Now using {spec.key} ({made} regions re-embedded)")
                report = IndexReport(reembedded=made)
            self._work_done()
            self.view.indexing_done(report)

        self.tasks.run(
            lambda: library.switch_model(spec, device, self._report_progress, stop.is_set), done, self._on_index_error
        )

    def use_model_folder(self, folder: Path) -> None:
        """Use a local open_clip model folder, then index the folders that were waiting."""
        spec = ModelSpec.parse(f"{LOCAL_DIR}{folder}")
        library = self.library
        if library is None:
            return
        if library.stored_model is not None:
            self.switch_model(spec, library.device)
            return
        roots, root, device = list(self.indexing.last_roots), library.root, library.device

        def reopen() -> Library:
            from app.library import Library

            library.close()
            return self._attach(Library(root, model=spec, device=device, settings=self.settings))

        def reopened(new_library: Library) -> None:
            self.library = new_library
            if roots:
                self.index_paths(roots)

        self.library = None
        self.tasks.run(reopen, reopened, self.view.show_error)

    def show_skipped(self) -> None:
        if self.library is not None:
            self.tasks.run(self.library.failures, self.view.show_skipped_files, self.view.show_error)

    # --- the gallery ------------------------------------------------------------------------------

    def refresh_gallery(self) -> None:
        """Reload every photo's row off the GUI thread: the gallery grows in place, a cluster or
        folder is filtered again, and search results stay while the rows behind them update."""
        if self.library is None:
            return
        if self._gallery_loading:
            self._gallery_stale = True  # one more load once this one is shown, planned against it
            return
        self._gallery_loading, self._gallery_stale = True, False
        library, order = self.library, self.view.gallery_order()
        base = self.view.gallery_rows()
        whole = self.browse.whole_gallery
        stacks = dict(self.browse.stacks) if self.browse.stack_bursts else {}
        if whole and not base and order == "date":  # opening: the newest photos first
            self.first_page.ask(library, stacks, lambda: self._gallery_loading)

        def load() -> GalleryLoad:
            self.first_page.wait()  # the newest page first; then every row, all off the GUI thread
            shown, entries = library_rows(library, order, stacks, stop=lambda: self._closing)
            covers = (clustering := self.browse.clustering, cluster_cards_of(clustering, entries))  # from the rows
            return shown, entries, plan_update(base, shown) if whole else None, library.failure_count(), covers

        self.tasks.run(load, self._on_gallery_loaded, self._on_gallery_error)

    def _on_gallery_error(self, error: BaseException) -> None:
        self._gallery_loading = False
        if not isinstance(error, CancelledError):  # stopped as the window closed: nothing to say
            self.view.show_error(error)

    def _on_gallery_loaded(self, loaded: GalleryLoad) -> None:
        self._gallery_loading = False
        rows, entries, update, failures, (made_for, cards) = loaded
        if self._gallery_stale:
            self._later(self.refresh_gallery)
        self.browse.entries = entries
        self.people.redraw()
        if self.browse.clustering is not None:  # covers come from the gallery's rows
            self.organise.show_clusters(cards if made_for is self.browse.clustering else None)
        if self.browse.showing_results:
            return
        browse = self.browse  # a cluster, chosen photos, an event or a folder: filtered again
        shown = {"cluster": browse.cluster_items, "photos": browse.chosen_items, "event": browse.event_items}
        items = shown[browse.showing]() if browse.showing in shown else None
        if browse.showing == "folder" and browse.folder is not None:
            items = browse.choose_folder(browse.folder)
        if items is None:
            self.view.show_gallery(rows, update, failures)
        else:
            self.view.show_items(items, None)
            self.view.show_gallery(None, None, failures)

    # --- bursts stacked in the gallery --------------------------------------------------------

    def use_stacks(self, stacks: dict[int, tuple[int, ...]]) -> None:
        """The bursts found (cover image id -> every shot); the gallery stacks them."""
        if stacks != self.browse.stacks:
            self.browse.stacks = stacks
            if self.browse.stack_bursts:
                self.refresh_gallery()

    def set_stacking(self, on: bool) -> None:
        self.browse.stack_bursts = on
        self.refresh_gallery()

    def open_stack(self, cover: int) -> None:
        """A stacked burst's shots, in the gallery."""
        shots = self.browse.stacks.get(cover)
        if shots:
            show_chosen_photos(self.view, self.browse, shots, lambda n: f"A burst of {n} shots · Esc shows all photos")

    def remove_images(self, image_ids: list[int]) -> None:
        if not image_ids or self.library is None or self.refuse_while_busy("Photos can be removed"):
            return
        library = self.library

        def op() -> Done:
            count = library.edits.remove_images(image_ids)
            said = f"Removed {count} photos from the library (the files are untouched)"
            return Done(said, Changed.PHOTOS_LEFT)

        def done(_done: Done) -> None:
            if self.browse.showing_results:
                self.view.show_items(self.searching.without(image_ids), None)

        run_action(self.tasks, op, self.apply, done, self.view.show_error)

    def remove_folder(self, root: str) -> None:
        """Forget a folder's photos (never the files themselves); the caller confirmed."""
        library = self.library
        if library is None or self.refuse_while_busy("Folders can be removed"):
            return

        def op() -> Done:
            removed = library.edits.remove([root])
            count = removed.files + removed.failures
            return Done(
                f"Removed {root} ({count} files) from the library; the files are untouched", Changed.PHOTOS_LEFT
            )

        def apply(done: Done) -> None:
            if self.browse.folder == root:
                self.browse.show_all()  # before the gallery reloads: it shows all photos
            self.apply(done)

        run_action(self.tasks, op, apply, None, self.view.show_error)
