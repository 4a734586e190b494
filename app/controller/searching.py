"""The window's searches: words, an example photo or both, "Find similar", within the event
showing; the newest search's results only (an older, slower one finishing later never
overwrites them); the threshold and per-kind weights the search bar sets."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path

from app.controller.gallery_rows import GalleryItem
from app.controller.texts import NO_RESULTS, results_text
from app.controller.window_part import WindowPart, WindowParts
from app.controller.window_view import SearchView
from app.core.errors import UserError
from app.core.paths import LibraryPaths, is_content_hash
from app.search.library_search import understood_request
from app.search.query import SearchFilters
from app.search.request import SearchRequest
from app.search.results import SearchHit
from app.search.typed_filters import typed_filters
from app.search.understanding import Understood

GALLERY_RESULTS = 200  # a search fills the gallery with at most this many photos


class Searching(WindowPart[SearchView]):
    def __init__(self, parts: WindowParts, refresh_gallery: Callable[[], None]) -> None:
        super().__init__(parts)
        self._refresh_gallery = refresh_gallery  # Esc: the full gallery comes back
        self.threshold: float | None = None
        self.weights: dict[str, float] = {"image": 1.0, "object": 1.0, "text": 1.0}
        self.query_image: Path | None = None
        self.shown_results: list[GalleryItem] = []  # the search results on screen
        self.words_search: SearchRequest | None = None  # the search by words showing (a smart album can keep it)

    def without(self, image_ids: Collection[int]) -> list[GalleryItem]:
        """The results on screen less photos that left the library."""
        gone = set(image_ids)
        self.shown_results = [i for i in self.shown_results if i.image_id not in gone]
        return self.shown_results

    def search(self, text: str, image: Path | None = None) -> None:
        """Words, an example image, or both; with neither, the full gallery comes back."""
        library = self._library()
        if library is None:
            return
        image = image or self.query_image
        if not text and image is None:
            self.clear_search()
            return
        self.query_image = image
        try:  # filters typed as on the command line: beach --album Trips --min-stars 4
            words, typed = typed_filters(text)
        except UserError as error:
            self.view.say(str(error))
            return
        threshold, weights = self.threshold, dict(self.weights)
        self.view.say("Searching…" if library.model_loaded or not words else "Loading the model…")
        filters = replace(typed, images=self._scope().images)
        request = SearchRequest(
            words or None, image, top_k=GALLERY_RESULTS, threshold=threshold, weights=weights, filters=filters
        )
        self.words_search = request if image is None else None
        understood: list[Understood | None] = []

        def run() -> list[SearchHit]:
            narrowed, found = understood_request(library.engine, request)  # dates, a place, names
            understood.append(found)
            return library.search(narrowed)

        self.run_latest(run, understood)

    def find_similar(self, path: str) -> None:
        library = self._library()
        self.words_search = None
        if library is not None:
            request = SearchRequest(top_k=GALLERY_RESULTS, filters=self._scope())
            self.run_latest(lambda: library.similar(path, request))

    def _scope(self) -> SearchFilters:
        """Within the event showing (as the command line's --event), else everywhere."""
        event = self.browse.search_scope()
        return SearchFilters(images=frozenset(event.image_ids)) if event is not None else SearchFilters()

    def run_latest(self, op: Callable[[], list[SearchHit]], understood: list[Understood | None] | None = None) -> None:
        """Run a search in the background; only the newest one's results are shown (an older,
        slower search finishing later never overwrites them), with what its words were
        understood to say (`understood`, filled by `op`) as chips."""
        ticket = self.browse.searches.next()

        def shown(hits: list[SearchHit]) -> None:
            if self.browse.searches.is_latest(ticket):
                found = understood[0] if understood else None
                parts = found.parts if found is not None else ()
                self.view.show_understood([(p.kind, p.label, found.without(p)) for p in parts if found])
                self.show_hits(hits)

        def failed(error: BaseException) -> None:
            if self.browse.searches.is_latest(ticket):
                self.view.show_error(error)
                self.view.search_done()

        self.tasks.run(op, shown, failed)

    def show_hits(self, hits: list[SearchHit]) -> None:
        """Results as gallery rows: hits carry their content hash, so no catalog query here."""
        library = self._library()
        assert library is not None
        paths = library.paths
        folder = str(paths.thumbnails)
        self.browse.show_results()
        self.shown_results = [
            GalleryItem(
                hit.image_id,
                hit.path,
                _thumbnail(paths, folder, hit),
                hit.score,
                hit.region.bbox,
                hit.why,
                pair=hit.pair,
                duration=_duration(self.browse.entries.get(hit.image_id)),
                time=hit.region.time,
            )
            for hit in hits
        ]
        event = self.browse.search_scope()
        text = results_text(len(hits), event.name if event is not None else None) if hits else NO_RESULTS
        self.view.show_results(self.shown_results, text)
        self.view.search_done()

    def search_again(self) -> bool:
        """After the threshold or a weight changed: whether results are showing to redo."""
        return self.browse.showing_results

    def clear_search(self) -> None:
        self.query_image, self.words_search = None, None
        self.view.clear_search_box()
        if self.browse.leave_results():
            self._refresh_gallery()


def _duration(entry: GalleryItem | None) -> float | None:
    return entry.duration if entry is not None else None


def _thumbnail(paths: LibraryPaths, folder: str, hit: SearchHit) -> str | Path:
    """A result's picture: its photo's thumbnail, or the frame's a search found in a video.
    A photo's is named as the gallery's rows name it (`Library.gallery`: one text), not joined
    as a Path: that took a third of the GUI thread's time for 200 results."""
    content_hash = hit.content_hash
    if not is_content_hash(content_hash):
        return paths.thumbnails  # no file: the card says so
    if hit.region.kind == "frame" and hit.region.time is not None:
        return paths.frame_thumbnail(content_hash, hit.region.time)
    return f"{folder}/{content_hash[:2]}/{content_hash}.jpg"
