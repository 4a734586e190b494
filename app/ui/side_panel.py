"""The side panel: LIBRARY (the folders added, with their photo counts; right-click refreshes,
opens or removes one), ALBUMS (`AlbumsList`), CLUSTERS (all photos, each group, the photos in
none) and NAMES (the names taught to the library, `NamesList`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton, QVBoxLayout, QWidget

from app.catalog.records import FolderSummary
from app.ui.albums_list import AlbumsList
from app.ui.names_list import NamesList
from app.ui.settling_slider import SettlingSlider

STRICTNESS_TIP = "How alike photos must be to share a cluster (the middle is chosen from this library)"

KeyRole = Qt.ItemDataRole.UserRole


class SidePanel(QWidget):
    add_folder_requested = Signal()
    folder_chosen = Signal(str)
    folder_refresh_requested = Signal(str)
    folder_open_requested = Signal(str)
    folder_remove_requested = Signal(str)
    cluster_chosen = Signal(int, str)  # key, the row's text
    cluster_rename_requested = Signal(int)
    strictness_changed = Signal(float)
    folders_shown = Signal()

    def __init__(self, has_selection: Callable[[], bool] = lambda: False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = NamesList(has_selection)
        self.albums = AlbumsList(has_selection)
        self.folder_list = QListWidget()
        self.folder_list.setObjectName("folders")
        self.folder_list.setFixedHeight(28)  # grows with the folders (up to 160 px), see show_folders
        self.folder_list.itemClicked.connect(lambda item: self.folder_chosen.emit(item.data(KeyRole)))
        self.folder_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.folder_list.customContextMenuRequested.connect(self._on_folder_menu)
        add_folder = QPushButton("+ Add folder…", flat=True)
        add_folder.clicked.connect(self.add_folder_requested)
        self.cluster_list = QListWidget()
        self.cluster_list.setObjectName("clusters")
        self.cluster_list.setUniformItemSizes(True)  # a million photos' 57,000 clusters list in 10 ms, not 0.4 s
        self._cluster_keys: list[int] = []  # each row's cluster
        self.cluster_list.currentItemChanged.connect(self._on_cluster_changed)
        self.cluster_list.itemDoubleClicked.connect(lambda item: self.cluster_rename_requested.emit(self._key_of(item)))
        self.cluster_list.setToolTip("Double-click a cluster to rename it")
        self.strictness = SettlingSlider("looser", "stricter", STRICTNESS_TIP, width=100)
        self.strictness.settled.connect(self.strictness_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("LIBRARY"))
        layout.addWidget(self.folder_list)
        layout.addWidget(add_folder, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.albums)
        layout.addWidget(QLabel("CLUSTERS"))
        layout.addWidget(self.strictness)
        layout.addWidget(self.cluster_list, 1)
        layout.addWidget(self.names)

    # --- folders ------------------------------------------------------------------------------

    def show_folders(self, folders: list[FolderSummary]) -> None:
        self.folder_list.clear()
        for folder in folders:
            missing = "" if folder.exists else " · missing"
            item = QListWidgetItem(f"{Path(folder.path).name or folder.path} ({folder.photos}){missing}")
            item.setToolTip(folder.path if folder.exists else f"{folder.path}\nnot found: unplugged drive, or moved?")
            item.setData(KeyRole, folder.path)
            self.folder_list.addItem(item)
        row = max(18, self.folder_list.sizeHintForRow(0))
        frame = 2 * self.folder_list.frameWidth()
        self.folder_list.setFixedHeight(min(160, max(1, self.folder_list.count()) * row + frame + 4))
        self.folders_shown.emit()

    def folder_menu(self, root: str) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Refresh (look for new and changed photos)", lambda: self.folder_refresh_requested.emit(root))
        menu.addAction("Show in file manager", lambda: self.folder_open_requested.emit(root))
        menu.addSeparator()
        menu.addAction("Remove from library…", lambda: self.folder_remove_requested.emit(root))
        return menu

    def _on_folder_menu(self, pos: QPoint) -> None:
        item = self.folder_list.itemAt(pos)
        if item is not None:
            self.folder_menu(item.data(KeyRole)).popup(self.folder_list.mapToGlobal(pos))

    # --- clusters -----------------------------------------------------------------------------

    def show_clusters(self, rows: list[tuple[int, str]], current: int) -> None:
        """The list's rows (key, text), `current` chosen, without announcing it as a choice."""
        self.cluster_list.blockSignals(True)
        self.cluster_list.clear()
        self._cluster_keys = [key for key, _text in rows]
        self.cluster_list.addItems([text for _key, text in rows])
        if current in self._cluster_keys:
            self.cluster_list.setCurrentRow(self._cluster_keys.index(current))
        self.cluster_list.blockSignals(False)

    def _key_of(self, item: QListWidgetItem) -> int:
        return self._cluster_keys[self.cluster_list.row(item)]

    def set_cluster_text(self, key: int, text: str) -> None:
        if key in self._cluster_keys:
            self.cluster_list.item(self._cluster_keys.index(key)).setText(text)

    def choose_cluster(self, key: int) -> None:
        """Choose a row (as a click does: announced)."""
        if key in self._cluster_keys:
            self.cluster_list.setCurrentRow(self._cluster_keys.index(key))

    def show_no_cluster_chosen(self) -> None:
        self.cluster_list.blockSignals(True)
        self.cluster_list.setCurrentRow(-1)
        self.cluster_list.blockSignals(False)

    def show_all_photos_chosen(self) -> None:
        self.cluster_list.blockSignals(True)
        self.cluster_list.setCurrentRow(0)
        self.cluster_list.blockSignals(False)

    def cluster_text(self, key: int) -> str:
        return self.cluster_list.item(self._cluster_keys.index(key)).text() if key in self._cluster_keys else ""

    def _on_cluster_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.cluster_chosen.emit(self._key_of(current), current.text())
