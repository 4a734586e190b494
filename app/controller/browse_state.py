"""What the gallery shows and where it came from: all photos, a search's results, a cluster or
a folder; the clusters' side list and cards; and which search is the newest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.analysis.results import Cluster, Clustering, Event, Events
from app.controller.gallery_rows import GalleryItem, GalleryRows
from app.core.paths import is_under

ALL_PHOTOS = -2
NOT_GROUPED = -1


class ClusterCard(NamedTuple):
    """A card of the Clusters view: a group's name and size, and its cover photo (a tuple: a
    million photos' clusters and events are 130,000 cards, made again at each slider move)."""

    key: int  # the cluster id, or NOT_GROUPED
    name: str
    size: int
    cover_id: int | None
    cover: Path | str | None


class SearchSequence:
    """Numbers searches so that only the newest one's results are shown: an older, slower
    search finishing later is dropped, and clearing the search drops any still running."""

    def __init__(self) -> None:
        self._latest = 0

    def next(self) -> int:
        self._latest += 1
        return self._latest

    def is_latest(self, ticket: int) -> bool:
        return ticket == self._latest

    def drop_running(self) -> None:
        self._latest += 1


class BrowseState:
    """The gallery's source. `showing` is "all", "results", "cluster", "event", "folder" or
    "photos" (a person's, or a taught name's). A search made while an event shows searches
    within it, and Esc returns to the event."""

    def __init__(self) -> None:
        self.showing = "all"
        self.cluster_key = ALL_PHOTOS
        self.folder: str | None = None
        self.chosen_images: tuple[int, ...] = ()  # showing "photos": a person's, or those a name was taught from
        self.entries: Mapping[int, GalleryItem] = {}  # every photo, by image id
        self.clustering: Clustering | None = None
        self.clusters: dict[int, Cluster] = {}
        self.searches = SearchSequence()
        self.stacks: dict[int, tuple[int, ...]] = {}  # bursts: cover image id -> every shot's
        self.stack_bursts = True  # the gallery shows a burst as its cover
        self.events: dict[int, Event] = {}
        self.event_order: list[int] = []  # newest first
        self.found_events: Events | None = None  # as they came (their version names them again)
        self.event_key: int | None = None  # the event showing, or searched within

    @property
    def showing_results(self) -> bool:
        return self.showing == "results"

    @property
    def whole_gallery(self) -> bool:
        """Whether the gallery shows every photo (and so follows the catalog as it grows)."""
        return self.showing == "all"

    def show_all(self) -> None:
        self.showing, self.cluster_key, self.folder, self.event_key = "all", ALL_PHOTOS, None, None

    def show_results(self) -> None:
        if self.showing not in ("event", "results"):
            self.event_key = None
        self.showing = "results"

    def leave_results(self) -> bool:
        """Esc: back to all photos from search results or chosen photos (a person's, a name's,
        a burst's); whether there was anything to leave. A running search is dropped."""
        was = self.showing_results or self.showing == "photos"
        self.searches.drop_running()
        if was and self.showing_results and self.event_key in self.events:
            self.showing = "event"
        elif was:
            self.show_all()
        return was

    # --- clusters -----------------------------------------------------------------------------

    def set_clustering(self, clustering: Clustering | None) -> None:
        self.clustering = clustering
        self.clusters = {c.id: c for c in clustering.clusters} if clustering is not None else {}
        if self.showing == "cluster" and self.cluster_key not in self.clusters and self.cluster_key != NOT_GROUPED:
            self.show_all()

    def cluster_rows(self) -> list[tuple[int, str]]:
        """The side list: all photos, each cluster with its size, and those in none."""
        clustering = self.clustering
        noise = clustering.noise if clustering is not None else 0
        total = sum(c.size for c in self.clusters.values()) + noise
        rows = [(ALL_PHOTOS, f"All photos ({total})")]
        rows += [(c.id, f"{c.name} ({c.size})") for c in (clustering.clusters if clustering else [])]
        if noise:
            rows.append((NOT_GROUPED, f"Not grouped ({noise})"))
        return rows

    def cluster_cards(self) -> list[ClusterCard]:
        """Cards with a cover photo each (covers come from the gallery's rows)."""
        return cluster_cards_of(self.clustering, self.entries)

    def cluster_names(self) -> dict[int, str]:
        return {key: c.name for key, c in self.clusters.items()}

    def choose_cluster(self, key: int) -> list[GalleryItem] | None:
        """Show a cluster's photos (None: all photos, loaded afresh)."""
        if key == ALL_PHOTOS:
            self.show_all()
            return None
        self.showing, self.cluster_key, self.folder, self.event_key = "cluster", key, None, None
        return self.cluster_items()

    def cluster_items(self) -> list[GalleryItem]:
        if self.cluster_key == NOT_GROUPED:
            return [item for item in self.entries.values() if in_no_group(self.clustering)(item)]
        cluster = self.clusters.get(self.cluster_key)
        if cluster is None:
            return list(self.entries.values())
        return [self.entries[i] for i in cluster.image_ids if i in self.entries]

    def renamed(self, key: int, name: str) -> str | None:
        """The side list's new text for a renamed cluster (None: no such cluster)."""
        cluster = self.clusters.get(key)
        if cluster is None:
            return None
        shown = " ".join(name.split()) or cluster.name
        self.clusters[key] = Cluster(cluster.id, shown, cluster.size, cluster.paths, cluster.image_ids, True)
        if self.clustering is not None:
            self.clustering.clusters[:] = [self.clusters.get(c.id, c) for c in self.clustering.clusters]
        return f"{shown} ({cluster.size})"

    def choose_photos(self, image_ids: tuple[int, ...]) -> list[GalleryItem]:
        self.showing, self.cluster_key, self.folder, self.chosen_images = "photos", ALL_PHOTOS, None, image_ids
        self.event_key = None
        return self.chosen_items()

    def chosen_items(self) -> list[GalleryItem]:
        return [self.entries[i] for i in self.chosen_images if i in self.entries]

    # --- events -------------------------------------------------------------------------------

    def set_events(self, found: Events) -> None:
        """New events (photos were added or removed): the one showing, or searched within,
        follows its photos (an event's id changes when events merge or split, or its first
        indexed photo leaves it)."""
        before = self.events.get(self.event_key) if self.event_key is not None else None
        self.found_events = found
        self.events = {e.id: e for e in found.events}
        self.event_order = [e.id for e in found.events]
        if before is None:
            return
        photos = set(before.image_ids)
        best = max(found.events, key=lambda e: len(photos.intersection(e.image_ids)), default=None)
        if best is not None and photos.intersection(best.image_ids):
            self.event_key = best.id
            return
        if self.showing == "event":
            self.show_all()
        self.event_key = None

    def event_cards(self) -> list[ClusterCard]:
        return event_cards_of([self.events[key] for key in self.event_order], self.entries)

    def choose_event(self, key: int) -> list[GalleryItem]:
        self.showing, self.cluster_key, self.folder, self.event_key = "event", ALL_PHOTOS, None, key
        return self.event_items()

    def event_items(self) -> list[GalleryItem]:
        event = self.events.get(self.event_key) if self.event_key is not None else None
        return [self.entries[i] for i in event.image_ids if i in self.entries] if event else []

    def search_scope(self) -> Event | None:
        """The event a search now searches within (one showing, or searched within)."""
        if self.showing in ("event", "results") and self.event_key is not None:
            return self.events.get(self.event_key)
        return None

    # --- folders ------------------------------------------------------------------------------

    def choose_folder(self, root: str) -> list[GalleryItem]:
        self.showing, self.cluster_key, self.folder, self.event_key = "folder", ALL_PHOTOS, root, None
        return [e for e in self.entries.values() if is_under(e.path, root)]


