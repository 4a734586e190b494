"""The main window: the search bar, the side panel, the Gallery / Clusters / 3D Map tabs and the
status bar. It lays out the panels, forwards what the person does to the `WindowController`
(Qt-free, in `app/controller`) and shows what the controller hands back (`WindowView`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.database import readable_error
from app.catalog.records import FolderSummary, KnownFailure
from app.controller.gallery_rows import GalleryItem, GalleryUpdate
from app.controller.window_controller import WindowController
from app.core.errors import UntrustedModelError, UserError
from app.indexing.report import IndexReport
from app.ui import settings_actions, window_dialogs
from app.ui.analysis_panels import ClustersPanel, MapPanel
from app.ui.cluster_actions import ClusterActions
from app.ui.download_dialog import DownloadWatcher
from app.ui.duplicates_actions import DuplicatesActions
from app.ui.duplicates_panel import DuplicatesPanel
from app.ui.gallery_actions import GalleryActions, open_path
from app.ui.gallery_panel import GalleryPanel
from app.ui.memories_panel import MemoriesPanel
from app.ui.model_question import ask_to_use_model
from app.ui.names_actions import NamesActions
from app.ui.organising_actions import OrganisingActions
from app.ui.people_actions import PeopleActions
from app.ui.people_panel import PeoplePanel
from app.ui.places_map import country_paths
from app.ui.places_panel import PlacesPanel
from app.ui.search_actions import SearchActions
from app.ui.search_bar import IMAGE_SUFFIXES, SearchBar
from app.ui.side_panel import SidePanel
from app.ui.status_panel import StatusPanel
from app.ui.task_manager import TaskManager
from app.ui.thumbnails import ThumbnailCache
from app.ui.window_menus import DUPLICATES_TAB, GALLERY_TAB, MAP_TAB, MEMORIES_TAB, PLACES_TAB, build_menus
from app.ui.window_state import restore_window_state, save_window_state
from app.ui.window_views import WindowViews

if TYPE_CHECKING:
    from app.library import Library
    from app.ui.settings_dialog import SettingsChoice, SettingsDialog

log = logging.getLogger(__name__)


class _ProgressRelay(QObject):
    """Carries progress from the indexing thread to the GUI thread (queued signal)."""

    progressed = Signal(object)


class MainWindow(QMainWindow, WindowViews):
    map_ready = Signal()
    folders_refreshed = Signal()
    clusters_refreshed = Signal()
    library_opened = Signal()
    gallery_refreshed = Signal()
    indexing_finished = Signal(object)
    search_finished = Signal()
    people_refreshed = Signal()
    names_refreshed = Signal()  # the Names list was redrawn
    duplicates_shown = Signal()  # the Duplicates view shows new groups (or a new choice)
    person_opened = Signal()
    places_shown = Signal()  # the Places view shows new places (or says they are hidden)
    albums_shown = Signal()  # the Albums list was redrawn
    memories_shown = Signal()
    skipped_shown = Signal(object)  # the skipped-files box, once its list is loaded
    gallery_actions: GalleryActions  # made in _build, once the Names list it uses is there
    views: QTabWidget

    def __init__(self, library_dir: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Photo Organizer")
        self.setAcceptDrops(True)
        self.tasks = TaskManager(self)
        self.cache = ThumbnailCache(parent=self)
        self.downloads = DownloadWatcher(self)
        self._relay = _ProgressRelay()
        self.controller = WindowController(
            self,
            self.tasks,
            self._relay.progressed.emit,
            self.downloads.attach,
            lambda later: QTimer.singleShot(0, later),
        )
        self._relay.progressed.connect(self.controller.on_progress)
        # While indexing, the gallery follows the catalog as photos arrive.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(1500)
        self._refresh_timer.timeout.connect(self.controller.refresh_gallery)
        self._model_question: QMessageBox | None = None
        self.model_box: QMessageBox | None = None
        self._restored_view = 0
        self._build()
        self._restored_view = restore_window_state(self)
        from app.ui.settings_dialog import places_hidden, saved_settings

        self.controller.places.hidden = places_hidden()
        self.controller.open_library(library_dir, saved_settings())

    @property
    def library(self) -> Library | None:
        return self.controller.library

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_bar = SearchBar()
        self.search_box = self.search_bar.box
        self.search_actions = SearchActions(
            self.search_bar, self.controller.searching, lambda: self.views.setCurrentIndex(GALLERY_TAB)
        )
        self.search_bar.order_changed.connect(self.controller.refresh_gallery)
        self.search_bar.thumbnail_size_changed.connect(self._on_size_changed)
        self.search_bar.list_toggled.connect(self._on_size_changed)

        self.gallery_panel = GalleryPanel(self.cache)
        self.model, self.gallery = self.gallery_panel.model, self.gallery_panel.view
        self.gallery_panel.add_folder_requested.connect(self.choose_folder)
        self.gallery_panel.open_requested.connect(lambda row: self.gallery_actions.open_viewer(row))
        self.gallery_panel.context_menu_requested.connect(
            lambda item, at: self.gallery_actions.context_menu_for(item).exec(at)
        )
        self.gallery_panel.zoom_requested.connect(self.search_bar.grow_thumbnails)

        self.side = SidePanel(has_selection=lambda: bool(self.gallery_panel.selected_items()))
        self.names_actions = NamesActions(
            self,
            self.controller.names,
            self.side.names,
            self.gallery_panel.selected_items,
            self.search_actions.search_for,
        )
        self.gallery_actions = GalleryActions(
            self,
            self.controller,
            self.gallery_panel,
            self.names_actions,
            self.tasks,
            lambda: self.views.setCurrentIndex(GALLERY_TAB),
        )
        self.side.add_folder_requested.connect(self.choose_folder)
        self.side.folder_refresh_requested.connect(lambda root: self.index_paths([Path(root)]))
        self.side.folder_open_requested.connect(open_path)
        self.side.folder_remove_requested.connect(lambda root: self.gallery_actions.remove_folder(root))
        self.side.folders_shown.connect(self.folders_refreshed)
        self.organising_actions = OrganisingActions(
            self,
            self.controller.organising,
            self.side.albums,
            self.gallery_panel.selected_items,
            self.show_gallery_view,
            lambda: self.controller.searching.words_search,
        )
        self.gallery_panel.key_typed.connect(self.organising_actions.key_pressed)
        self.gallery_actions.organising = self.organising_actions
        self.clusters_panel = ClustersPanel(self.cache)
        self.faces_cache = ThumbnailCache(capacity=1000, size=160, parent=self)  # face crops, by region id
        self.people_panel = PeoplePanel(self.faces_cache)
        self.people_actions = PeopleActions(self, self.controller.people, self.people_panel, self._show_person_photos)
        self.map_panel = MapPanel()
        self.map_panel.photo_clicked.connect(self._on_map_clicked)
        self.views = QTabWidget()
        self.views.addTab(self.gallery_panel, "Gallery")
        self.views.addTab(self.clusters_panel, "Clusters")
        self.views.addTab(self.map_panel, "3D Map")
        self.views.addTab(self.people_panel, "People")
        self.duplicates_panel = DuplicatesPanel(self.cache)
        self.views.addTab(self.duplicates_panel, "Duplicates")
        self.places_panel = PlacesPanel()
        self.views.addTab(self.places_panel, "Places")
        self.memories_panel = MemoriesPanel(self.cache)
        self.views.addTab(self.memories_panel, "Memories")
        self.memories_panel.card_opened.connect(self.controller.memories.open_card)
        places = self.controller.places
        self.places_panel.marker_opened.connect(places.show_marker)
        self.places_panel.place_opened.connect(places.show_place)
        self.places_panel.map.marker_hovered.connect(
            lambda level, marker, at: self.places_panel.show_marker_tip(places.marker_label(level, marker), at)
        )
        self.duplicates_actions = DuplicatesActions(self, self.controller.duplicates, self.duplicates_panel)
        self.cluster_actions = ClusterActions(
            self, self.controller.organise, self.side, self.clusters_panel, self.views, self.gallery_panel.show_photos
        )
        self.views.currentChanged.connect(self._on_view_changed)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 880])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.status = StatusPanel(self.statusBar())
        self.status_label = self.status.label
        self.status.cancel_requested.connect(self.controller.cancel)
        self.status.pause_toggled.connect(self.controller.set_paused)
        self.status.skipped_requested.connect(self.show_skipped)
        self.status.notices_requested.connect(self.show_notices)
        self._writing_actions = build_menus(self)

    # --- WindowView: what the controller shows ---------------------------------------------------

    def say(self, text: str) -> None:
        self.status.say(text)

    def show_library(self, read_only: bool) -> None:
        if read_only:
            self.setWindowTitle("Photo Organizer — read-only library")
            self.status.set_read_only()
            for writing in self._writing_actions:
                writing.setEnabled(False)
        if 0 < self._restored_view < self.views.count():
            self.views.setCurrentIndex(self._restored_view)
        self.library_opened.emit()

    def gallery_rows(self) -> tuple[tuple, ...]:
        return self.model.snapshot()

    def gallery_order(self) -> str:
        return self.search_bar.order

    def show_gallery(self, items: list[tuple] | None, update: GalleryUpdate | None, failures: int) -> None:
        self.cache.clear_missing()
        self.gallery.set_timeline(self.search_bar.order == "date")
        if update is not None:
            self.model.apply_update(update)
        elif items is not None:
            self.model.set_items(items)
        self.gallery_panel.show_photos(bool(self.controller.browse.entries))
        self.status.set_skipped(failures)
        self.gallery_refreshed.emit()

    def show_items(self, items: list[GalleryItem], message: str | None) -> None:
        self.gallery.set_timeline(self.search_bar.order == "date")
        self.model.set_items(items)
        self.gallery_panel.show_photos(bool(items) or self.controller.browse.showing != "folder")
        if message is not None:
            self.say(message)

    def show_results(self, items: list[GalleryItem], message: str) -> None:
        self.gallery.set_timeline(False)  # ranked, not dated
        self.model.set_items(items)
        if items:
            self.gallery_panel.show_photos()
            self.say(message)
        else:
            self.gallery_panel.show_nothing_found(message)

    def clear_search_box(self) -> None:
        self.search_bar.clear()

    def show_understood(self, chips: list[tuple[str, str, str]]) -> None:
        self.search_bar.chips.show_chips(chips)

    def show_gallery_view(self) -> None:
        self.side.show_no_cluster_chosen()
        self.views.setCurrentIndex(GALLERY_TAB)

    def _show_person_photos(self, person_id: int) -> None:
        self.side.show_no_cluster_chosen()
        self.controller.people.show_photos(person_id)
        self.views.setCurrentIndex(GALLERY_TAB)

    def show_folders(self, folders: list[FolderSummary]) -> None:
        self.side.show_folders(folders)

    def work_started(self, message: str, pausable: bool) -> None:
        self.status.work_started(message, pausable)
        self._refresh_timer.start()

    def work_progressed(self, done: int, total: int, text: str) -> None:
        self.status.work_progressed(done, total, text)

    def work_ended(self) -> None:
        self.downloads.finish()
        self._refresh_timer.stop()
        self.status.work_ended()

    def indexing_done(self, report: IndexReport | None) -> None:
        self.indexing_finished.emit(report)

    def search_done(self) -> None:
        self.search_finished.emit()

    def set_notices(self, notices: list[str]) -> None:
        self.status.set_notices(notices)

    def show_notices(self) -> QMessageBox:
        return window_dialogs.notices_box(self, self.status.notices)

    def show_skipped(self) -> None:
        """Load the list of skipped files (off the GUI thread), then show it."""
        self.controller.show_skipped()

    def show_skipped_files(self, failures: list[KnownFailure]) -> None:
        self.skipped_shown.emit(window_dialogs.skipped_box(self, failures))

    def show_error(self, error: BaseException) -> None:
        """Errors from background work: a message that does not block the app. The catalog
        failing mid-work reads as the command line says it (a damaged catalog, a full disk)."""
        library = self.controller.library
        if library is not None:
            error = readable_error(error, library.paths.catalog)
        if isinstance(error, UntrustedModelError):
            self.ask_model_choice(str(error))
            return
        if isinstance(error, UserError):
            self.say(str(error))
        window_dialogs.error_box(self, error)

    def tell(self, message: str) -> None:
        window_dialogs.information_box(self, message)

    def ask_model_missing(self, message: str) -> None:
        self.model_box = window_dialogs.model_missing_box(self, message, self.controller.use_model_folder)

    # --- what the person does -------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos")
        if folder:
            self.index_paths([Path(folder)])

    def index_paths(self, roots: list[Path]) -> None:
        self.controller.index_paths(roots)

    def refresh_gallery(self) -> None:
        self.controller.refresh_gallery()

    def paste_to_search(self) -> bool:
        return self.search_bar.paste_image()

    def find_similar(self, path: str) -> None:
        self.controller.searching.find_similar(path)

    def clear_search(self) -> None:
        self.controller.searching.clear_search()

    def _on_size_changed(self, *_args: object) -> None:
        self.gallery_panel.set_thumbnail_size(
            self.search_bar.size_slider.value(), self.search_bar.list_button.isChecked()
        )

    def _on_view_changed(self, index: int) -> None:
        if index == MAP_TAB and self.map_panel.make_map():
            self.controller.organise.map_wanted = True
            self.controller.organise.refresh_map()
        elif index == DUPLICATES_TAB:
            self.duplicates_actions.opened()
        elif index == PLACES_TAB:
            canvas = self.places_panel.map
            if not canvas.outlines_asked:
                canvas.outlines_asked = True
                self.tasks.run(country_paths, canvas.set_country_paths, self.show_error)
            self.controller.places.open()
        elif index == MEMORIES_TAB:
            self.controller.memories.open()

    def _on_map_clicked(self, image_id: int) -> None:
        """Select the clicked photo in the gallery (all photos, search cleared)."""
        self.views.setCurrentIndex(GALLERY_TAB)
        if self.controller.browse.showing != "all":
            self.side.show_all_photos_chosen()
        self.controller.organise.photo_on_map_chosen(image_id)
        self.gallery_panel.select_image(image_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        box = self.search_box
        parent = box.parentWidget()
        on_search_bar = parent is not None and box.geometry().contains(parent.mapFrom(self, event.position().toPoint()))
        if on_search_bar and len(paths) == 1 and paths[0].suffix.lower() in IMAGE_SUFFIXES:
            self.search_actions.search_by_image(paths[0])
        else:
            self.index_paths(paths)

    # --- models and settings ---------------------------------------------------------------------

    def ask_model_choice(self, message: str) -> QMessageBox:
        """The library names a hub repository or a folder as its model: used only if the person
        says so (remembered for next time). Asked once, however many tasks needed the model."""
        if self._model_question is not None and self._model_question.isVisible():
            return self._model_question
        question = ask_to_use_model(self, message, self.controller.answer_model_question)
        # The box deletes itself once answered: forget it then, never touch a deleted box.
        question.finished.connect(lambda _result: setattr(self, "_model_question", None))
        self._model_question = question
        return question

    def repeat_search(self) -> None:
        if self.search_bar.text:
            self.search_bar.request_search()

    def open_settings(self) -> SettingsDialog | None:
        return settings_actions.open_settings(self)

    def apply_settings(self, choice: SettingsChoice) -> None:
        settings_actions.apply_settings(self, choice)

    def closeEvent(self, event: QCloseEvent) -> None:
        save_window_state(self)
        # Gone from the screen at once: the reads under way are waited for below (at a million
        # photos the gallery's rows, the people and the folders: 6-7 s of a window that stayed
        # on screen, frozen, after it was closed).
        self.hide()
        self.controller.stop_work()  # before the workers are waited for
        self.tasks.shutdown()
        self.cache.shutdown()
        self.faces_cache.shutdown()
        self.controller.close()
        super().closeEvent(event)
