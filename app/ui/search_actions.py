"""What the window does for the search bar: words and dropped or chosen photos searched, a name
chosen in the Names list put in the box, and the threshold and weights applied to the results
showing (searched again a moment later, so a dragged slider searches once)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.controller.searching import Searching
from app.ui.search_bar import SearchBar


class SearchActions:
    def __init__(self, bar: SearchBar, searching: Searching, show_gallery: Callable[[], None]) -> None:
        self.bar = bar
        self.searching = searching
        self._show_gallery = show_gallery  # the Gallery tab to the front
        bar.search_requested.connect(lambda text: searching.search(text))
        bar.image_chosen.connect(self.search_by_image)
        bar.threshold_changed.connect(self._on_threshold_changed)
        bar.weight_changed.connect(self._on_weight_changed)

    def search_by_image(self, path: Path) -> None:
        self.searching.search(self.bar.text, image=path)

    def search_for(self, text: str) -> None:
        """Put `text` in the search box and search (a name chosen in the Names list)."""
        self._show_gallery()
        self.bar.box.setText(text)
        self.bar.request_search()

    def _on_threshold_changed(self, threshold: float | None) -> None:
        self.searching.threshold = threshold
        if self.searching.search_again():
            self.bar.request_search_soon()

    def _on_weight_changed(self, kind: str, weight: float) -> None:
        self.searching.weights[kind] = weight
        if self.searching.search_again():
            self.bar.request_search_soon()
