"""The Places view's logic without Qt: the photos with a position as markers clustered by zoom,
the list Country › Region › City with counts (estimated places counted and said), a marker's or
a place's photos in the gallery, and the setting that hides every place (for screenshots and
shared screens). Loaded when the view is first opened, and again whenever photos change."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.controller.chosen_photos import show_chosen_photos
from app.controller.place_markers import PlaceMarkers
from app.controller.place_tree import PlaceNode, place_tree
from app.controller.window_part import WindowPart, WindowParts, library_size
from app.controller.window_view import PlacesView

if TYPE_CHECKING:
    from app.analysis.analysis_process import AnalysisProcess
    from app.library import Library


@dataclass(frozen=True)
class PlacesLoaded:
    tree: tuple[PlaceNode, ...]
    markers: PlaceMarkers
    names: dict[int, str] = field(default_factory=dict)  # image id -> "City, Country"


def estimate(library: Library, analyses: AnalysisProcess) -> int:
    """Estimated places made again from the events (a read-only library keeps its); a large
    library's in the analysis process (remade for a million photos, they take gigabytes)."""
    from app.analysis.estimated_places import estimate_places
    from app.analysis.library_analysis import AnalysisInputs

    return analyses.run(library_size(library), estimate_places, AnalysisInputs.of(library))


def load_places(library: Library, analyses: AnalysisProcess) -> PlacesLoaded:
    """Estimates made again, then the list and the markers."""
    from app.catalog.places import photo_positions, place_summaries

    estimate(library, analyses)
    summaries = place_summaries(library.engine)
    names = {}
    for place in summaries:
        name = ", ".join(part for part in (place.city, place.country) if part)
        names.update(dict.fromkeys(place.image_ids, name))
    return PlacesLoaded(place_tree(summaries), PlaceMarkers.build(*photo_positions(library.engine)), names)


class PlacesBrowser(WindowPart[PlacesView]):
    def __init__(self, parts: WindowParts) -> None:
        super().__init__(parts)
        self.wanted = False  # loaded once the view has been opened
        self.hidden = False  # the setting that hides every place
        self.loaded = PlacesLoaded((), PlaceMarkers.empty())
        self._loading = self._stale = False

    def open(self) -> None:
        """The view was opened: load it (the first time), or show it as it is."""
        if not self.wanted:
            self.wanted = True
            self.refresh()
        else:
            self._show()

    def set_hidden(self, hidden: bool) -> None:
        self.hidden = hidden
        self._show()

    def refresh(self) -> None:
        """Read the places again (photos changed), off the GUI thread; one load at a time.
        Before the view was ever opened only the estimates are made again (the viewer and
        a search's place filter show them)."""
        library = self._library()
        if library is None:
            return
        if not self.wanted:
            self.tasks.run(lambda: estimate(library, self.analyses), None, self.view.show_error)
            return
        if self._loading:
            self._stale = True
            return
        self._loading, self._stale = True, False
        self.tasks.run(lambda: load_places(library, self.analyses), self._on_loaded, self._on_error)

    def _on_loaded(self, loaded: PlacesLoaded) -> None:
        self._loading = False
        self.loaded = loaded
        self._show()
        if self._stale:
            self.refresh()

    def _on_error(self, error: BaseException) -> None:
        self._loading = False
        self.view.show_error(error)

    def _show(self) -> None:
        if self.hidden:
            self.view.show_places_hidden()
        else:
            self.view.show_places(self.loaded.tree, self.loaded.markers)

    def marker_label(self, level: int, marker: int) -> str:
        """What a marker is, for its tooltip: its commonest place and how many photos."""
        ids = self.loaded.markers.photos(level, marker)
        named = Counter(self.loaded.names.get(int(i), "") for i in ids)
        named.pop("", None)
        photos = f"{len(ids):,} photo{'s' if len(ids) != 1 else ''}"
        if not named:
            return photos
        (place, _n), *others = named.most_common()
        more = f" and {len(others)} more place{'s' if len(others) != 1 else ''}" if others else ""
        return f"{place}{more} · {photos}"

    def show_marker(self, level: int, marker: int) -> None:
        ids = self.loaded.markers.photos(level, marker)
        label = self.marker_label(level, marker).split(" · ")[0]
        self._show_photos(ids, label)

    def show_place(self, node: PlaceNode) -> None:
        self._show_photos(np.asarray(node.image_ids, np.int64), node.name)

    def _show_photos(self, image_ids: np.ndarray, name: str) -> None:
        show_chosen_photos(
            self.view, self.browse, [int(i) for i in image_ids], lambda n: f"{name}: {n:,} photos · Esc shows all"
        )
        self.view.show_gallery_view()
