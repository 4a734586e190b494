"""What every part of the window's logic shares (clusters and the map, people, names,
duplicates): the view it shows things in, the task runner its work goes through, the browse
state (the gallery's rows and what is shown), and the open library, read when needed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from app.controller.browse_state import BrowseState
from app.controller.window_view import PartView, TaskRunner, WindowView

if TYPE_CHECKING:
    from app.library import Library


@dataclass(frozen=True)
class WindowParts:
    view: WindowView
    tasks: TaskRunner
    browse: BrowseState
    library: Callable[[], Library | None]


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
