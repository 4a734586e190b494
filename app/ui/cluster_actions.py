"""What the window does for the clusters and events: choosing, opening and renaming a cluster
(side list or card), opening an event, and both strictness sliders (side panel and Clusters
view), wired to the `Organiser`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QTabWidget, QWidget

from app.controller.browse_state import ALL_PHOTOS
from app.controller.organise import Organiser
from app.ui.analysis_panels import ClustersPanel
from app.ui.side_panel import SidePanel

GALLERY_TAB = 0


class ClusterActions:
    def __init__(
        self,
        window: QWidget,
        organise: Organiser,
        side: SidePanel,
        panel: ClustersPanel,
        views: QTabWidget,
        show_photos: Callable[[], None],
    ) -> None:
        self.window = window
        self.organise = organise
        self.side = side
        self.panel = panel
        self.views = views
        self._show_photos = show_photos
        side.cluster_chosen.connect(self._on_cluster_chosen)
        side.folder_chosen.connect(self._on_folder_chosen)
        side.cluster_rename_requested.connect(self.ask_cluster_name)
        panel.cluster_opened.connect(self.open_cluster)
        panel.event_opened.connect(self.open_event)
        side.strictness_changed.connect(organise.set_strictness)
        panel.strictness_changed.connect(organise.set_strictness)

    def _on_cluster_chosen(self, key: int, text: str) -> None:
        self.organise.choose_cluster(key, text)
        if key != ALL_PHOTOS:
            self._show_photos()

    def open_cluster(self, key: int) -> None:
        """Show a cluster's photos in the gallery (as choosing it in the side panel does)."""
        self.side.choose_cluster(key)
        self.views.setCurrentIndex(GALLERY_TAB)

    def open_event(self, key: int) -> None:
        """Show an event's photos in the gallery; the search bar then searches within it."""
        self.side.show_no_cluster_chosen()
        self.organise.choose_event(key)
        self.views.setCurrentIndex(GALLERY_TAB)
        self._show_photos()

    def ask_cluster_name(self, key: int) -> None:
        cluster = self.organise.browse.clusters.get(key)
        if cluster is None:
            return
        name, ok = QInputDialog.getText(self.window, "Rename cluster", "Name:", text=cluster.name)
        if ok and name.strip():
            self.organise.rename_cluster(key, name)

    def _on_folder_chosen(self, root: str) -> None:
        """A folder of the LIBRARY panel: its photos in the gallery."""
        self.side.show_no_cluster_chosen()
        self.organise.choose_folder(root)
        self.views.setCurrentIndex(GALLERY_TAB)
