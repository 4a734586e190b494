"""The main window: search bar, gallery, status bar with indexing progress; drop to index."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.ui.gallery import GalleryItem, GalleryModel, make_gallery_view
from app.ui.task_manager import TaskManager
from app.ui.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".heif"}


class _ProgressRelay(QObject):
    """Carries progress from the indexing thread to the GUI thread (queued signal)."""

    progressed = Signal(object)


ALL_PHOTOS = -2
NOT_GROUPED = -1


class MainWindow(QMainWindow):
    map_ready = Signal()
    clusters_refreshed = Signal()
    library_opened = Signal()
    gallery_refreshed = Signal()
    indexing_finished = Signal(object)
    search_finished = Signal()

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
        self._queued_roots: list[Path] = []
        self._showing_results = False
        self._entries: dict[int, GalleryItem] = {}
        self._clusters: dict = {}
        self._clusters_running = False
        self._noise_paths: set[str] = set()
        self.map = None  # the MapView, created on first visit (OpenGL)
        self._map_running = False
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
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.image_button)

        self.gallery = make_gallery_view(self.model, self)
        self.gallery.customContextMenuRequested.connect(self._on_context_menu)
        self.gallery.doubleClicked.connect(lambda index: self.open_viewer(index.row()))
        self.gallery.installEventFilter(self)

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
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("CLUSTERS"))
        side_layout.addWidget(self.cluster_list, 1)
        self.views = QTabWidget()
        self.views.addTab(self.pages, "Gallery")
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
        self.skipped_button = QPushButton(flat=True, visible=False)
        self.skipped_button.clicked.connect(self.show_skipped)
        bar = self.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.skipped_button)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

        file_menu = self.menuBar().addMenu("&File")
        add_action = QAction("&Add folder…", self, shortcut=QKeySequence("Ctrl+O"), triggered=self.choose_folder)
        file_menu.addAction(add_action)
        file_menu.addSeparator()
        file_menu.addAction(QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close))
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(QAction("&Find", self, shortcut=QKeySequence("Ctrl+F"), triggered=self._focus_search))
        edit_menu.addAction(QAction("Select &all", self, shortcut=QKeySequence.StandardKey.SelectAll, triggered=self.gallery.selectAll))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(QAction("&Gallery", self, shortcut=QKeySequence("Ctrl+1"), triggered=lambda: self.views.setCurrentIndex(0)))
        view_menu.addAction(QAction("3D &Map", self, shortcut=QKeySequence("Ctrl+2"), triggered=lambda: self.views.setCurrentIndex(1)))
        library_menu = self.menuBar().addMenu("&Library")
        library_menu.addAction(QAction("&Skipped files…", self, triggered=self.show_skipped))
        self.addAction(QAction(self, shortcut=QKeySequence(Qt.Key.Key_Escape), triggered=self.clear_search))

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- library ------------------------------------------------------------------------------

    def _open_library(self):  # type: ignore[no-untyped-def]
        from app.library import Library

        return Library(self._library_dir)

    def _on_library_opened(self, library) -> None:  # type: ignore[no-untyped-def]
        self.library = library
        self.status_label.setText(f"Library: {library.root}")
        self.refresh_gallery()
        self.refresh_clusters()
        self.library_opened.emit()
        if self._queued_roots:
            roots, self._queued_roots = self._queued_roots, []
            self.index_paths(roots)

    def refresh_gallery(self) -> None:
        if self.library is None or self._showing_results:
            return
        library = self.library
        self.tasks.run(lambda: (library.gallery(), library.status()["failures"]), self._on_gallery_loaded, self._on_error)

    def _on_gallery_loaded(self, loaded) -> None:  # type: ignore[no-untyped-def]
        entries, failures = loaded
        if self._showing_results:
            return
        self.cache.clear_missing()
        items = [GalleryItem(e.image_id, e.path, e.thumbnail) for e in entries]
        self._entries = {item.image_id: item for item in items}
        chosen = self.cluster_list.currentItem()
        if chosen is not None and chosen.data(Qt.ItemDataRole.UserRole) != ALL_PHOTOS:
            items = self._cluster_items(chosen.data(Qt.ItemDataRole.UserRole))
        self.model.set_items(items)
        self.pages.setCurrentIndex(1 if entries else 0)
        self.skipped_button.setText(f"{failures} files skipped")
        self.skipped_button.setVisible(failures > 0)
        self.gallery_refreshed.emit()

    # --- indexing -----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos")
        if folder:
            self.index_paths([Path(folder)])

    def index_paths(self, roots: list[Path]) -> None:
        if self.library is None:
            self._queued_roots += roots
            return
        if self._stop_indexing is not None:
            self._queued_roots += roots
            self.status_label.setText("Queued: indexing will continue with the dropped folders")
            return
        library = self.library
        stop = threading.Event()
        self._stop_indexing = stop
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status_label.setText(f"Indexing {', '.join(str(r) for r in roots)} …")
        self._refresh_timer.start()
        self.tasks.run(
            lambda: library.index(roots, progress=self._relay.progressed.emit, should_stop=stop.is_set),
            self._on_indexed,
            self._on_index_error,
        )

    def cancel_indexing(self) -> None:
        if self._stop_indexing is not None:
            self._stop_indexing.set()
            self.status_label.setText("Stopping… (what is done is kept)")

    def _on_progress(self, p) -> None:  # type: ignore[no-untyped-def]
        if p.phase == "scanning":
            self.status_label.setText(f"Looking for photos… {p.done} found")
            return
        self.progress.setRange(0, max(1, p.total))
        self.progress.setValue(p.done)
        eta = ""
        if p.eta_seconds:
            eta = f" · {p.eta_seconds / 60:.0f} min left" if p.eta_seconds > 90 else f" · {p.eta_seconds:.0f} s left"
        device = self.library.embedder.device.upper() if self.library is not None and self.library.embedder.loaded else ""
        self.status_label.setText(f"Indexing {p.done:,} / {p.total:,} · {p.rate:.1f} img/s{eta}  {device}")

    def _indexing_done(self) -> None:
        self._stop_indexing = None
        self._refresh_timer.stop()
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.refresh_gallery()
        self.refresh_clusters()
        if self.map is not None:
            self.refresh_map()
        if self._queued_roots:
            roots, self._queued_roots = self._queued_roots, []
            self.index_paths(roots)

    def _on_indexed(self, report) -> None:  # type: ignore[no-untyped-def]
        verb = "Stopped" if report.cancelled else "Done"
        self.status_label.setText(
            f"{verb}: {report.new} new, {report.moved} moved, {report.removed} removed, {report.failed} skipped"
        )
        self._indexing_done()
        self.indexing_finished.emit(report)

    def _on_index_error(self, error: BaseException) -> None:
        self._indexing_done()
        self._on_error(error)
        self.indexing_finished.emit(None)

    # --- clusters -----------------------------------------------------------------------------

    def refresh_clusters(self) -> None:
        """Recompute the clusters in the background when the library changed (cached otherwise)."""
        if self.library is None or self._clusters_running:
            return
        library = self.library
        if library.store is None or library.store.ntotal == 0:
            self._show_clusters({})
            return
        self._clusters_running = True

        def op() -> dict:
            from app.analysis.clustering import ClusterParams
            from app.analysis.service import clusters

            return clusters(library, ClusterParams())

        def done(result: dict) -> None:
            self._clusters_running = False
            self._show_clusters(result)

        def failed(error: BaseException) -> None:
            self._clusters_running = False
            self._on_error(error)

        self.tasks.run(op, done, failed)

    def _show_clusters(self, result: dict) -> None:
        self._clusters = {c["id"]: c for c in result.get("clusters", [])}
        chosen = self.cluster_list.currentItem()
        keep = chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else ALL_PHOTOS
        self.cluster_list.blockSignals(True)
        self.cluster_list.clear()
        total = sum(c["size"] for c in self._clusters.values()) + result.get("noise", 0)
        rows = [(ALL_PHOTOS, f"All photos ({total})")]
        rows += [(c["id"], f"{c['name']} ({c['size']})") for c in result.get("clusters", [])]
        if result.get("noise"):
            rows.append((NOT_GROUPED, f"Not grouped ({result['noise']})"))
        self._noise_paths = set(result.get("noise_paths", []))
        for key, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.cluster_list.addItem(item)
            if key == keep:
                self.cluster_list.setCurrentItem(item)
        self.cluster_list.blockSignals(False)
        self.clusters_refreshed.emit()

    def _cluster_items(self, key: int) -> list[GalleryItem]:
        if key == NOT_GROUPED:
            return [item for item in self._entries.values() if item.path in self._noise_paths]
        cluster = self._clusters.get(key)
        if cluster is None:
            return list(self._entries.values())
        return [self._entries[i] for i in cluster["image_ids"] if i in self._entries]

    def _on_cluster_chosen(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        key = current.data(Qt.ItemDataRole.UserRole)
        if self._showing_results:
            self._showing_results = False
            self.search_box.clear()
        if key == ALL_PHOTOS:
            self.refresh_gallery()
            return
        self.model.set_items(self._cluster_items(key))
        self.pages.setCurrentIndex(1)
        self.status_label.setText(current.text())

    # --- 3D map -------------------------------------------------------------------------------

    def show_map(self) -> None:
        self.views.setCurrentIndex(1)

    def _on_view_changed(self, index: int) -> None:
        if index == 1 and self.map is None:
            from app.ui.map_view import MapView

            self.map = MapView()
            self.map.photo_clicked.connect(self._on_map_clicked)
            self._map_holder.layout().addWidget(self.map)
            self.refresh_map()

    def refresh_map(self) -> None:
        """Load (or recompute, when the library changed) the 3D map in the background."""
        if self.library is None or self.map is None or self._map_running:
            return
        library = self.library
        if library.store is None or library.store.ntotal == 0:
            return
        self._map_running = True
        self.map.status.setText("Computing the 3D map… (the app stays usable)")

        def op() -> tuple[dict, dict[int, str]]:
            from app.analysis.service import projection

            result = projection(library)
            thumbs = {e.image_id: str(e.thumbnail) for e in library.gallery()}
            return result, thumbs

        def done(loaded: tuple[dict, dict[int, str]]) -> None:
            self._map_running = False
            result, thumbs = loaded
            names = {key: c["name"] for key, c in self._clusters.items()}
            assert self.map is not None
            self.map.set_points(result["points"], thumbs, names)
            self.map_ready.emit()

        def failed(error: BaseException) -> None:
            self._map_running = False
            self._on_error(error)

        self.tasks.run(op, done, failed)

    def _on_map_clicked(self, image_id: int) -> None:
        """Select the clicked photo in the gallery (all photos, search cleared)."""
        self.views.setCurrentIndex(0)
        if self._showing_results or (self.cluster_list.currentRow() > 0):
            self._showing_results = False
            self.search_box.clear()
            self.cluster_list.setCurrentRow(0)
            self.model.set_items(list(self._entries.values()))
        row = self.model.row_of(image_id)
        if row is not None:
            index = self.model.index(row)
            self.gallery.setCurrentIndex(index)
            self.gallery.scrollTo(index)

    # --- search -------------------------------------------------------------------------------

    def _run_search(self, image: Path | None = None) -> None:
        text = self.search_box.text().strip()
        if self.library is None:
            return
        if not text and image is None:
            self.clear_search()
            return
        library = self.library
        self.status_label.setText("Searching…" if library.embedder.loaded else "Loading the model…")
        self.tasks.run(lambda: library.search(text or None, image, top_k=200), self._show_results, self._on_search_error)

    def search_by_image(self, path: Path) -> None:
        self._run_search(image=path)

    def find_similar(self, path: str) -> None:
        if self.library is None:
            return
        library = self.library
        self.tasks.run(lambda: library.similar(path, top_k=200), self._show_results, self._on_search_error)

    def _show_results(self, hits) -> None:  # type: ignore[no-untyped-def]
        self._showing_results = True
        assert self.library is not None
        paths = self.library.paths
        items = []
        for hit in hits:
            thumb = self.library.thumbnail_for(hit.image_id) or paths.thumbnails
            items.append(GalleryItem(hit.image_id, hit.path, thumb, hit.score, hit.region.bbox, hit.why))
        self.model.set_items(items)
        if items:
            self.pages.setCurrentIndex(1)
            self.status_label.setText(f"{len(items)} photos, best first · Esc shows all photos")
        else:
            self.no_results.setText("No matching photos. Try other words, or lower the threshold.")
            self.pages.setCurrentIndex(2)
        self.search_finished.emit()

    def _on_search_error(self, error: BaseException) -> None:
        self._on_error(error)
        self.search_finished.emit()

    def clear_search(self) -> None:
        self.search_box.clear()
        if self._showing_results:
            self._showing_results = False
            self.refresh_gallery()

    def _choose_query_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Search by image", "", "Images (*.jpg *.jpeg *.png *.webp *.bmp *.gif *.tif *.tiff)")
        if path:
            self.search_by_image(Path(path))

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
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(item.path))
        menu.addSeparator()
        menu.addAction("Remove from library", self.remove_selected)
        return menu

    def open_viewer(self, row: int):  # type: ignore[no-untyped-def]
        """The large view of a photo, with its regions and details; arrows walk the list."""
        from app.ui.viewer import PhotoViewer

        if self.library is None or self.model.item(row) is None:
            return None
        items = [item for item in (self.model.item(r) for r in range(self.model.rowCount())) if item is not None]
        viewer = PhotoViewer(self.library, items, row, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QEvent

        if watched is self.gallery and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space:
            current = self.gallery.currentIndex()
            if current.isValid():
                self.open_viewer(current.row())
                return True
        return super().eventFilter(watched, event)

    def _open_path(self, path: str) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def remove_selected(self) -> None:
        items = self._selected_items()
        if not items or self.library is None:
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

    def show_skipped(self) -> None:
        if self.library is None:
            return
        failures = self.library.failures()
        text = "\n".join(f"{f['path']}: {f['error']}" for f in failures[:500]) or "No files were skipped."
        box = QMessageBox(QMessageBox.Icon.Information, "Skipped files", f"{len(failures)} files could not be read.", parent=self)
        box.setDetailedText(text)
        box.open()

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
        if isinstance(error, UserError):
            self.status_label.setText(str(error))
            QMessageBox.warning(self, "Photo Organizer", str(error))
        else:
            log.error("unexpected error", exc_info=error)
            QMessageBox.critical(self, "Photo Organizer", f"Something went wrong: {error}")

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

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        QSettings().setValue("window/geometry", self.saveGeometry())
        QSettings().setValue("window/splitter", self.splitter.saveState())
        if self._stop_indexing is not None:
            self._stop_indexing.set()
        self.tasks.shutdown()
        self.cache.shutdown()
        if self.library is not None:
            self.library.close()
        super().closeEvent(event)
