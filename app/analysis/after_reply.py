"""Work a job in the analysis process leaves until its reply has gone to the window: saving what
it found to the cache. At a million photos the clusters of one move of the strictness slider
are 75 MB of JSON, half a second to write, which the window need not wait for. Elsewhere (the
command line, a small library's window) the work is done at once."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

_held: list[Callable[[], None]] | None = None  # while the analysis process runs a job
_lock = threading.Lock()


def after_reply(work: Callable[[], None]) -> None:
    """`work` now, or once the analysis process has sent the reply of the job running."""
    with _lock:
        held = _held
        if held is not None:
            held.append(work)
            return
    work()


@contextlib.contextmanager
def holding() -> Iterator[list[Callable[[], None]]]:
    """Holds the work the job run inside leaves; `run_held` does it once the reply is sent."""
    global _held
    held: list[Callable[[], None]] = []
    with _lock:
        _held = held
    try:
        yield held
    finally:
        with _lock:
            _held = None


def run_held(held: list[Callable[[], None]]) -> None:
    """The work held, in order; a failure is logged, and the rest still done."""
    for work in held:
        try:
            work()
        except Exception:
            log.exception("work after an analysis reply failed")
    held.clear()
