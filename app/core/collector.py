"""Python's cycle collector paused while many acyclic records are made at once.

Each few hundred new containers set off a collection, and every so often a full one that walks
everything the process holds: in a window holding a million photos' rows, unpickling the
analysis process's answer of one slider move took 0.65 s with the collector running and 0.09 s
paused. The records made (clusters, events, cards, lists of ids) hold no cycles, so pausing
frees nothing later than reference counting does; the collector runs again as before once the
pause ends, and pauses nest.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
