"""What the main window shows of the views beside the gallery (clusters, the 3D map, people,
duplicates, names, memories, albums, places): the part of `WindowView` the controller calls to
redraw them. Mixed into `MainWindow`, which makes the panels and the signals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.window_menus import GALLERY_TAB, MAP_TAB, MEMORIES_TAB

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QTabWidget

    from app.controller.browse_state import ClusterCard
    from app.controller.cards import AlbumCard, DuplicateCard, FaceCard, NameCard, PersonCard
    from app.controller.map_layout import MapLayout
    from app.controller.place_markers import PlaceMarkers
    from app.controller.place_tree import PlaceNode
    from app.ui.analysis_panels import ClustersPanel, MapPanel
    from app.ui.duplicates_panel import DuplicatesPanel
    from app.ui.memories_panel import MemoriesPanel
    from app.ui.people_panel import PeoplePanel
    from app.ui.places_panel import PlacesPanel
    from app.ui.search_bar import SearchBar
    from app.ui.side_panel import SidePanel


class WindowViews:
    side: SidePanel
    search_bar: SearchBar
    views: QTabWidget
    clusters_panel: ClustersPanel
    map_panel: MapPanel
    people_panel: PeoplePanel
    duplicates_panel: DuplicatesPanel
    places_panel: PlacesPanel
    memories_panel: MemoriesPanel
    clusters_refreshed: SignalInstance
    map_ready: SignalInstance
    people_refreshed: SignalInstance
    duplicates_shown: SignalInstance
    names_refreshed: SignalInstance
    person_opened: SignalInstance
    memories_shown: SignalInstance
    albums_shown: SignalInstance
    places_shown: SignalInstance

    def show_clusters(self, rows: list[tuple[int, str]], cards: list[ClusterCard], current: int) -> None:
        self.side.show_clusters(rows, current)
        self.clusters_panel.show_cards(cards)
        self.clusters_refreshed.emit()

    def show_cluster_summary(self, text: str) -> None:
        self.clusters_panel.show_summary(text)

    def show_strictness(self, strictness: float) -> None:
        self.side.strictness.show_value(strictness)
        self.clusters_panel.strictness.show_value(strictness)

    def show_events(self, cards: list[ClusterCard]) -> None:
        self.clusters_panel.show_events(cards)

    def show_clusters_computing(self) -> None:
        self.clusters_panel.show_computing()

    def show_cluster_name(self, key: int, text: str) -> None:
        self.side.set_cluster_text(key, text)

    def show_map(self) -> None:
        self.views.setCurrentIndex(MAP_TAB)

    def show_map_points(self, layout: MapLayout, groups: np.ndarray, names: dict[int, str]) -> None:
        self.map_panel.show_points(layout, groups, names)
        self.map_ready.emit()

    def show_people(self, cards: list[PersonCard], hidden: int) -> None:
        self.people_panel.show_cards(cards, hidden)
        self.people_refreshed.emit()

    def show_duplicates(self, cards: list[DuplicateCard], current: int) -> None:
        self.duplicates_panel.show_cards(cards, current)
        self.duplicates_shown.emit()

    def show_duplicates_computing(self) -> None:
        self.duplicates_panel.show_computing()

    def show_names(self, cards: list[NameCard]) -> None:
        self.side.names.show_names(cards)
        self.names_refreshed.emit()

    def show_person_faces(self, person_id: int | None, faces: list[FaceCard]) -> None:
        self.people_panel.show_faces(person_id, faces)
        self.person_opened.emit()

    def show_memories(self, cards: list[ClusterCard]) -> None:
        self.memories_panel.show_cards(cards)
        self.memories_shown.emit()

    def offer_memories(self) -> None:
        """Photos were taken on this day in earlier years: the window opens on them, unless the
        person already went elsewhere or typed a search."""
        if self.views.currentIndex() == GALLERY_TAB and not self.search_bar.text:
            self.views.setCurrentIndex(MEMORIES_TAB)

    def show_albums(self, cards: list[AlbumCard]) -> None:
        self.side.albums.show_albums(cards)
        self.albums_shown.emit()

    def show_places(self, tree: tuple[PlaceNode, ...], markers: PlaceMarkers) -> None:
        self.places_panel.show_places(tree, markers)
        self.places_shown.emit()

    def show_places_hidden(self) -> None:
        self.places_panel.show_hidden()
        self.places_shown.emit()

    def show_map_names(self, names: dict[int, str]) -> None:
        self.map_panel.show_names(names)

    def show_map_computing(self) -> None:
        self.map_panel.show_computing()
