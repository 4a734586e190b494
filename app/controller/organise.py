"""The window's organising views without Qt: the clusters (side list and cards, choosing and
renaming one), the library's folders, and the 3D map, each computed in the background and
shown through the `WindowView`."""

from __future__ import annotations

from collections.abc import Callable

from app.analysis.results import Clustering, MapPoints
from app.controller.browse_state import ALL_PHOTOS
from app.controller.window_part import WindowPart, WindowParts


class Organiser(WindowPart):
    def __init__(self, parts: WindowParts, refresh_gallery: Callable[[], None]) -> None:
        super().__init__(parts)
        self._refresh_gallery = refresh_gallery
        self.clusters_running = False
        self.map_wanted = False  # the map view exists (it is made on first visit: OpenGL)
        self._map_running = False

    def refresh_clusters(self) -> None:
        """Recompute the clusters in the background when the library changed (cached otherwise)."""
        library = self._library()
        if library is None or self.clusters_running:
            return
        if library.store is None or library.store.ntotal == 0:
            self.browse.set_clustering(None)
            self.show_clusters()
            return
        self.clusters_running = True
        if self.browse.clustering is None:
            self.view.show_clusters_computing()

        def op() -> Clustering:
            from app.analysis.clustering import ClusterParams
            from app.analysis.library_analysis import AnalysisInputs, clusters

            return clusters(AnalysisInputs.of(library), ClusterParams())

        def done(result: Clustering) -> None:
            self.clusters_running = False
            self.browse.set_clustering(result)
            self.show_clusters()
            self.view.show_map_names(self.browse.cluster_names())

        def failed(error: BaseException) -> None:
            self.clusters_running = False
            self.view.show_error(error)

        self.tasks.run(op, done, failed)

    def show_clusters(self) -> None:
        current = self.browse.cluster_key if self.browse.showing == "cluster" else ALL_PHOTOS
        self.view.show_clusters(self.browse.cluster_rows(), self.browse.cluster_cards(), current)

    def choose_cluster(self, key: int, label: str) -> None:
        if self.browse.showing_results:
            self.view.clear_search_box()
        self.browse.searches.drop_running()
        items = self.browse.choose_cluster(key)
        if items is None:
            self._refresh_gallery()
        else:
            self.view.show_items(items, label)

    def rename_cluster(self, key: int, name: str) -> None:
        """Give a cluster a person's name; it survives recomputation (kept with its members)."""
        cluster = self.browse.clusters.get(key)
        library = self._library()
        if cluster is None or library is None:
            return
        from app.analysis.library_analysis import AnalysisInputs, rename_cluster

        inputs = AnalysisInputs.of(library)
        members = list(cluster.image_ids)

        def done(_none: None) -> None:
            text = self.browse.renamed(key, name)
            if text is not None:
                self.view.show_cluster_name(key, text)
                self.view.show_map_names(self.browse.cluster_names())

        self.tasks.run(lambda: rename_cluster(inputs, members, name), done, self.view.show_error)

    def refresh_folders(self) -> None:
        library = self._library()
        if library is not None:
            self.tasks.run(library.folders, self.view.show_folders, self.view.show_error)

    def choose_folder(self, root: str) -> None:
        if self.browse.showing_results:
            self.view.clear_search_box()
        self.browse.searches.drop_running()
        items = self.browse.choose_folder(root)
        self.view.show_items(items, f"{root}: {len(items)} photos")

    def refresh_map(self) -> None:
        """Load (or recompute, when the library changed) the 3D map in the background. It shows
        as soon as the coordinates exist; cluster names follow when the clusters are ready."""
        library = self._library()
        if library is None or not self.map_wanted or self._map_running:
            return
        if library.store is None or library.store.ntotal == 0:
            return
        self._map_running = True
        self.view.show_map_computing()

        def op() -> tuple[MapPoints, dict[int, str]]:
            from app.analysis.library_analysis import AnalysisInputs, projection

            points = projection(AnalysisInputs.of(library))
            return points, {image_id: thumb for image_id, _path, thumb in library.gallery()}

        def done(loaded: tuple[MapPoints, dict[int, str]]) -> None:
            self._map_running = False
            points, thumbs = loaded
            self.view.show_map_points(points, thumbs, self.browse.cluster_names())

        def failed(error: BaseException) -> None:
            self._map_running = False
            self.view.show_error(error)

        self.tasks.run(op, done, failed)

    def photo_on_map_chosen(self, image_id: int) -> None:
        """Show every photo in the gallery (search and cluster left) with this one selected."""
        if self.browse.showing != "all":
            if self.browse.showing_results:
                self.view.clear_search_box()
            self.browse.leave_results()
            self.browse.show_all()
            self.show_clusters()
            self.view.show_items(list(self.browse.entries.values()), None)
