"""The Duplicates view's logic without Qt: the groups (all tiers, or one), how strict, which
group is being reviewed and which photo of each is kept (suggested, or the person's choice),
and acting on a group: the others to the Trash (after a confirmation the window asks, listing
what moves) or out of the library (their files stay).

Finding duplicates runs on a worker (the first scan compares every photo, later ones only new
photos); it is done again after indexing while the view has been opened.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.analysis.duplicates import DuplicateGroup, DuplicateParams, Duplicates, find_duplicates
from app.controller.cards import DuplicateCard, MemberCard
from app.controller.changes import Changed, Done
from app.controller.window_part import WindowPart, WindowParts, library_size
from app.controller.window_view import DuplicatesView
from app.core.errors import CancelledError
from app.core.paths import display_path
from app.core.trash import TrashReport

if TYPE_CHECKING:
    from app.library import Library

TIER_NAMES = {"exact": "Exact copies", "same": "Same photo", "burst": "Burst"}


class DuplicatesReview(WindowPart[DuplicatesView]):
    def __init__(
        self,
        parts: WindowParts,
        refuse_while_busy: Callable[[str], bool] = lambda _what: False,
        use_stacks: Callable[[dict[int, tuple[int, ...]]], None] = lambda _stacks: None,
    ) -> None:
        super().__init__(parts)
        self._refuse = refuse_while_busy
        self._use_stacks = use_stacks  # bursts found: the gallery stacks them
        self.wanted = True  # found when the library opens and after indexing (incremental)
        self.tier: str | None = None
        self.strictness = 0.5
        self.groups: list[DuplicateGroup] = []
        self.current = 0
        self.kept: dict[tuple[str, tuple[str, ...]], str] = {}  # a group -> the path the person keeps
        self._running = self._again = False
        self._details: dict[int, str] = {}
        self._stop = threading.Event()  # the window is closing: a scan stops at its next pair

    # --- finding ------------------------------------------------------------------------------

    def refresh(self) -> None:
        library = self._library()
        if library is None or not self.wanted:
            return
        if self._running:
            self._again = True
            return
        from app.analysis.library_analysis import AnalysisInputs

        self._running = True
        inputs = AnalysisInputs.of(library)
        params, tier = DuplicateParams.from_strictness(self.strictness), self.tier
        self.view.show_duplicates_computing()

        def found(result: tuple[Duplicates, dict[int, str]]) -> None:
            self._running = False
            duplicates, self._details = result
            self.groups = duplicates.groups
            self.current = min(self.current, max(0, len(self.groups) - 1))
            self.show()
            if tier in (None, "burst"):
                self._use_stacks(_stacks(self.groups))
            if self._again:
                self._again = False
                self.refresh()

        def failed(error: BaseException) -> None:
            self._running = False
            if not isinstance(error, CancelledError):
                self.view.show_error(error)

        photos, stop = library_size(library), self._stop.is_set

        def op() -> tuple[Duplicates, dict[int, str]]:
            scanned = self.analyses.run(photos, find_duplicates, inputs, params, tier, stop=stop)
            return _with_details(library, scanned)

        self.tasks.run(op, found, failed)

    def stop(self) -> None:
        """The window closes: a scan under way stops (what it compared is not kept)."""
        self._stop.set()

    def set_tier(self, tier: str | None) -> None:
        self.tier, self.current = tier, 0
        self.refresh()

    def set_strictness(self, strictness: float) -> None:
        self.strictness = strictness
        self.refresh()

    # --- reviewing ----------------------------------------------------------------------------

    def cards(self) -> list[DuplicateCard]:
        return [self._card(g) for g in self.groups]

    def show(self) -> None:
        self.view.show_duplicates(self.cards(), self.current)

    def _card(self, group: DuplicateGroup) -> DuplicateCard:
        keep = self.kept.get(_key(group), group.keep)
        ids = dict(zip(group.paths, group.image_ids, strict=False)) if group.tier != "exact" else {}
        members = []
        for path in group.paths:
            image_id = ids.get(path, group.image_ids[0] if group.image_ids else 0)
            entry = self.browse.entries.get(image_id)
            members.append(
                MemberCard(
                    path,
                    image_id,
                    str(entry.thumbnail) if entry is not None else None,
                    self._details.get(image_id, ""),
                    path == keep,
                )
            )
        count = len(group.paths)
        noun = "files" if group.tier != "burst" else "shots"
        why = group.why if keep == group.keep else f"your choice (suggested: {display_path(group.keep)})"
        return DuplicateCard(group.tier, f"{TIER_NAMES[group.tier]} · {count} {noun}", why, tuple(members))

    def choose(self, index: int) -> None:
        if 0 <= index < len(self.groups):
            self.current = index
            self.show()

    def step(self, by: int) -> None:
        self.choose(min(max(0, self.current + by), len(self.groups) - 1))

    def keep(self, path: str) -> None:
        """The person keeps `path` in the current group (instead of the suggestion)."""
        if self.groups and path in self.groups[self.current].paths:
            self.kept[_key(self.groups[self.current])] = path
            self.show()

    def keep_next(self, by: int) -> None:
        """←/→: keep the previous or next photo of the current group."""
        if not self.groups:
            return
        card = self._card(self.groups[self.current])
        paths = [m.path for m in card.members]
        kept = next(i for i, m in enumerate(card.members) if m.kept)
        self.keep(paths[(kept + by) % len(paths)])

    # --- acting -------------------------------------------------------------------------------

    def others(self) -> list[str]:
        """What "Move the others to the Trash" would move (the window lists it to confirm)."""
        return self._card(self.groups[self.current]).others if self.groups else []

    def trash_others(self) -> None:
        """Confirmed by the person: the current group's others go to the system trash."""
        library, others = self._library(), self.others()
        if library is None or not others or self._refuse("Photos can be moved to the Trash"):
            return
        keep = self._card(self.groups[self.current]).keep

        self.act(lambda: _trashed(library.edits.move_to_trash(others, keep)))

    def remove_others(self) -> None:
        """The current group's others leave the library; their files stay where they are."""
        library, others = self._library(), self.others()
        if library is None or not others or self._refuse("Photos can be removed"):
            return

        def op() -> Done:
            library.edits.remove(others)
            return Done(f"Removed {len(others)} photos from the library (the files stay)", Changed.PHOTOS_LEFT)

        self.act(op)

    def dismiss(self) -> None:
        """ "Not duplicates": the current group goes and does not come back (unless it changes)."""
        library = self._library()
        if library is None or not self.groups:
            return
        from app.analysis.duplicates import dismiss
        from app.analysis.library_analysis import AnalysisInputs

        inputs, group = AnalysisInputs.of(library), self.groups[self.current]

        def done(_none: None) -> None:
            self.groups = [g for g in self.groups if g is not group]
            self.current = min(self.current, max(0, len(self.groups) - 1))
            self.view.say("Not duplicates: that group will not be shown again")
            self.show()

        self.tasks.run(lambda: dismiss(inputs, group), done, self.view.show_error)


