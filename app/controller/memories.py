"""The Memories view's logic without Qt: on this day in earlier years and the last weeks'
events as cards (a cover, a title, how many photos), loaded off the GUI thread when the view
opens or photos change; opening a card shows its photos in the gallery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.analysis.memories import Memories, Memory
from app.controller.browse_state import ClusterCard
from app.controller.chosen_photos import show_chosen_photos
from app.controller.window_part import WindowPart, WindowParts, library_size
from app.controller.window_view import MemoriesView


class MemoriesPart(WindowPart[MemoriesView]):
    def __init__(self, parts: WindowParts, today: Callable[[], date] = date.today) -> None:
        super().__init__(parts)
        self._today = today
        self.wanted = False  # loaded once the view has been opened
        self.shown: list[Memory] = []

    def look_at_today(self) -> None:
        """At start: when photos were taken on this day in earlier years, the window may open
        on them (`offer_memories`)."""
        library = self._library()
        if library is None:
            return
        from app.analysis.library_analysis import AnalysisInputs
        from app.analysis.memories import memories

        day = self._today()

        def found(today: Memories) -> None:
            if today.on_this_day:
                self.view.offer_memories()

        self.tasks.run(
            lambda: memories(AnalysisInputs.of(library), day, with_events=False), found, self.view.show_error
        )

    def open(self) -> None:
        self.wanted = True
        self.refresh()

    def refresh(self) -> None:
        library = self._library()
        if library is None or not self.wanted:
            return
        from app.analysis.library_analysis import AnalysisInputs
        from app.analysis.memories import memories

        day, photos = self._today(), library_size(library)
        # The last weeks' events read every photo's vector: a large library's in the child.
        self.tasks.run(
            lambda: self.analyses.run(photos, memories, AnalysisInputs.of(library), day),
            self._on_memories,
            self.view.show_error,
        )

    def _on_memories(self, found: Memories) -> None:
        self.shown = found.cards
        self.view.show_memories([self._card(key, memory) for key, memory in enumerate(self.shown)])

    def _card(self, key: int, memory: Memory) -> ClusterCard:
        cover = memory.image_ids[0] if memory.image_ids else None
        entry = self.browse.entries.get(cover) if cover is not None else None
        return ClusterCard(key, memory.title, len(memory.image_ids), cover, entry.thumbnail if entry else None)

    def open_card(self, key: int) -> None:
        if 0 <= key < len(self.shown):
            memory = self.shown[key]
            show_chosen_photos(
                self.view, self.browse, memory.image_ids, lambda n: f"{memory.title}: {n:,} photos · Esc shows all"
            )
            self.view.show_gallery_view()
