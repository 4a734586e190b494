"""Taught names from the window, without Qt: the Names list (each name with its photo count),
teaching a name from the photos or regions a person picked, renaming, forgetting, and showing a
name's photos.

Teaching is long work: it takes its turn with indexing (one task at a time, with progress and
Cancel in the status bar) while search and browsing go on. A new name needs three examples; a
person may pick them a few at a time (photos here, a region in the viewer there): until there
are three, the name is "gathering" and its examples wait here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.catalog.concepts import ConceptSummary
from app.controller.cards import NameCard
from app.controller.changes import Changed, Done
from app.controller.chosen_photos import show_chosen_photos
from app.controller.indexing_queue import IndexingQueue
from app.controller.window_part import WindowPart, WindowParts
from app.controller.window_view import NamesView
from app.core.errors import CancelledError
from app.core.names import clean_name, name_key
from app.indexing.report import IndexProgress
from app.teaching.requests import MIN_EXAMPLES, TeachRequest

if TYPE_CHECKING:
    from app.teaching.teacher import TeachReport


@dataclass
class _Gathered:
    """Examples picked for a name that has fewer than three so far."""

    name: str
    paths: list[str] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.paths) + len(self.regions)


@dataclass(frozen=True)
class LongWork:
    """The window's one-at-a-time queue of long tasks, the progress path to the GUI thread, and
    what to do when a task ends (refresh the views, start what waits)."""

    queue: IndexingQueue
    report_progress: Callable[[IndexProgress], None]
    ended: Callable[[], None]


class NamesOrganiser(WindowPart[NamesView]):
    def __init__(self, parts: WindowParts, work: LongWork) -> None:
        super().__init__(parts)
        self._work = work
        self.names: dict[str, ConceptSummary] = {}  # by name key
        self._gathered: dict[str, _Gathered] = {}
        self._model_key = ""

    # --- the list -----------------------------------------------------------------------------

    def refresh(self) -> None:
        library = self._library()
        if library is not None:
            self.tasks.run(lambda: (library.names.summaries(), library.spec.key), self._on_names, self.view.show_error)

    def _on_names(self, listed: tuple[list[ConceptSummary], str]) -> None:
        summaries, self._model_key = listed
        self.names = {name_key(c.name): c for c in summaries}
        for key in [k for k in self._gathered if k in self.names]:
            del self._gathered[key]  # taught meanwhile (from the command line, say)
        self.view.show_names(self.cards())

    def cards(self) -> list[NameCard]:
        cards = [NameCard(c.name, c.photos, c.learned_for(self._model_key)) for c in self.names.values()]
        cards += [NameCard(g.name, g.count, gathering=g.count) for g in self._gathered.values()]
        return sorted(cards, key=lambda c: name_key(c.name))

    def known(self, name: str) -> bool:
        return name_key(name) in self.names

    # --- teaching -----------------------------------------------------------------------------

    def teach(self, name: str, paths: Sequence[str] = (), region_ids: Sequence[int] = ()) -> None:
        """Teach `name` from photos (their paths) and/or regions; a name already taught gets them
        as more examples. Fewer than three for a new name: kept until there are three."""
        library = self._library()
        name = clean_name(name)
        if library is None or not name or not (paths or region_ids):
            return
        key = name_key(name)
        adding = key in self.names
        if not adding:
            gathered = self._gathered.setdefault(key, _Gathered(name))
            gathered.paths = list(dict.fromkeys([*gathered.paths, *paths]))
            gathered.regions = list(dict.fromkeys([*gathered.regions, *region_ids]))
            if gathered.count < MIN_EXAMPLES:
                more = MIN_EXAMPLES - gathered.count
                self.view.say(
                    f"{name}: {gathered.count} example{'s' if gathered.count != 1 else ''} so far; "
                    f"teach {more} more photo{'s' if more != 1 else ''} with the same name"
                )
                self.view.show_names(self.cards())
                return
            name, paths, region_ids = gathered.name, gathered.paths, gathered.regions
        self._run(name, list(paths), list(region_ids), adding)

    def _run(self, name: str, paths: list[str], region_ids: list[int], adding: bool) -> None:
        work = self._work
        if work.queue.running:
            work.queue.wait_with(lambda: self._run(name, paths, region_ids, adding))
            self.view.say(f"Teaching {name} starts when the current work finishes")
            return
        library = self._library()
        if library is None:
            return
        stop = work.queue.begin()
        self.view.work_started(f"Teaching {name}…", pausable=False)

        def step(done: int, total: int) -> None:
            work.report_progress(IndexProgress("teaching", done, total, current=name))

        def op() -> TeachReport:
            return library.names.teach(TeachRequest(name, paths, region_ids, adding), step, stop.is_set)

        def taught(report: TeachReport) -> None:
            self._gathered.pop(name_key(name), None)
            work.ended()
            self.view.say(report.summary())
            self.view.repeat_search()

        def failed(error: BaseException) -> None:
            self._gathered.pop(name_key(name), None)
            work.ended()
            if isinstance(error, CancelledError):
                self.view.say(f"Teaching {name} was cancelled; nothing changed")
            else:
                self.view.show_error(error)

        self.tasks.run(op, taught, failed)

    # --- managing -----------------------------------------------------------------------------

    def rename(self, old: str, new: str) -> None:
        library = self._library()
        new = clean_name(new)
        if library is None or not new or new == old:
            return
        gathered = self._gathered.pop(name_key(old), None)
        if gathered is not None:  # not taught yet: only here
            self._gathered[name_key(new)] = _Gathered(new, gathered.paths, gathered.regions)
            self.view.show_names(self.cards())
            return
        self.act(lambda: _names_changed(lambda: library.names.rename(old, new), f"Renamed {old} to {new}"))

    def forget(self, name: str) -> None:
        library = self._library()
        if library is None:
            return
        if self._gathered.pop(name_key(name), None) is not None:
            self.view.show_names(self.cards())
            return
        said = f"Forgot {name}; its photos stay in the library"
        self.act(lambda: _names_changed(lambda: library.names.forget(name), said))

    def show_photos(self, name: str) -> None:
        """The photos a name was taught from, in the gallery."""
        found = self.names.get(name_key(name))
        if found is not None:
            show_chosen_photos(
                self.view, self.browse, found.image_ids, lambda n: f"{found.name}: the {n} photos it was taught from"
            )


def _names_changed(change: Callable[[], None], said: str) -> Done:
    change()
    return Done(said, Changed.NAMES)
