"""A budget of pixels that decodes share, so huge images cannot exhaust memory together.

A 14000x14000 PNG is 570 KB on disk, under the 200 MP limit, and takes 1.2-2.3 GB to decode;
with one decode worker per core (16 on a GPU machine) a handful of them at once would exhaust
memory. Each decode holds its pixel count from the budget while it runs; one that does not fit
waits until others finish, and one larger than the whole budget runs alone. Threads share one
budget in the process; decode processes share one through `multiprocessing` primitives.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

BUDGET_ENV = "PHOTO_ORGANIZER_DECODE_PIXELS"
BYTES_PER_PIXEL = 12  # the decoded picture, its RGB copy and a resize, at their peak together
MIN_BUDGET = 200_000_000  # the largest image we accept always fits


def default_budget() -> int:
    """A quarter of physical memory, in pixels (never below one maximal image)."""
    configured = os.environ.get(BUDGET_ENV, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not POSIX
        memory = 8 << 30
    return max(MIN_BUDGET, memory // 4 // BYTES_PER_PIXEL)


class PixelBudget:
    """Counting pixels in use against a limit. `condition` and `used` may come from a
    multiprocessing context (shared by processes) or be threading's (the default)."""

    def __init__(self, limit: int, condition: Any | None = None, used: Any | None = None) -> None:
        self.limit = limit
        self._condition = condition if condition is not None else threading.Condition()
        self._used = used if used is not None else _Counter()
        self.peak = 0  # the most held at once, as seen by this process (tests, diagnostics)

    @contextlib.contextmanager
    def held(self, pixels: int) -> Iterator[None]:
        pixels = max(0, int(pixels))
        with self._condition:
            while self._used.value > 0 and self._used.value + pixels > self.limit:
                self._condition.wait()
            self._used.value += pixels
            self.peak = max(self.peak, self._used.value)
        try:
            yield
        finally:
            with self._condition:
                self._used.value -= pixels
                self._condition.notify_all()

    def shared_state(self) -> tuple[int, Any, Any]:
        """What a child process needs to share this budget (`from_shared_state`)."""
        return self.limit, self._condition, self._used

    @classmethod
    def for_processes(cls, context: Any, limit: int | None = None) -> PixelBudget:
        return cls(limit or default_budget(), context.Condition(), context.Value("q", 0, lock=False))


class _Counter:
    value = 0


_budget: PixelBudget | None = None
_budget_lock = threading.Lock()


def decode_budget() -> PixelBudget:
    """This process's budget (made on first use, or set by a decode process's initialiser)."""
    global _budget
    with _budget_lock:
        if _budget is None:
            _budget = PixelBudget(default_budget())
        return _budget


def use_budget(budget: PixelBudget | None) -> None:
    """Make `budget` the one decodes in this process use (None: a fresh default next time)."""
    global _budget
    with _budget_lock:
        _budget = budget
