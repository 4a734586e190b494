"""NAMES in the side panel: the names taught to the library, each with its photo count. A click
searches for the name; right-click shows the photos it was taught from, adds the selected photos
as more examples, renames or forgets it. Also the question "Teach a name…" asks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QLabel, QListWidget, QListWidgetItem, QMenu, QVBoxLayout, QWidget

from app.controller.cards import NameCard

NameRole = Qt.ItemDataRole.UserRole
EMPTY_HINT = "Select photos, right-click, Teach a name…"


class NamesList(QWidget):
    search_requested = Signal(str)
    photos_requested = Signal(str)
    add_selected_requested = Signal(str)
    rename_requested = Signal(str)
    forget_requested = Signal(str)

    def __init__(self, has_selection: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_selection = has_selection
        self.list = QListWidget()
        self.list.setObjectName("names")
        self.list.itemClicked.connect(self._on_clicked)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_menu)
        self.list.setToolTip("Click a name to search for it; right-click for more")
        self.hint = QLabel(EMPTY_HINT)
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)  # drawn in the disabled colour: a hint, not content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("NAMES"))
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        self.show_names([])

    def show_names(self, cards: Sequence[NameCard]) -> None:
        self.list.clear()
        for card in cards:
            item = QListWidgetItem(card.title)
            item.setData(NameRole, card.name)
            if card.gathering:
                item.setToolTip("Not taught yet: teach more photos with this name")
            self.list.addItem(item)
        self.hint.setVisible(not cards)
        self.list.setVisible(bool(cards))
        row = max(18, self.list.sizeHintForRow(0))
        self.list.setFixedHeight(min(180, max(1, len(cards)) * row + 2 * self.list.frameWidth() + 4))

    def names(self) -> list[str]:
        return [self.list.item(row).data(NameRole) for row in range(self.list.count())]

    def menu_for(self, name: str) -> QMenu:
        menu = QMenu(self)
        menu.addAction(f"Search for {name}", lambda: self.search_requested.emit(name))
        menu.addAction("Show the photos it was taught from", lambda: self.photos_requested.emit(name))
        add = menu.addAction("Add the selected photos as examples", lambda: self.add_selected_requested.emit(name))
        add.setEnabled(self._has_selection())
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.rename_requested.emit(name))
        menu.addAction("Forget…", lambda: self.forget_requested.emit(name))
        return menu

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.search_requested.emit(item.data(NameRole))

    def _on_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is not None:
            self.menu_for(item.data(NameRole)).popup(self.list.mapToGlobal(pos))


def ask_name_to_teach(parent: QWidget, known: Sequence[str], what: str) -> str | None:
    """ "Teach a name…": a new name, or one taught before to give `what` to as more examples."""
    name, ok = QInputDialog.getItem(
        parent,
        "Teach a name",
        f"Teach a name from {what}.\nType a new name (Rex, the cabin, grandma's quilt),\n"
        "or choose one to add these as more examples:",
        ["", *known],
        0,
        True,
    )
    name = " ".join(name.split())
    return name if ok and name else None
