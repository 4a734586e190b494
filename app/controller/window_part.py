"""What every part of the window's logic shares (clusters and the map, people, names,
duplicates): the view it shows things in, the task runner its work goes through, the browse
state (the gallery's rows and what is shown), the open library, read when needed, and where
an action's `Done` is applied."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from app.analysis.analysis_process import AnalysisProcess
from app.controller.browse_state import BrowseState
from app.controller.changes import Done
from app.controller.window_view import PartView, TaskRunner, WindowView

if TYPE_CHECKING:
    from app.library import Library

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowParts:
    view: WindowView
    tasks: TaskRunner
    browse: BrowseState
    library: Callable[[], Library | None]
    apply: Callable[[Done], None] = lambda _done: None  # the controller's `apply`
    # Clusters, the map and duplicates: in a child process for a large library.
    analyses: AnalysisProcess = field(default_factory=AnalysisProcess)


V = TypeVar("V", bound=PartView)


class WindowPart(Generic[V]):
    """A part of the window's logic, built from the `WindowParts` the controller shares. `V` is
    the part's own view protocol: the part may ask only that of the window (the window's
    `WindowView` is every part's view at once)."""

    def __init__(self, parts: WindowParts) -> None:
        self.view: V = cast(V, parts.view)
        self.tasks = parts.tasks
        self.browse = parts.browse
        self._library = parts.library
        self._apply = parts.apply
        self.analyses = parts.analyses

    def act(self, op: Callable[[], Done], then: Callable[[Done], None] | None = None) -> None:
        """Run an action on the task runner; what it returns is applied in the one place that
        refreshes views (`WindowController.apply`), then `then` sees it."""
        run_action(self.tasks, op, self._apply, then, self.view.show_error)


def run_action(
    tasks: TaskRunner,
    op: Callable[[], Done],
    apply: Callable[[Done], None],
    then: Callable[[Done], None] | None,
    failed: Callable[[BaseException], None],
) -> None:
    def done(result: Done) -> None:
        apply(result)
        if then is not None:
            then(result)

    tasks.run(op, done, failed)


def warm_up(library: Library, first: Callable[[], None]) -> None:
    """In the background once a library opened, after `first` (the gallery's first page): its
    vector file is read (opening leaves it on disk) and its exported text tower loaded, so
    that the first search waits for neither."""
    first()
    try:
        if library.store is not None:
            library.store.load()
        library.queries.warm()
    except Exception as error:  # noqa: BLE001 - a search says it, and loads what it needs then
        log.info("no quick search yet: %s", error)


def library_size(library: Library) -> int:
    """The photos' vectors the library holds: what decides where its analyses run."""
    return library.store.ntotal if library.store is not None else 0
