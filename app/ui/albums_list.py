"""ALBUMS in the side panel: each album with its photo count, sub-albums indented below their
parent. A click shows an album's photos; photos dragged from the gallery onto an album join it;
right-click adds or takes out the selected photos, makes an album inside, renames, deletes or
exports it; "+ New album" makes one (from the selected photos, when there are some), and
"+ Smart album from this search" keeps the search showing as an album that fills itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton, QVBoxLayout, QWidget

from app.controller.cards import AlbumCard
from app.ui.gallery import IMAGE_IDS_MIME

AlbumRole = Qt.ItemDataRole.UserRole


def dropped_ids(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[int]:
    """The image ids photos dragged from the gallery carry (none for anything else)."""
    data = event.mimeData()
    if not data.hasFormat(IMAGE_IDS_MIME):
        return []
    text = bytes(data.data(IMAGE_IDS_MIME).data()).decode(errors="replace")
    return [int(part) for part in text.split(",") if part.strip().isdigit()]


class _DropList(QListWidget):
    """The albums' list: photos dropped on an album row say so."""

    photos_dropped = Signal(str, list)  # album name, image ids

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_ids(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        if item is not None and dropped_ids(event) and not item.data(AlbumRole + 1):
            self.setCurrentItem(item)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        ids = dropped_ids(event)
        if item is None or not ids or item.data(AlbumRole + 1):
            event.ignore()
            return
        event.acceptProposedAction()
        self.photos_dropped.emit(item.data(AlbumRole), ids)


class AlbumsList(QWidget):
    album_chosen = Signal(str)
    photos_dropped = Signal(str, list)
    new_album_requested = Signal(str)  # the parent's name ("" for none)
    add_selected_requested = Signal(str)
    remove_selected_requested = Signal(str)
    rename_requested = Signal(str)
    delete_requested = Signal(str)
    export_requested = Signal(str)
    save_search_requested = Signal()
    order_requested = Signal(str, bool)  # album, by hand

    def __init__(self, has_selection: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_selection = has_selection
        self.list = _DropList()
        self.list.setObjectName("albums")
        self.list.itemClicked.connect(lambda item: self.album_chosen.emit(item.data(AlbumRole)))
        self.list.photos_dropped.connect(self.photos_dropped)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_menu)
        self.list.setToolTip("Click an album for its photos; drag photos onto one to add them; right-click for more")
        self.new_button = QPushButton("+ New album…", flat=True)
        self.new_button.clicked.connect(lambda: self.new_album_requested.emit(""))
        self.smart_button = QPushButton("+ Smart album from this search…", flat=True)
        self.smart_button.setToolTip("Keep the search showing as an album that fills itself each time it is shown")
        self.smart_button.clicked.connect(self.save_search_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("ALBUMS"))
        layout.addWidget(self.list)
        layout.addWidget(self.new_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.smart_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.show_albums([])

    def show_albums(self, cards: Sequence[AlbumCard]) -> None:
        chosen = self.list.currentItem().data(AlbumRole) if self.list.currentItem() is not None else None
        self.list.blockSignals(True)
        self.list.clear()
        for card in cards:
            item = QListWidgetItem(("    " * card.depth) + card.title + (" ⚙" if card.smart else ""))
            item.setData(AlbumRole, card.name)
            item.setData(AlbumRole + 1, card.smart)
            item.setData(AlbumRole + 2, card.by_hand)
            item.setToolTip(card.name + (" (a smart album: it fills itself from its search)" if card.smart else ""))
            self.list.addItem(item)
            if card.name == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.list.setVisible(bool(cards))
        row = max(18, self.list.sizeHintForRow(0))
        self.list.setFixedHeight(min(200, max(1, len(cards)) * row + 2 * self.list.frameWidth() + 4))

    def names(self) -> list[str]:
        return [self.list.item(row).data(AlbumRole) for row in range(self.list.count())]

    def menu_for(self, name: str, smart: bool = False, by_hand: bool = False) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Show its photos", lambda: self.album_chosen.emit(name))
        if not smart:
            order = menu.addAction("Ordered by hand", lambda: self.order_requested.emit(name, not by_hand))
            order.setCheckable(True)
            order.setChecked(by_hand)
            order.setToolTip("On: in the order photos were put or moved; off: by the date they were taken")
            add = menu.addAction("Add the selected photos", lambda: self.add_selected_requested.emit(name))
            remove = menu.addAction(
                "Take the selected photos out of it", lambda: self.remove_selected_requested.emit(name)
            )
            add.setEnabled(self._has_selection())
            remove.setEnabled(self._has_selection())
        menu.addAction("New album inside…", lambda: self.new_album_requested.emit(name))
        menu.addAction("Export…", lambda: self.export_requested.emit(name))
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.rename_requested.emit(name))
        menu.addAction("Delete…", lambda: self.delete_requested.emit(name))
        return menu

    def _on_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is not None:
            menu = self.menu_for(item.data(AlbumRole), bool(item.data(AlbumRole + 1)), bool(item.data(AlbumRole + 2)))
            menu.popup(self.list.mapToGlobal(pos))
