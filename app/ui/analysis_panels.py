"""The Clusters tab (a card per group, or what is happening while there are none) and the 3D
Map tab (made on first visit: it needs OpenGL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.controller.browse_state import ClusterCard
from app.ui.cluster_view import EVENT_HINT, ClusterKeyRole, ClusterModel, make_cluster_view
from app.ui.settling_slider import SettlingSlider
from app.ui.thumbnails import ThumbnailCache

if TYPE_CHECKING:
    import numpy as np

    from app.controller.map_layout import MapLayout
    from app.ui.map_view import MapView

NO_CLUSTERS = "Groups of similar photos appear here once a few photos are indexed."
COMPUTING = "Grouping similar photos… (the app stays usable)"
NO_EVENTS = "Events appear here once photos are indexed: photos taken close together, by date."
STRICTNESS_TIP = (
    "Looser: bigger groups of broadly similar photos · Stricter: small groups of near-identical ones "
    "(the middle is the radius chosen from this library)"
)


class ClustersPanel(QWidget):
    """Groups of photos, two ways: similar photos (DBSCAN, with the strictness slider) or
    events (dates); a card per group, or what is happening while there are none."""

    cluster_opened = Signal(int)
    event_opened = Signal(int)
    strictness_changed = Signal(float)

    def __init__(self, cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ClusterModel(cache, self)
        self.view = make_cluster_view(self.model, self)
        self.event_model = ClusterModel(cache, self, EVENT_HINT, topics_below=True)
        self.event_view = make_cluster_view(self.event_model, self)
        for view, opened in ((self.view, self.cluster_opened), (self.event_view, self.event_opened)):
            view.activated.connect(lambda index, o=opened: o.emit(index.data(ClusterKeyRole)))
            view.doubleClicked.connect(lambda index, o=opened: o.emit(index.data(ClusterKeyRole)))
        self.message = QLabel(NO_CLUSTERS, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)  # 0
        self.pages.addWidget(self.view)  # 1
        self.pages.addWidget(self.event_view)  # 2

        self.by_similarity, self.by_events = QToolButton(), QToolButton()
        for button, text in ((self.by_similarity, "Similar photos"), (self.by_events, "Events")):
            button.setText(text)
            button.setCheckable(True)
        self.by_similarity.setChecked(True)
        self.by_events.setToolTip("Photos taken close together, split where what they show changes")
        grouping = QButtonGroup(self)
        grouping.setExclusive(True)
        for button in (self.by_similarity, self.by_events):
            grouping.addButton(button)
            button.toggled.connect(self._on_grouping)
        self.strictness = SettlingSlider("looser", "stricter", STRICTNESS_TIP)
        self.strictness.settled.connect(self.strictness_changed)
        self.summary = QLabel()
        self._cluster_summary = ""
        bar = QHBoxLayout()
        bar.addWidget(self.by_similarity)
        bar.addWidget(self.by_events)
        bar.addSpacing(16)
        bar.addWidget(self.strictness)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)

    @property
    def grouping(self) -> str:
        return "events" if self.by_events.isChecked() else "similar"

    def currentIndex(self) -> int:  # noqa: N802 (as QStackedWidget's: the page showing)
        return self.pages.currentIndex()

    def show_cards(self, cards: list[ClusterCard]) -> None:
        self.model.set_cards(cards)
        if self.grouping == "similar":
            self._show_page()

    def show_summary(self, text: str) -> None:
        self._cluster_summary = text
        if self.grouping == "similar":
            self.summary.setText(text)

    def show_events(self, cards: list[ClusterCard]) -> None:
        self.event_model.set_cards(cards)
        if self.grouping == "events":
            self._show_page()

    def show_computing(self) -> None:
        if not self.model.rowCount():
            self.message.setText(COMPUTING)
            self.pages.setCurrentIndex(0)

    def _on_grouping(self, checked: bool) -> None:
        if checked:
            self.strictness.setVisible(self.grouping == "similar")
            self._show_page()

    def _show_page(self) -> None:
        events = self.grouping == "events"
        model = self.event_model if events else self.model
        self.summary.setText(f"{model.rowCount()} events" if events else self._cluster_summary)
        self.message.setText(NO_EVENTS if events else NO_CLUSTERS)
        self.pages.setCurrentIndex((2 if events else 1) if model.rowCount() else 0)


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
        if self.map is not None and not len(self.map.image_ids):
            self.map.status.setText("Computing the 3D map… (the app stays usable)")

    def show_points(self, layout: MapLayout, groups: np.ndarray, names: dict[int, str]) -> None:
        if self.map is not None:
            self.map.set_points(layout, groups, names)

    def show_names(self, names: dict[int, str]) -> None:
        if self.map is not None and len(self.map.image_ids):
            self.map.set_names(names)
