"""The window's organising views without Qt: the clusters (side list and cards, choosing and
renaming one, the strictness slider), the events, the library's folders, and the 3D map, each
computed in the background and shown through the `WindowView`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.analysis.results import Clustering, EventNames, Events
from app.controller.browse_state import ALL_PHOTOS, ClusterCard, EventCards, cluster_cards_of, event_cards_of
from app.controller.gallery_rows import GalleryItem
from app.controller.map_layout import MapLayout
from app.controller.texts import cluster_summary
from app.controller.window_part import WindowPart, WindowParts, library_size
from app.controller.window_view import OrganiseView
from app.core.collector import collector_paused


@dataclass(frozen=True)
class Cards:
    """Cards made off the GUI thread, and the gallery rows their covers came from."""

    entries: Mapping[int, GalleryItem]
    clusters: list[ClusterCard]
    events: list[ClusterCard]


class Organiser(WindowPart[OrganiseView]):
    def __init__(self, parts: WindowParts, refresh_gallery: Callable[[], None]) -> None:
        super().__init__(parts)
        self._refresh_gallery = refresh_gallery
        self.clusters_running = False
        self.strictness = 0.5  # the slider: 0 looser .. 0.5 the radius chosen from the data .. 1 stricter
        self._again = False  # the strictness moved while clusters were computed
        self._event_cards: EventCards | None = None  # the events' cards last shown
        self.map_wanted = False  # the map view exists (it is made on first visit: OpenGL)
        self._map_running = False
        self._map: MapLayout | None = None

    def set_strictness(self, strictness: float) -> None:
        """Tighter or looser groups: re-clustered in the background from the neighbour graph
        kept at the loosest setting (a renamed cluster keeps its name where its photos stay)."""
        self.strictness = min(max(strictness, 0.0), 1.0)
        self.view.show_strictness(self.strictness)
        if self.clusters_running:
            self._again = True
        else:
            self.refresh_clusters()

    def refresh_clusters(self) -> None:
        """Recompute the clusters in the background when the library changed (cached otherwise),
        then the events (named after them)."""
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

        strictness = self.strictness
        known = self.browse.found_events  # the same events come back as their names only
        before = self._event_cards  # their cards' covers stay

        photos = library_size(library)

        def op() -> tuple[Clustering, Events, Cards]:
            from app.analysis.library_analysis import AnalysisInputs, concept_vectors
            from app.analysis.library_events import window_clusters

            inputs = AnalysisInputs.of(library)
            vocabulary = lambda: concept_vectors(inputs)  # noqa: E731  (the model stays here)
            version = known.version if known is not None else ""
            packed, named = self.analyses.run(
                photos, window_clusters, inputs, strictness, version, vocabulary=vocabulary
            )
            # The records and cards here too: a million photos' clusters and events as cards take 0.8 s.
            entries = self.browse.entries  # replaced, never changed, on the GUI thread
            with collector_paused():  # a few hundred thousand records, no cycle among them
                found = packed.clustering()
                events = _events_of(named, known)
                event_cards = event_cards_of(events.events, entries, events.version, before)
                cards = Cards(entries, cluster_cards_of(found, entries), event_cards)
            return found, events, cards

        def done(result: tuple[Clustering, Events, Cards]) -> None:
            self.clusters_running = False
            found, events, cards = result
            self.browse.set_clustering(found)
            self.browse.set_events(events)
            current = cards.entries is self.browse.entries  # else the gallery's rows changed since
            self._event_cards = EventCards(events.version, cards.entries, cards.events) if current else None
            self.show_clusters(cards.clusters if current else None)
            self.show_events(cards.events if current else None)
            self._show_map()
            if self._again:
                self._again = False
                self.refresh_clusters()

        def failed(error: BaseException) -> None:
            self.clusters_running = False
            self._again = False
            self.view.show_error(error)

        self.tasks.run(op, done, failed)

    def show_clusters(self, cards: list[ClusterCard] | None = None) -> None:
        """The side list and the cards (`cards`: made off the GUI thread for the clusters and
        gallery rows shown now)."""
        current = self.browse.cluster_key if self.browse.showing == "cluster" else ALL_PHOTOS
        cards = self.browse.cluster_cards() if cards is None else cards
        self.view.show_clusters(self.browse.cluster_rows(), cards, current)
        self.view.show_cluster_summary(cluster_summary(self.browse.clustering))

    def show_events(self, cards: list[ClusterCard] | None = None) -> None:
        self.view.show_events(self.browse.event_cards() if cards is None else cards)

    def choose_event(self, key: int) -> None:
        """Show an event's photos; a search made now searches within it."""
        if key not in self.browse.events:
            return
        if self.browse.showing_results:
            self.view.clear_search_box()
        self.browse.searches.drop_running()
        items = self.browse.choose_event(key)
        self.view.show_items(items, f"{self.browse.events[key].name}: {len(items)} photos · search within it")

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

        photos = library_size(library)

        def op() -> MapLayout:
            from app.analysis.library_analysis import AnalysisInputs, projection

            points = self.analyses.run(photos, projection, AnalysisInputs.of(library))
            return MapLayout.of(points, {row[0]: row[2] for row in library.gallery()})

        def done(layout: MapLayout) -> None:
            self._map_running = False
            self._map = layout
            self._show_map()

        def failed(error: BaseException) -> None:
            self._map_running = False
            self.view.show_error(error)

        self.tasks.run(op, done, failed)

    def _show_map(self) -> None:
        """The map's points coloured by the clusters showing (at the slider's strictness)."""
        if self._map is None:
            return
        groups = self._map.groups({c.id: c.image_ids for c in self.browse.clusters.values()})
        self.view.show_map_points(self._map, groups, self.browse.cluster_names())

    def photo_on_map_chosen(self, image_id: int) -> None:
        """Show every photo in the gallery (search and cluster left) with this one selected."""
        if self.browse.showing != "all":
            if self.browse.showing_results:
                self.view.clear_search_box()
            self.browse.leave_results()
            self.browse.show_all()
            self.show_clusters()
            self.view.show_items(list(self.browse.entries.values()), None)


def _events_of(named: Events | EventNames, known: Events | None) -> Events:
    """The events that came, or the events the window holds under the names that came."""
    if isinstance(named, Events):
        return named
    if known is None:
        raise ValueError("names came for events the window does not hold")
    return known.named(named)
