"""The window's clusters panel and 3D map: both computed in the background, refreshed when
the library changes. A mixin of `MainWindow`, split out to keep modules small."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem

from app.ui.cluster_view import ClusterCard
from app.ui.gallery import GalleryItem

ALL_PHOTOS = -2
NOT_GROUPED = -1
GALLERY_TAB, CLUSTERS_TAB, MAP_TAB = 0, 1, 2


class AnalysisMixin:
    """Expects the attributes MainWindow sets up (library, tasks, model, cluster_list, views…)."""

    # --- clusters -----------------------------------------------------------------------------

    def refresh_clusters(self) -> None:
        """Recompute the clusters in the background when the library changed (cached otherwise)."""
        if self.library is None or self._clusters_running:
            return
        library = self.library
        if library.store is None or library.store.ntotal == 0:
            self._show_clusters({})
            return
        self._clusters_running = True

        def op() -> dict:
            from app.analysis.clustering import ClusterParams
            from app.analysis.library_analysis import clusters

            return clusters(library, ClusterParams())

        def done(result: dict) -> None:
            self._clusters_running = False
            self._show_clusters(result)

        def failed(error: BaseException) -> None:
            self._clusters_running = False
            self._on_error(error)

        self.tasks.run(op, done, failed)

    def _show_clusters(self, result: dict) -> None:
        self._cluster_result = result
        self._clusters = {c["id"]: c for c in result.get("clusters", [])}
        chosen = self.cluster_list.currentItem()
        keep = chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else ALL_PHOTOS
        self.cluster_list.blockSignals(True)
        self.cluster_list.clear()
        total = sum(c["size"] for c in self._clusters.values()) + result.get("noise", 0)
        rows = [(ALL_PHOTOS, f"All photos ({total})")]
        rows += [(c["id"], f"{c['name']} ({c['size']})") for c in result.get("clusters", [])]
        if result.get("noise"):
            rows.append((NOT_GROUPED, f"Not grouped ({result['noise']})"))
        self._noise_paths = set(result.get("noise_paths", []))
        for key, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.cluster_list.addItem(item)
            if key == keep:
                self.cluster_list.setCurrentItem(item)
        self.cluster_list.blockSignals(False)
        self._show_cluster_cards(result)
        self.clusters_refreshed.emit()

    def _show_cluster_cards(self, result: dict) -> None:
        cards = []
        for c in result.get("clusters", []):
            cover = next((self._entries[i] for i in c["image_ids"] if i in self._entries), None)
            cards.append(ClusterCard(c["id"], c["name"], c["size"], cover.image_id if cover else None, cover.thumbnail if cover else None))
        if result.get("noise"):
            cover = next((e for e in self._entries.values() if e.path in self._noise_paths), None)
            cards.append(ClusterCard(NOT_GROUPED, "Not grouped", result["noise"], cover.image_id if cover else None, cover.thumbnail if cover else None))
        self.cluster_model.set_cards(cards)
        self.cluster_pages.setCurrentIndex(1 if cards else 0)

    def open_cluster(self, key: int) -> None:
        """Show a cluster's photos in the gallery (as choosing it in the side panel does)."""
        for row in range(self.cluster_list.count()):
            if self.cluster_list.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.cluster_list.setCurrentRow(row)
                break
        self.views.setCurrentIndex(GALLERY_TAB)

    def rename_cluster(self, key: int, name: str) -> None:
        """Give a cluster a person's name; it survives recomputation (kept with its members)."""
        cluster = self._clusters.get(key)
        if cluster is None or self.library is None:
            return
        from app.analysis.library_analysis import rename_cluster

        rename_cluster(self.library, cluster["image_ids"], name)
        cluster["name"] = " ".join(name.split()) or cluster["name"]
        for row in range(self.cluster_list.count()):
            item = self.cluster_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setText(f"{cluster['name']} ({cluster['size']})")

    def _on_cluster_double_clicked(self, item: QListWidgetItem) -> None:
        from PySide6.QtWidgets import QInputDialog

        key = item.data(Qt.ItemDataRole.UserRole)
        cluster = self._clusters.get(key)
        if cluster is None:
            return
        name, ok = QInputDialog.getText(self, "Rename cluster", "Name:", text=cluster["name"])
        if ok and name.strip():
            self.rename_cluster(key, name)

    def _cluster_items(self, key: int) -> list[GalleryItem]:
        if key == NOT_GROUPED:
            return [item for item in self._entries.values() if item.path in self._noise_paths]
        cluster = self._clusters.get(key)
        if cluster is None:
            return list(self._entries.values())
        return [self._entries[i] for i in cluster["image_ids"] if i in self._entries]

    def _on_cluster_chosen(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        key = current.data(Qt.ItemDataRole.UserRole)
        if self._showing_results:
            self._showing_results = False
            self.search_box.clear()
        if key == ALL_PHOTOS:
            self.refresh_gallery()
            return
        self.model.set_items(self._cluster_items(key))
        self.pages.setCurrentIndex(1)
        self.status_label.setText(current.text())

    # --- 3D map -------------------------------------------------------------------------------

    def show_map(self) -> None:
        self.views.setCurrentIndex(MAP_TAB)

    def _on_view_changed(self, index: int) -> None:
        if index == MAP_TAB and self.map is None:
            from app.ui.map_view import MapView

            self.map = MapView()
            self.map.photo_clicked.connect(self._on_map_clicked)
            self._map_holder.layout().addWidget(self.map)
            self.refresh_map()

    def refresh_map(self) -> None:
        """Load (or recompute, when the library changed) the 3D map in the background."""
        if self.library is None or self.map is None or self._map_running:
            return
        library = self.library
        if library.store is None or library.store.ntotal == 0:
            return
        self._map_running = True
        self.map.status.setText("Computing the 3D map… (the app stays usable)")

        def op() -> tuple[dict, dict[int, str]]:
            from app.analysis.library_analysis import projection

            result = projection(library)
            thumbs = {image_id: thumb for image_id, _path, thumb, _when in library.gallery()}
            return result, thumbs

        def done(loaded: tuple[dict, dict[int, str]]) -> None:
            self._map_running = False
            result, thumbs = loaded
            names = {key: c["name"] for key, c in self._clusters.items()}
            assert self.map is not None
            self.map.set_points(result["points"], thumbs, names)
            self.map_ready.emit()

        def failed(error: BaseException) -> None:
            self._map_running = False
            self._on_error(error)

        self.tasks.run(op, done, failed)

    def _on_map_clicked(self, image_id: int) -> None:
        """Select the clicked photo in the gallery (all photos, search cleared)."""
        self.views.setCurrentIndex(GALLERY_TAB)
        if self._showing_results or (self.cluster_list.currentRow() > 0):
            self._showing_results = False
            self.search_box.clear()
            self.cluster_list.setCurrentRow(0)
            self.model.set_items(list(self._entries.values()))
        row = self.model.row_of(image_id)
        if row is not None:
            index = self.model.index(row)
            self.gallery.setCurrentIndex(index)
            self.gallery.scrollTo(index)
