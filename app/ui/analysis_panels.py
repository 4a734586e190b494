"""The Clusters tab (a card per group, or what is happening while there are none) and the 3D
Map tab (made on first visit: it needs OpenGL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.analysis.results import MapPoints
from app.controller.browse_state import ClusterCard
from app.ui.cluster_view import ClusterKeyRole, ClusterModel, make_cluster_view
from app.ui.thumbnails import ThumbnailCache

if TYPE_CHECKING:
    from app.ui.map_view import MapView

NO_CLUSTERS = "Groups of similar photos appear here once a few photos are indexed."
COMPUTING = "Grouping similar photos… (the app stays usable)"


class ClustersPanel(QStackedWidget):
    cluster_opened = Signal(int)

    def __init__(self, cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ClusterModel(cache, self)
        self.view = make_cluster_view(self.model, self)
        self.view.activated.connect(lambda index: self.cluster_opened.emit(index.data(ClusterKeyRole)))
        self.view.doubleClicked.connect(lambda index: self.cluster_opened.emit(index.data(ClusterKeyRole)))
        self.message = QLabel(NO_CLUSTERS, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.addWidget(self.message)  # 0
        self.addWidget(self.view)  # 1

    def show_cards(self, cards: list[ClusterCard]) -> None:
        self.model.set_cards(cards)
        self.message.setText(NO_CLUSTERS)
        self.setCurrentIndex(1 if cards else 0)

    def show_computing(self) -> None:
        if not self.model.rowCount():
            self.message.setText(COMPUTING)
            self.setCurrentIndex(0)


class MapPanel(QWidget):
    photo_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)
        self.map: MapView | None = None  # made on first visit

    def make_map(self) -> bool:
        """Make the map view (first visit); False if it exists already."""
        if self.map is not None:
            return False
        from app.ui.map_view import MapView

        made = MapView()
        made.photo_clicked.connect(self.photo_clicked)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(made)
        self.map = made
        return True

    def show_computing(self) -> None:
        if self.map is not None and not self.map.image_ids:
            self.map.status.setText("Computing the 3D map… (the app stays usable)")

    def show_points(self, points: MapPoints, thumbnails: dict[int, str], names: dict[int, str]) -> None:
        if self.map is not None:
            self.map.set_points(points.points, thumbnails, names)

    def show_names(self, names: dict[int, str]) -> None:
        if self.map is not None and self.map.image_ids:
            self.map.set_names(names)
