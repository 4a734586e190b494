"""What every part of the window's logic shares (clusters and the map, people, names,
duplicates): the view it shows things in, the task runner its work goes through, the browse
state (the gallery's rows and what is shown), and the open library, read when needed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.controller.browse_state import BrowseState
from app.controller.window_view import TaskRunner, WindowView

if TYPE_CHECKING:
    from app.library import Library


@dataclass(frozen=True)
class WindowParts:
    view: WindowView
    tasks: TaskRunner
    browse: BrowseState
    library: Callable[[], Library | None]


class WindowPart:
    """A part of the window's logic, built from the `WindowParts` the controller shares."""

    def __init__(self, parts: WindowParts) -> None:
        self.view = parts.view
        self.tasks = parts.tasks
        self.browse = parts.browse
        self._library = parts.library
