"""The newest photos, shown while a large library's whole gallery loads.

Reading every photo's row takes seconds at a million photos (4 s for the rows alone, 5.5 s with
their marks, here); the newest `FIRST_PAGE` come through the indexes on dates taken and file
times (`catalog.newest_photos`: 0.01 s at a million, 0.25 s with their marks) and fill the
window first. The whole list replaces them when it arrives, planned as
ever; the page is shown only while that load is still running and the gallery is empty and shows
all photos (a search, a cluster or a folder chosen meanwhile keeps the gallery), and only for a
library larger than a page (a smaller one's whole gallery comes as quickly, in one piece).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from app.controller.browse_state import BrowseState
from app.controller.gallery_rows import GalleryRows, library_rows, plan_update
from app.controller.window_view import TaskRunner, WindowView

if TYPE_CHECKING:
    from app.library import Library

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_PAGE = 2_000
PAGE_WAIT = 10.0  # seconds the whole gallery's load waits for the page at most


class FirstPage:
    """Once per opened library: the newest photos' rows, ahead of the whole gallery."""

    def __init__(self, view: WindowView, tasks: TaskRunner, browse: BrowseState) -> None:
        self._view = view
        self._tasks = tasks
        self._browse = browse
        self.asked = False
        self._read = threading.Event()  # no page on its way (set), or the page is being read
        self._read.set()

    def ask(self, library: Library, stacks: Mapping[int, tuple[int, ...]], loading: Callable[[], bool]) -> None:
        """Read the first page unless it was asked for already; `loading` says whether the whole
        gallery is still on its way when the page arrives."""
        if self.asked:
            return
        self.asked = True
        self._read.clear()

        def page() -> tuple[list[tuple], GalleryRows]:
            try:
                return library_rows(library, "date", stacks, FIRST_PAGE)
            finally:
                self._read.set()

        def arrived(found: tuple[list[tuple], GalleryRows]) -> None:
            rows, entries = found
            if len(entries) < FIRST_PAGE:
                return  # the library holds less than a page: the whole gallery is as quick
            wanted = self._browse.whole_gallery and not self._browse.showing_results
            if not loading() or not wanted or self._view.gallery_rows() or not rows:
                return
            self._browse.entries = entries
            self._view.show_gallery(rows, plan_update((), rows), 0)

        self._tasks.run(page, arrived, lambda error: log.info("no first page of the gallery: %s", error))

    def wait(self) -> None:
        """On a worker, before the whole gallery's rows are read: the page is read first, alone.
        Both are Python work under one lock; read side by side, the page took 3.7 s at a million
        photos where it takes 2 s alone."""
        self._read.wait(PAGE_WAIT)


class AfterFirstPage:
    """The task runner the window's parts share: while an opened library's first page is read,
    their work (clusters, places, memories, folders, people, duplicates...) waits for it on its
    worker. Started side by side with it, six of them held the page (Python work under one
    lock, on two cores) from 1 s to 3.4 s at a million photos."""

    def __init__(self, tasks: TaskRunner, page: FirstPage) -> None:
        self._tasks, self._page = tasks, page

    def run(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Any:
        @functools.wraps(op)  # the work keeps its name (logs, tests)
        def after_the_page() -> T:
            self._page.wait()
            return op()

        return self._tasks.run(after_the_page, on_success, on_error)