def _trashed(report: TrashReport) -> Done:
    """What moving a group's others to the Trash says and changed (nothing, if nothing moved)."""
    moved = len(report.moved)
    said = f"Moved {moved} photo{'s' if moved != 1 else ''} to the Trash"
    if report.failed:
        path, why = report.failed[0]
        said += f"; {len(report.failed)} stayed ({display_path(path)}: {why})"
        if not report.moved:
            said = f"Nothing was moved: {display_path(path)}: {why}"
    return Done(said, Changed.PHOTOS_LEFT if report.moved else Changed.NOTHING)


def _stacks(groups: list[DuplicateGroup]) -> dict[int, tuple[int, ...]]:
    """Bursts for the gallery: the suggested keeper's image id -> every shot's."""
    out = {}
    for group in groups:
        if group.tier == "burst" and group.image_ids:
            cover = group.image_ids[group.paths.index(group.keep)]
            out[cover] = group.image_ids
    return out


def _key(group: DuplicateGroup) -> tuple[str, tuple[str, ...]]:
    return group.tier, tuple(sorted(group.paths))


def _with_details(library: Library, found: Duplicates) -> tuple[Duplicates, dict[int, str]]:
    """The groups and, per photo, the line the view shows under it (read on the worker)."""
    import time as clock

    from app.catalog import lookups

    ids = sorted({i for g in found.groups for i in g.image_ids})
    details = {}
    for image_id, info in lookups.images(library.engine, ids).items():
        when = clock.strftime("%d %b %Y %H:%M:%S", clock.localtime(info.taken_at)) if info.taken_at else "no date"
        size = f"{info.byte_size / 1e6:.1f} MB" if info.byte_size >= 1e5 else f"{info.byte_size / 1e3:.0f} KB"
        details[image_id] = f"{info.width}×{info.height} · {size} · {info.format} · {when}"
    return found, details
