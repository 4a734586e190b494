"""A bounded look-ahead over a worker pool: work is submitted a few items ahead of the one
consumer (the model), results come back in order, pause and stop are honoured between items,
and whatever was not yet started is cancelled on the way out. Indexing and the region pass both
run their decoding this way (rclip's habit: decode on a pool, embed on one thread)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future
from types import TracebackType
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def wait_while_paused(
    paused: threading.Event, should_stop: Callable[[], bool], on_pause: Callable[[], None] | None = None
) -> None:
    """Block while `paused` is set and no stop is asked for; `on_pause` runs first, once, on
    this thread (the consumer's), so the consumer can commit what it holds before it waits."""
    if not paused.is_set() or should_stop():
        return
    if on_pause is not None:
        on_pause()
    while paused.is_set() and not should_stop():
        time.sleep(0.1)


class InOrder(Generic[Item, Result]):
    """Iterate for the results; use as a context manager so pending work is cancelled even
    when the consumer stops early. `stopped` says whether `should_stop` ended it; `on_pause`
    runs as each pause begins (see `wait_while_paused`)."""

    def __init__(
        self,
        submit: Callable[[Item], Future[Result]],
        items: Iterable[Item],
        depth: int,
        paused: threading.Event,
        should_stop: Callable[[], bool],
        on_pause: Callable[[], None] | None = None,
    ) -> None:
        self._submit = submit
        self._items = iter(items)
        self._depth = max(1, depth)
        self._paused = paused
        self._should_stop = should_stop
        self._on_pause = on_pause
        self._pending: deque[Future[Result]] = deque()
        self.stopped = False
        self._results = self._run()

    def _top_up(self) -> None:
        while len(self._pending) < self._depth:
            item = next(self._items, None)
            if item is None:
                return
            self._pending.append(self._submit(item))

    def _run(self) -> Generator[Result, None, None]:
        self._top_up()
        while self._pending:
            wait_while_paused(self._paused, self._should_stop, self._on_pause)
            if self._should_stop():
                self.stopped = True
                return
            result = self._pending.popleft().result()
            self._top_up()
            yield result

    @property
    def exhausted(self) -> bool:
        """No work left in flight (the result just handed out was the last)."""
        return not self._pending

    def __iter__(self) -> Iterator[Result]:
        return self._results

    def __enter__(self) -> InOrder[Item, Result]:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._results.close()
        for future in self._pending:
            future.cancel()
