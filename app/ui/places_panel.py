"""The Places view (Ctrl+6): the map and, beside it, Country › Region › City with counts. A
place chosen in the list brings the map to it; double-clicking it (or Enter) shows its photos,
as clicking a marker does. When places are hidden (Settings), only a line saying so shows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.controller.place_markers import PlaceMarkers
from app.controller.place_tree import PlaceNode
from app.ui.places_map import PlacesMap

NO_PLACES = (
    "Photos taken with GPS appear here on a map, by country, region and city.\n"
    "Photos without GPS taken in the same event get the place of those with it (estimated)."
)
HIDDEN = "Places are hidden (Settings › Places shows them again)."
HINT = "Drag to move, wheel to zoom, click a marker for its photos · double-click a place in the list for its photos"
NodeRole = Qt.ItemDataRole.UserRole


class PlacesPanel(QWidget):
    place_opened = Signal(object)  # a PlaceNode
    marker_opened = Signal(int, int)  # zoom level, marker

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map = PlacesMap()
        self.map.marker_clicked.connect(self.marker_opened)
        self.map.hover_left.connect(QToolTip.hideText)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Place", "Photos"])
        self.list.setUniformRowHeights(True)
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.list.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(False)
        self.list.currentItemChanged.connect(self._on_current)
        self.list.itemActivated.connect(lambda item, _column: self.place_opened.emit(item.data(0, NodeRole)))
        self.list.setMinimumWidth(220)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.map)
        self.splitter.addWidget(self.list)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([700, 260])
        self.message = QLabel(NO_PLACES, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)  # 0
        self.pages.addWidget(self.splitter)  # 1
        self.summary = QLabel(HINT)
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.summary)
        self.tree: tuple[PlaceNode, ...] = ()

    def show_places(self, tree: tuple[PlaceNode, ...], markers: PlaceMarkers) -> None:
        """The map and the list; a photo with GPS but no place name (the open sea) is on the
        map only, an estimated place in the list only."""
        if len(markers) == 0 and not tree:
            self._show_message(NO_PLACES)
            self.map.set_markers(markers)
            return
        self.pages.setCurrentIndex(1)
        self.summary.show()
        estimated = sum(node.estimated for node in tree)
        said = f"{len(markers):,} photos with GPS" + (f", {estimated:,} placed by their events" if estimated else "")
        self.summary.setText(f"{said} · {HINT}")
        if tree != self.tree:
            self._fill_list(tree)
        self.map.set_markers(markers)

    def show_hidden(self) -> None:
        self._show_message(HIDDEN)
        QToolTip.hideText()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentIndex(0)
        self.summary.hide()

    def show_marker_tip(self, label: str, at: QPoint) -> None:
        QToolTip.showText(at, label, self.map)

    def _fill_list(self, tree: tuple[PlaceNode, ...]) -> None:
        """The list again, keeping which places were open and which was chosen."""
        opened = {self._path(item) for item in self._items() if item.isExpanded()}
        current = self.list.currentItem()
        chosen = self._path(current) if current is not None else None
        self.tree = tree
        self.list.blockSignals(True)
        self.list.clear()

        def add(parent: QTreeWidget | QTreeWidgetItem, node: PlaceNode) -> None:
            item = QTreeWidgetItem(parent, [node.name, f"{node.count:,}"])
            item.setData(0, NodeRole, node)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if node.estimated:
                item.setToolTip(0, f"{node.estimated:,} of these photos have no GPS: their place is estimated")
                item.setToolTip(1, f"{node.estimated:,} estimated")
            for child in node.children:
                add(item, child)

        for node in tree:
            add(self.list, node)
        for item in self._items():
            path = self._path(item)
            item.setExpanded(path in opened or len(tree) == 1 and item.parent() is None)
            if path == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        stack = [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is not None:
                found.append(item)
                stack.extend(item.child(i) for i in range(item.childCount()))
        return found

    @staticmethod
    def _path(item: QTreeWidgetItem) -> tuple[str, ...]:
        names = []
        at: QTreeWidgetItem | None = item
        while at is not None:
            names.append(at.text(0))
            at = at.parent()
        return tuple(reversed(names))

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        """A place chosen in the list: the map shows where its photos are (estimated ones
        have no position of their own; a place of only those leaves the map as it is)."""
        if item is None:
            return
        node: PlaceNode = item.data(0, NodeRole)
        box = self.map.markers.bounds(np.asarray(node.image_ids, np.int64))
        if box is not None:
            self.map.fit(box)
