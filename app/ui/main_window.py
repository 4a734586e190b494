"""The main window: search bar, gallery, status bar with indexing progress; drop to index."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UntrustedModelError, UserError
from app.core.paths import display_path
from app.core.settings import Settings
from app.ui.cluster_view import ClusterKeyRole, ClusterModel, make_cluster_view
from app.ui.download_dialog import DownloadWatcher
from app.ui.file_urls import local_file_url
from app.ui.gallery import GalleryItem, GalleryModel, GalleryRows, make_gallery_view, plan_update, set_list_layout
from app.ui.model_question import ask_to_use_model
from app.ui.task_manager import TaskManager
from app.ui.thumbnails import ThumbnailCache
from app.ui.window_analysis import ALL_PHOTOS, CLUSTERS_TAB, MAP_TAB, AnalysisMixin
from app.ui.window_folders import FoldersMixin
from app.ui.window_indexing import IndexingMixin
from app.ui.window_search import IMAGE_SUFFIXES, SearchMixin

log = logging.getLogger(__name__)



class _ProgressRelay(QObject):
    """Carries progress from the indexing thread to the GUI thread (queued signal)."""

    progressed = Signal(object)


class MainWindow(SearchMixin, AnalysisMixin, FoldersMixin, IndexingMixin, QMainWindow):
    map_ready = Signal()
    folders_refreshed = Signal()
    clusters_refreshed = Signal()
    library_opened = Signal()
    gallery_refreshed = Signal()
    indexing_finished = Signal(object)
    search_finished = Signal()
    skipped_shown = Signal(object)  # the skipped-files box, once its list is loaded

    def __init__(self, library_dir: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Photo Organizer")
        self.setAcceptDrops(True)
        self.library = None
        self._library_dir = library_dir
        self.tasks = TaskManager(self)
        self.cache = ThumbnailCache(parent=self)
        self.model = GalleryModel(self.cache, self)
        self._stop_indexing: threading.Event | None = None
        self._pause_indexing = threading.Event()
        self._defer_regions = threading.Event()  # set when a folder waits behind the region pass
        self._last_roots: list[Path] = []
        self._last_image: Path | None = None
        self.threshold: float | None = None
        self.weights: dict[str, float] = {"image": 1.0, "object": 1.0, "text": 1.0}
        self._queued_roots: list[Path] = []
        self._showing_results = False
        self._search_sequence = 0  # only the newest search's results are shown
        self._gallery_loading = self._gallery_stale = False  # one gallery load at a time
        self._entries: Mapping[int, GalleryItem] = {}
        self._clusters: dict = {}
        self._cluster_result: dict = {}
        self._clusters_running = False
        self._noise_paths: set[str] = set()
        self.map = None  # the MapView, created on first visit (OpenGL)
        self._map_running = False
        self.downloads = DownloadWatcher(self)
        self._relay = _ProgressRelay()
        self._relay.progressed.connect(self._on_progress)
        self._refresh_timer = QTimer(self, interval=1500, timeout=self.refresh_gallery)
        self._search_timer = QTimer(self, singleShot=True, interval=350, timeout=self._run_search)
        self._build()
        self._restore_settings()
        self.tasks.run(self._open_library, self._on_library_opened, self._on_error)

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search_box = QLineEdit(placeholderText="Describe a photo, or drop one here …", clearButtonEnabled=True)
        self.search_box.textEdited.connect(lambda _t: self._search_timer.start())
        self.search_box.returnPressed.connect(self._run_search)
        self.image_button = QToolButton(text="Search by image…", toolTip="Find photos like an image file")
        self.image_button.clicked.connect(self._choose_query_image)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=50, maximumWidth=120,
                                        toolTip="Hide results scoring below this (0 shows everything)")
        self.threshold_slider.valueChanged.connect(self._on_threshold_changed)
        self.threshold_label = QLabel("threshold: off")
        self.weights_button = QToolButton(text="⚙", toolTip="How much whole photos, objects and text count")
        self.weights_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.weights_button.setMenu(self._weights_menu())
        self.sort_box = QComboBox(toolTip="Order of the gallery")
        self.sort_box.addItems(["Newest first", "By name"])
        self.sort_box.currentIndexChanged.connect(lambda _i: self.refresh_gallery())
        self.size_slider = QSlider(Qt.Orientation.Horizontal, minimum=64, maximum=256, value=160, maximumWidth=100,
                                   toolTip="Thumbnail size (Ctrl+wheel)")
        self.size_slider.valueChanged.connect(self._on_size_changed)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.image_button)
        top.addWidget(self.threshold_label)
        top.addWidget(self.threshold_slider)
        top.addWidget(self.weights_button)
        top.addWidget(self.sort_box)
        top.addWidget(self.size_slider)
        self.list_button = QToolButton(text="▤", checkable=True, toolTip="List with details (Ctrl+L); off: thumbnail grid")
        self.list_button.toggled.connect(lambda on: set_list_layout(self.gallery, on))
        top.addWidget(self.list_button)

        self.gallery = make_gallery_view(self.model, self)
        self.gallery.customContextMenuRequested.connect(self._on_context_menu)
        self.gallery.doubleClicked.connect(lambda index: self.open_viewer(index.row()))
        self.gallery.installEventFilter(self)
        self.gallery.viewport().installEventFilter(self)
        self.search_box.installEventFilter(self)

        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch()
        self.empty_label = QLabel("Drop a folder of photos here", alignment=Qt.AlignmentFlag.AlignCenter)
        font = self.empty_label.font()
        font.setPointSize(font.pointSize() + 6)
        self.empty_label.setFont(font)
        add = QPushButton("Add folder…")
        add.clicked.connect(self.choose_folder)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(add, alignment=Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch()
        self.no_results = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)

        self.pages = QStackedWidget()
        self.pages.addWidget(empty)  # 0
        self.pages.addWidget(self.gallery)  # 1
        self.pages.addWidget(self.no_results)  # 2

        self.cluster_list = QListWidget()
        self.cluster_list.setObjectName("clusters")
        self.cluster_list.currentItemChanged.connect(self._on_cluster_chosen)
        self.cluster_list.itemDoubleClicked.connect(self._on_cluster_double_clicked)
        self.cluster_list.setToolTip("Double-click a cluster to rename it")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.folder_list = self._make_folder_list()
        add_folder = QPushButton("+ Add folder…", flat=True)
        add_folder.clicked.connect(self.choose_folder)
        side_layout.addWidget(QLabel("LIBRARY"))
        side_layout.addWidget(self.folder_list)
        side_layout.addWidget(add_folder, alignment=Qt.AlignmentFlag.AlignLeft)
        side_layout.addWidget(QLabel("CLUSTERS"))
        side_layout.addWidget(self.cluster_list, 1)
        self.cluster_model = ClusterModel(self.cache, self)
        self.cluster_view = make_cluster_view(self.cluster_model, self)
        self.cluster_view.activated.connect(lambda index: self.open_cluster(index.data(ClusterKeyRole)))
        self.cluster_view.doubleClicked.connect(lambda index: self.open_cluster(index.data(ClusterKeyRole)))
        self.cluster_pages = QStackedWidget()
        self.cluster_pages.addWidget(QLabel("Groups of similar photos appear here once a few photos are indexed.",
                                            alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True))  # 0
        self.cluster_pages.addWidget(self.cluster_view)  # 1
        self.views = QTabWidget()
        self.views.addTab(self.pages, "Gallery")
        self.views.addTab(self.cluster_pages, "Clusters")
        self._map_holder = QWidget()
        QVBoxLayout(self._map_holder).setContentsMargins(0, 0, 0, 0)
        self.views.addTab(self._map_holder, "3D Map")
        self.views.currentChanged.connect(self._on_view_changed)
        self.splitter = QSplitter()
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 880])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel("Opening library…")
        self.progress = QProgressBar(maximumWidth=220, visible=False)
        self.cancel_button = QPushButton("Cancel", visible=False)
        self.cancel_button.clicked.connect(self.cancel_indexing)
        self.pause_button = QPushButton("Pause", visible=False, checkable=True)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.skipped_button = QPushButton(flat=True, visible=False)
        self.skipped_button.clicked.connect(self.show_skipped)
        self.notice_button = QPushButton(flat=True, visible=False)  # e.g. detector weights missing
        self.notice_button.clicked.connect(self.show_notices)
        self._notices: list[str] = []
        self._model_question: QMessageBox | None = None
        self.read_only_label = QLabel(visible=False)  # a library on read-only media or someone else's folder
        self.read_only_label.setObjectName("readOnly")
        bar = self.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.read_only_label)
        bar.addPermanentWidget(self.notice_button)
        bar.addPermanentWidget(self.skipped_button)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.pause_button)
        bar.addPermanentWidget(self.cancel_button)

        file_menu = self.menuBar().addMenu("&File")
        add_action = QAction("&Add folder…", self, shortcut=QKeySequence("Ctrl+O"), triggered=self.choose_folder)
        file_menu.addAction(add_action)
        self._writing_actions = [add_action]
        file_menu.addAction(QAction("&Settings…", self, shortcut=QKeySequence("Ctrl+,"), triggered=self.open_settings))
        file_menu.addSeparator()
        file_menu.addAction(QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close))
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(QAction("&Find", self, shortcut=QKeySequence("Ctrl+F"), triggered=self._focus_search))
        edit_menu.addAction(QAction("&Paste image to search", self, shortcut=QKeySequence.StandardKey.Paste,
                                    triggered=self.paste_to_search))
        edit_menu.addAction(QAction("Select &all", self, shortcut=QKeySequence.StandardKey.SelectAll, triggered=self.gallery.selectAll))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(QAction("&Gallery", self, shortcut=QKeySequence("Ctrl+1"), triggered=lambda: self.views.setCurrentIndex(0)))
        view_menu.addAction(QAction("&List with details", self, shortcut=QKeySequence("Ctrl+L"), triggered=self.list_button.toggle))
        view_menu.addAction(QAction("&Clusters", self, shortcut=QKeySequence("Ctrl+2"), triggered=lambda: self.views.setCurrentIndex(CLUSTERS_TAB)))
        view_menu.addAction(QAction("3D &Map", self, shortcut=QKeySequence("Ctrl+3"), triggered=lambda: self.views.setCurrentIndex(MAP_TAB)))
        library_menu = self.menuBar().addMenu("&Library")
        library_menu.addAction(QAction("&Skipped files…", self, triggered=self.show_skipped))
        self.addAction(QAction(self, shortcut=QKeySequence(Qt.Key.Key_Escape), triggered=self.clear_search))

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- library ------------------------------------------------------------------------------

    def _open_library(self):  # type: ignore[no-untyped-def]
        """Runs on a worker: opening reconciles vectors, and whether a run was interrupted takes
        the writer lock and reads the catalog."""
        from app.library import Library

        library = self.downloads.attach(Library(self._library_dir))
        try:
            interrupted = library.interrupted_roots()
            # A root on a drive that is not mounted stays interrupted; looking costs a stat each.
            present = [root for root in interrupted if root.exists()] if interrupted else []
            return library, interrupted, present
        except BaseException:
            library.close()
            raise

    def open_settings(self):  # type: ignore[no-untyped-def]
        from app.ui.settings_dialog import SettingsDialog

        if self.library is None:
            return None
        spec = self.library.spec
        dialog = SettingsDialog(spec.name, spec.pretrained or "", self.library.device, self.library.root, self.cache.capacity, self)
        current = Settings.from_env()
        dialog.set_regions(current.detect_objects, current.read_text)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.choice()))
        dialog.open()
        return dialog

    def apply_settings(self, choice) -> None:  # type: ignore[no-untyped-def]
        from app.ml.spec import ModelSpec

        self.cache.capacity = choice.cache_size
        from app.ui.settings_dialog import save_region_choice

        if save_region_choice(choice.detect_objects, choice.read_text) and self.library is not None:
            self.find_regions()
        if choice.library and Path(choice.library) != (self.library.root if self.library else None):
            QSettings().setValue("library/path", choice.library)
            self.status_label.setText(f"The library at {choice.library} opens from the next start")
        if self.library is None or not choice.model:
            return
        wanted = ModelSpec.parse(choice.model, choice.pretrained or None)
        if wanted.key == self.library.spec.key and choice.device == self.library.device:
            return
        self.switch_model(wanted, choice.device)

    def switch_model(self, spec, device: str) -> None:  # type: ignore[no-untyped-def]
        """Re-embed the library with another model in the background; search keeps working on
        the old vectors until the switch completes (it resumes if the app is closed)."""
        from app.library import Library

        if self._stop_indexing is not None:
            QMessageBox.information(self, "Photo Organizer", "Finish or cancel indexing before switching models.")
            return
        old = self.library
        assert old is not None
        root = old.root
        stop = self._begin_background_work(f"Switching to {spec.key}: re-embedding from thumbnails…", pausable=False)

        def op():  # type: ignore[no-untyped-def]
            switched = self.downloads.attach(Library(root, model=spec, device=device))
            try:  # no folders: only the switch (re-embedding from thumbnails)
                return switched, switched.index([], progress=self._relay.progressed.emit, should_stop=stop.is_set)
            except BaseException:
                switched.close()
                raise

        def done(result) -> None:  # type: ignore[no-untyped-def]
            switched, report = result
            if report.cancelled:
                switched.close()
                self.status_label.setText("Model switch stopped; it resumes when you choose the model again")
            else:
                old.close()
                self.library = switched
                self.status_label.setText(f"Now using {spec.key} ({report.reembedded} regions re-embedded)")
            self._indexing_done()
            self.indexing_finished.emit(report)

        self.tasks.run(op, done, self._on_index_error)

    def _on_library_opened(self, opened) -> None:  # type: ignore[no-untyped-def]
        library, interrupted, present = opened
        self.library = library
        self.status_label.setText(f"Library: {library.root}")
        if library.read_only:
            self.setWindowTitle("Photo Organizer — read-only library")
            self.read_only_label.setText("Read-only library: search and browse; nothing can be added or changed")
            self.read_only_label.setVisible(True)
            for action in self._writing_actions:
                action.setEnabled(False)
        self.refresh_gallery()
        self.refresh_clusters()
        self.refresh_folders()
        if 0 < getattr(self, "_restored_view", 0) < self.views.count():
            self.views.setCurrentIndex(self._restored_view)
        self.library_opened.emit()
        self._resume_interrupted(interrupted, present)
        if self._queued_roots:
            roots, self._queued_roots = self._queued_roots, []
            self.index_paths(roots)

    def _resume_interrupted(self, interrupted: list[Path] | None, present: list[Path]) -> None:
        """Indexing that a crash or kill cut short continues by itself when the library opens."""
        if interrupted is None:
            return
        if present:
            self._queued_roots = present + self._queued_roots
            self.status_label.setText("Resuming the indexing that was interrupted…")
        elif not interrupted and not self._queued_roots:
            self.find_regions()

    def refresh_gallery(self) -> None:
        if self.library is None or self._showing_results:
            return
        if self._gallery_loading:
            self._gallery_stale = True  # one more load once this one is shown, planned against it
            return
        self._gallery_loading, self._gallery_stale = True, False
        library = self.library
        order = "name" if self.sort_box.currentIndex() == 1 else "date"
        chosen = self.cluster_list.currentItem()
        whole = chosen is None or chosen.data(Qt.ItemDataRole.UserRole) == ALL_PHOTOS
        base = self.model.snapshot()

        def load():  # type: ignore[no-untyped-def]
            # Rows, lookups and the insertions to make are all built here, off the GUI thread.
            rows = [(image_id, path, thumb, None, None, None) for image_id, path, thumb, _when in library.gallery(order)]
            update = plan_update(base, rows) if whole else None
            return rows, GalleryRows(rows), update, library.failure_count()

        self.tasks.run(load, self._on_gallery_loaded, self._on_gallery_error)

    def _on_gallery_error(self, error: BaseException) -> None:
        self._gallery_loading = False
        self._on_error(error)

    def _on_gallery_loaded(self, loaded) -> None:  # type: ignore[no-untyped-def]
        self._gallery_loading = False
        if self._gallery_stale:
            QTimer.singleShot(0, self.refresh_gallery)
        items, entries, update, failures = loaded
        if self._showing_results:
            return
        self.cache.clear_missing()
        self._entries = entries
        if self._cluster_result:
            self._show_cluster_cards(self._cluster_result)  # covers come from the gallery's entries
        chosen = self.cluster_list.currentItem()
        if chosen is not None and chosen.data(Qt.ItemDataRole.UserRole) != ALL_PHOTOS:
            self.model.set_items(self._cluster_items(chosen.data(Qt.ItemDataRole.UserRole)))
        elif update is not None:
            self.model.apply_update(update)
        else:
            self.model.set_items(items)
        self.pages.setCurrentIndex(1 if items else 0)
        self.skipped_button.setText(f"{failures} files skipped")
        self.skipped_button.setVisible(failures > 0)
        self.gallery_refreshed.emit()

    # --- context menu -------------------------------------------------------------------------

    def _selected_items(self) -> list[GalleryItem]:
        rows = sorted(i.row() for i in self.gallery.selectionModel().selectedIndexes())
        return [item for item in (self.model.item(r) for r in rows) if item is not None]

    def _on_context_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        index = self.gallery.indexAt(pos)
        if not index.isValid():
            return
        if not self.gallery.selectionModel().isSelected(index):
            self.gallery.setCurrentIndex(index)
        menu = self.context_menu_for(self.model.item(index.row()))
        menu.exec(self.gallery.viewport().mapToGlobal(pos))

    def context_menu_for(self, item: GalleryItem | None) -> QMenu:
        menu = QMenu(self)
        if item is None:
            return menu
        menu.addAction("Find similar", lambda: self.find_similar(item.path))
        menu.addAction("Open", lambda: self._open_path(item.path))
        menu.addAction("Show in folder", lambda: self._open_path(os.path.dirname(item.path)))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(display_path(item.path)))
        menu.addSeparator()
        menu.addAction("Remove from library", self.remove_selected)
        return menu

    def open_viewer(self, row: int):  # type: ignore[no-untyped-def]
        """The large view of a photo, with its regions and details; arrows walk the list."""
        from app.ui.viewer import PhotoViewer

        if self.library is None or self.model.item(row) is None:
            return None
        items = [item for item in (self.model.item(r) for r in range(self.model.rowCount())) if item is not None]
        viewer = PhotoViewer(self.library, items, row, self.tasks, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress and event.matches(QKeySequence.StandardKey.Paste):
            mime = QGuiApplication.clipboard().mimeData()
            if mime is not None and (mime.hasImage() or mime.hasUrls()) and self.paste_to_search():
                return True
        if (
            watched is self.gallery.viewport()
            and event.type() == QEvent.Type.Wheel
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            step = 16 if event.angleDelta().y() > 0 else -16
            self.size_slider.setValue(self.size_slider.value() + step)
            return True
        if watched is self.gallery and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space:
            current = self.gallery.currentIndex()
            if current.isValid():
                self.open_viewer(current.row())
                return True
        return super().eventFilter(watched, event)

    def _open_path(self, path: str) -> None:
        QDesktopServices.openUrl(local_file_url(path))

    def say_read_only(self, what: str) -> None:
        self.status_label.setText(f"{what}: this library is read-only (read-only media or a shared folder)")

    def refuse_while_indexing(self, what: str) -> bool:
        """Writers exclude each other: while indexing runs, removing waits for it (said so)."""
        if self.library is not None and self.library.read_only:
            self.say_read_only(what)
            return True
        if self._stop_indexing is None:
            return False
        message = f"{what} once indexing finishes (or cancel it first): only one change to the library at a time."
        self.status_label.setText(message)
        box = QMessageBox(QMessageBox.Icon.Information, "Photo Organizer", message, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return True

    def remove_selected(self) -> None:
        items = self._selected_items()
        if not items or self.library is None or self.refuse_while_indexing("Photos can be removed"):
            return
        library = self.library
        ids = [i.image_id for i in items]
        self.tasks.run(lambda: library.remove_images(ids), lambda n: self._after_remove(n, ids), self._on_error)

    def _after_remove(self, count: int, ids: list[int]) -> None:
        self.status_label.setText(f"Removed {count} photos from the library (the files are untouched)")
        if self._showing_results:
            remaining = [self.model.item(r) for r in range(self.model.rowCount())]
            self.model.set_items([i for i in remaining if i is not None and i.image_id not in ids])
        else:
            self.refresh_gallery()

    # --- drag and drop ------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        on_search_bar = self.search_box.geometry().contains(self.search_box.parentWidget().mapFrom(self, event.position().toPoint()))
        if on_search_bar and len(paths) == 1 and paths[0].suffix.lower() in IMAGE_SUFFIXES:
            self.search_by_image(paths[0])
        else:
            self.index_paths(paths)

    # --- errors and settings --------------------------------------------------------------------

    def _on_error(self, error: BaseException) -> None:
        """Errors from background work: a message that does not block the app."""
        if isinstance(error, UntrustedModelError):
            self.ask_model_choice(str(error))
            return
        if isinstance(error, UserError):
            self.status_label.setText(str(error))
            box = QMessageBox(QMessageBox.Icon.Warning, "Photo Organizer", str(error), QMessageBox.StandardButton.Ok, self)
        else:
            log.error("unexpected error", exc_info=error)
            box = QMessageBox(QMessageBox.Icon.Critical, "Photo Organizer", f"Something went wrong: {error}",
                              QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def ask_model_choice(self, message: str) -> QMessageBox:
        """The library names a hub repository or a folder as its model: used only if the person
        says so (remembered for next time). Asked once, however many tasks needed the model."""
        if self._model_question is not None and self._model_question.isVisible():
            return self._model_question

        def answered(yes: bool) -> None:
            if not yes or self.library is None:
                self.status_label.setText("Search by words needs the library's model; photos can still be browsed")
                return
            from app.ml.model_choice import remember_choice

            spec = self.library.spec
            self.tasks.run(lambda: remember_choice(spec), lambda _r: self._on_model_chosen(spec.key), self._on_error)

        self._model_question = ask_to_use_model(self, message, answered)
        return self._model_question

    def _on_model_chosen(self, key: str) -> None:
        self.status_label.setText(f"Using {key}, as you chose")
        self.refresh_clusters()  # their names come from the model too
        if self.search_box.text().strip():
            self._run_search()

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 750)
        splitter = settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self._restored_view = int(settings.value("window/view", 0) or 0)
        self.size_slider.setValue(int(settings.value("gallery/size", 160) or 160))
        self.list_button.setChecked(settings.value("gallery/list", False, type=bool))
        self.cache.capacity = int(settings.value("gallery/cache", self.cache.capacity) or self.cache.capacity)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        QSettings().setValue("window/geometry", self.saveGeometry())
        QSettings().setValue("window/splitter", self.splitter.saveState())
        QSettings().setValue("window/view", self.views.currentIndex())
        QSettings().setValue("gallery/size", self.size_slider.value())
        QSettings().setValue("gallery/list", self.list_button.isChecked())
        QSettings().setValue("gallery/cache", self.cache.capacity)
        if self._stop_indexing is not None:
            self._stop_indexing.set()
        self.tasks.shutdown()
        self.cache.shutdown()
        if self.library is not None:
            self.library.close()
        super().closeEvent(event)
