"""One place that runs background work and brings results back to the GUI thread.

Anki's habit: `run(op, on_success, on_error)` where `op` runs on a worker and must never touch
widgets; the callbacks run on the GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


T = TypeVar("T")


class TaskManager(QObject):
    _finished = Signal(object, object, object)  # callback, result, error

    # Six: up to three of them may only wait on the analysis process (clusters, the map,
    # duplicates), and the gallery, a search and the rest still find one free.
    def __init__(self, parent: QObject | None = None, workers: int = 6) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ui-task")
        self._finished.connect(self._on_finished)
        self._running = 0
        self._closed = False

    @property
    def busy(self) -> bool:
        return self._running > 0

    def run(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        """`op` on a worker; then `on_success(result)` or `on_error(error)` on the GUI thread."""
        if self._closed:  # the window is closing: late work (a timer's refresh) is dropped
            dropped: Future[T] = Future()
            dropped.cancel()
            return dropped
        self._running += 1

        def done(future: Future[T]) -> None:
            if future.cancelled():  # cancelled at shutdown: nobody waits for it
                return
            error = future.exception()
            self._finished.emit((on_success, on_error), None if error else future.result(), error)

        future = self._pool.submit(op)
        future.add_done_callback(done)
        return future

    @Slot(object, object, object)
    def _on_finished(self, callbacks: tuple, result: Any, error: BaseException | None) -> None:
        self._running -= 1
        on_success, on_error = callbacks
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                log.error("background task failed", exc_info=error)
        elif on_success is not None:
            on_success(result)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