ClusterCovers = tuple[Clustering | None, list[ClusterCard]]  # cards made off the GUI thread, and for which clusters


def cluster_cards_of(clustering: Clustering | None, entries: Mapping[int, GalleryItem]) -> list[ClusterCard]:
    """The clusters' cards, each with its first photo among `entries` (the gallery's rows) as
    its cover. Made off the GUI thread where the clusters arrive (57,000 at a million photos)."""
    if clustering is None:
        return []
    cards = [_card(c.id, c.name, c.size, _cover(c.image_ids, entries)) for c in clustering.clusters]
    if clustering.noise:
        if clustering.noise_ids is not None:
            cover = _cover(clustering.noise_ids, entries)
        else:
            first = next(filter(in_no_group(clustering), entries.values()), None)
            cover = (first.image_id, first.thumbnail) if first is not None else None
        cards.append(_card(NOT_GROUPED, "Not grouped", clustering.noise, cover))
    return cards


def in_no_group(clustering: Clustering | None) -> Callable[[GalleryItem], bool]:
    """Whether a photo is in none of the clusters (by its id, or where the clusters came from
    an older cache, by its path)."""
    if clustering is None:
        return lambda _item: False
    if clustering.noise_ids is not None:
        ids = set(clustering.noise_ids)
        return lambda item: item.image_id in ids
    paths = set(clustering.noise_paths)
    return lambda item: item.path in paths


def event_cards_of(
    events: list[Event], entries: Mapping[int, GalleryItem], version: str = "", before: EventCards | None = None
) -> list[ClusterCard]:
    """The events' cards, in their order, each with its first photo among `entries` as its
    cover. `before`: cards made for the same events (their `version`) and rows, whose covers
    are kept (a move of the strictness slider renames 73,000 events at a million photos)."""
    if before is not None and version and before.version == version and before.entries is entries:
        return [
            ClusterCard(c.key, e.name, e.size, c.cover_id, c.cover) for c, e in zip(before.cards, events, strict=True)
        ]
    return [_card(e.id, e.name, e.size, _cover(e.image_ids, entries)) for e in events]


@dataclass(frozen=True)
class EventCards:
    """Event cards as made, for which events (their version) and gallery rows."""

    version: str
    entries: Mapping[int, GalleryItem]
    cards: list[ClusterCard]


def _cover(image_ids: Iterable[int], entries: Mapping[int, GalleryItem]) -> tuple[int, Path | str] | None:
    """The first of `image_ids` among `entries`: its id and thumbnail."""
    if isinstance(entries, GalleryRows):
        return entries.cover_of(image_ids)
    first = next((entries[i] for i in image_ids if i in entries), None)
    return (first.image_id, first.thumbnail) if first is not None else None


def _card(key: int, name: str, size: int, cover: tuple[int, Path | str] | None) -> ClusterCard:
    return ClusterCard(key, name, size, *(cover or (None, None)))
