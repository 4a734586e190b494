"""Long library work from the window, one piece at a time: indexing, the region pass, a model
switch, teaching a name. Folders dropped and names taught meanwhile wait their turn, and the
region pass steps aside for them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path


class IndexingQueue:
    """The flags a running task reads (stop, pause, defer the region pass) and the folders
    waiting for it to end. Thread-safe where workers read: the flags are `threading.Event`s."""

    def __init__(self) -> None:
        self._stop: threading.Event | None = None
        self.pause = threading.Event()
        self.defer_regions = threading.Event()  # set when a folder waits behind the region pass
        self.waiting: list[Path] = []
        self.waiting_work: list[Callable[[], None]] = []  # other tasks (teaching), started in turn
        self.last_roots: list[Path] = []  # what the last indexing run was asked to index

    @property
    def running(self) -> bool:
        return self._stop is not None

    @property
    def stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def begin(self, roots: list[Path] | None = None) -> threading.Event:
        """Start a task; returns the flag that tells it to stop."""
        assert self._stop is None, "one library task at a time"
        if roots is not None:
            self.last_roots = list(roots)
        self.pause.clear()
        self._stop = threading.Event()
        return self._stop

    def wait_behind(self, roots: list[Path]) -> None:
        """Folders to index once the running task ends. New photos go first: the region pass
        (slow) steps aside at its next batch and continues after them."""
        self.waiting += roots
        if self.running:
            self.defer_regions.set()

    def wait_with(self, work: Callable[[], None]) -> None:
        """A task to start once the running one ends (after any folders waiting)."""
        self.waiting_work.append(work)
        if self.running:
            self.defer_regions.set()

    def next_work(self) -> Callable[[], None] | None:
        return self.waiting_work.pop(0) if self.waiting_work else None

    def set_paused(self, paused: bool) -> None:
        if paused:
            self.pause.set()
        else:
            self.pause.clear()

    def cancel(self) -> bool:
        """Ask the running task to stop (what it did is kept); False if none runs."""
        self.pause.clear()
        if self._stop is None:
            return False
        self._stop.set()
        return True

    def end(self) -> list[Path]:
        """The task ended (done, stopped or failed): returns the folders waiting, now due."""
        self._stop = None
        self.defer_regions.clear()
        self.pause.clear()
        due, self.waiting = self.waiting, []
        return due
