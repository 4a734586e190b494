"""The Memories view (Ctrl+7): on this day in earlier years ("3 years ago today") and the last
weeks' events, as cards; opening one shows its photos in the gallery."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.controller.browse_state import ClusterCard
from app.ui.cluster_view import ClusterKeyRole, ClusterModel, make_cluster_view
from app.ui.thumbnails import ThumbnailCache

NOTHING_TODAY = (
    "Nothing to remember today.\nPhotos taken on this day in earlier years, and the events of the last "
    "four weeks, show here."
)


class MemoriesPanel(QWidget):
    card_opened = Signal(int)

    def __init__(self, cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ClusterModel(cache, self, "open to see them")
        self.view = make_cluster_view(self.model, self)
        self.view.activated.connect(lambda index: self.card_opened.emit(index.data(ClusterKeyRole)))
        self.view.doubleClicked.connect(lambda index: self.card_opened.emit(index.data(ClusterKeyRole)))
        self.message = QLabel(NOTHING_TODAY, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    def show_cards(self, cards: list[ClusterCard]) -> None:
        self.model.set_cards(cards)
        self.pages.setCurrentIndex(1 if cards else 0)
