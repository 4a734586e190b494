"""The Gallery tab: "Drop a folder of photos here" while the library is empty, the grid (or
list) of photos, or a line saying a search found nothing. Right-click, double-click, Space and
Ctrl+wheel, and the keys that mark photos (0-5, F, X, T) are forwarded as signals."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from app.controller.gallery_rows import GalleryItem
from app.ui.date_scrubber import DateScrubber
from app.ui.gallery import GalleryModel, make_gallery_view
from app.ui.thumbnails import ThumbnailCache

EMPTY_PAGE, GALLERY_PAGE, NO_RESULTS_PAGE = 0, 1, 2
MARK_KEYS = frozenset("012345FXT")  # stars, favourite, reject, tag (as digiKam and Lightroom)


class GalleryPanel(QStackedWidget):
    add_folder_requested = Signal()
    open_requested = Signal(int)  # row
    context_menu_requested = Signal(object, QPoint)  # the item under the pointer, global position
    zoom_requested = Signal(int)  # thumbnail size step (Ctrl+wheel)
    key_typed = Signal(str)  # a key that may mark the selected photos (0-5, F, X, T)

    def __init__(self, cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = GalleryModel(cache, self)
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch()
        self.empty_label = QLabel("Drop a folder of photos here", alignment=Qt.AlignmentFlag.AlignCenter)
        font = self.empty_label.font()
        font.setPointSize(font.pointSize() + 6)
        self.empty_label.setFont(font)
        add = QPushButton("Add folder…")
        add.clicked.connect(self.add_folder_requested)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(add, alignment=Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch()
        self.view = make_gallery_view(self.model, self)
        self.scrubber = DateScrubber()
        self.scrubber.scrolled.connect(self.view.scroll_to_content)
        self.view.laid_out.connect(self._show_months)
        self.view.verticalScrollBar().valueChanged.connect(self.scrubber.show_position)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.doubleClicked.connect(lambda index: self.open_requested.emit(index.row()))
        self.view.installEventFilter(self)
        self.view.viewport().installEventFilter(self)
        self.no_results = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.addWidget(empty)
        page = QWidget()
        page_layout = QHBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.view, 1)
        page_layout.addWidget(self.scrubber)
        self.scrubber.hide()
        self.addWidget(page)
        self.addWidget(self.no_results)

    def show_photos(self, any_photos: bool = True) -> None:
        self.setCurrentIndex(GALLERY_PAGE if any_photos else EMPTY_PAGE)

    def _show_months(self) -> None:
        """The scrubber shows the timeline's months, while it is taller than the window."""
        layout = self.view.timeline_layout()
        months = layout.months()
        self.scrubber.show_months(months, layout.height)
        self.scrubber.setVisible(len(months) > 1 and layout.height > self.view.viewport().height())

    def show_nothing_found(self, message: str) -> None:
        self.no_results.setText(message)
        self.setCurrentIndex(NO_RESULTS_PAGE)

    def set_thumbnail_size(self, size: int, list_mode: bool) -> None:
        self.view.setIconSize(QSize(size, size))
        self.view.set_list_mode(list_mode)

    def items(self) -> list[GalleryItem]:
        return [item for item in (self.model.item(r) for r in range(self.model.rowCount())) if item is not None]

    def selected_items(self) -> list[GalleryItem]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [item for item in (self.model.item(r) for r in rows) if item is not None]

    def select_image(self, image_id: int) -> None:
        row = self.model.row_of(image_id)
        if row is not None:
            index = self.model.index(row)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def _on_context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        self.context_menu_requested.emit(self.model.item(index.row()), self.view.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and isinstance(event, QWheelEvent) and event.type() == QEvent.Type.Wheel:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.zoom_requested.emit(16 if event.angleDelta().y() > 0 else -16)
                return True
        if watched is self.view and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            current = self.view.currentIndex()
            if event.key() == Qt.Key.Key_Space and current.isValid():
                self.open_requested.emit(current.row())
                return True
            plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
            text = event.text().upper()
            if plain and len(text) == 1 and text in MARK_KEYS:
                self.key_typed.emit(text)
                return True
        return super().eventFilter(watched, event)
