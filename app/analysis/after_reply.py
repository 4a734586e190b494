"""Work a job in the analysis process leaves until its reply has gone to the window: saving what
it found to the cache. At a million photos the clusters of one move of the strictness slider
are 75 MB of JSON, 0.75 s to make and write, which the window need not wait for; while the
slider is dragged, only the last move's are saved. Elsewhere (the command line, a small
library's window) the work is done at once."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

Held = dict[object, Callable[[], None]]  # work by its key, in the order it was left

_held: Held | None = None  # while the analysis process runs a job
_lock = threading.Lock()


def after_reply(work: Callable[[], None], key: str | None = None) -> None:
    """`work` now, or once the analysis process has sent the reply of the job running. `key`:
    a later work of the same key makes this one needless (the slider's next move saves its
    own clusters in the same file), so the process may drop it (see `analysis_process`)."""
    with _lock:
        held = _held
        if held is not None:
            named: object = key if key is not None else object()
            held.pop(named, None)
            held[named] = work
            return
    work()


@contextlib.contextmanager
def holding() -> Iterator[Held]:
    """Holds the work the job run inside leaves; `run_held` does it once the reply is sent."""
    global _held
    held: Held = {}
    with _lock:
        _held = held
    try:
        yield held
    finally:
        with _lock:
            _held = None


def postpone(held: Held, into: Held) -> None:
    """`held` added to the work left before (`into`), replacing any of the same key."""
    for key, work in held.items():
        into.pop(key, None)
        into[key] = work
    held.clear()


def run_held(held: Held) -> None:
    """The work held, in order; a failure is logged, and the rest still done."""
    for work in list(held.values()):
        try:
            work()
        except Exception:
            log.exception("work after an analysis reply failed")
    held.clear()
