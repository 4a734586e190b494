"""Where the window's library-wide analyses run: in its own process for a small library, and
for a large one in one child process, one analysis at a time, at a lower priority.

At a million photos clustering, the map and the duplicates scan each hold gigabytes while they
work (the vectors, the neighbour graph, the candidate pairs) and keep a core busy for minutes.
In a child process none of that is the window's: the window stays within its memory, its
threads keep the GIL for the gallery, and what the child found comes back as plain records.
The child lives as long as the window and keeps what it built (the slider's neighbour graph)
between calls; closing the window ends it at once (a scan under way is not kept, as when
stopped). A child that dies (the system ran out of memory) is started again for the next call.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from app.analysis.after_reply import holding, run_held
from app.analysis.library_analysis import AnalysisInputs
from app.core.collector import collector_paused
from app.core.errors import CancelledError, UserError
from app.core.paths import LibraryPaths

log = logging.getLogger(__name__)

CHILD_ABOVE = 20_000  # photos; below this a child's start (about a second) costs more than it saves
NICENESS = 10  # the child yields the cores to the window and to indexing
IDLE_BEFORE_COLLECTING = 0.5  # seconds with no job waiting

T = TypeVar("T")


@dataclass(frozen=True)
class ChildInputs:
    """`AnalysisInputs` as they cross to the child: paths instead of the engine, and the
    vocabulary's vectors (embedded here, by the library's model) instead of the model."""

    catalog: Path
    folder: Path
    model_key: str
    read_only: bool
    thumbnails: Path
    vocabulary: np.ndarray | None

    def opened(self) -> AnalysisInputs:
        from app.catalog.database import open_catalog

        engine = _engines.get(self.catalog)
        if engine is None:
            engine = _engines[self.catalog] = open_catalog(self.catalog, self.read_only)
        return AnalysisInputs(
            engine, self.folder, self.model_key, self.read_only, _Vocabulary(self.vocabulary), self.thumbnails
        )


_engines: dict[Path, Any] = {}  # in the child: one engine per catalog, kept between calls


class _Vocabulary:
    """The child's `embed_texts`: only the vocabulary, embedded by the window beforehand."""

    def __init__(self, vectors: np.ndarray | None) -> None:
        self.vectors = vectors

    def __call__(self, texts: Any) -> np.ndarray:
        if self.vectors is None:
            raise UserError("naming clusters needs the library's model, which the analysis was not given")
        return self.vectors


class AnalysisProcess:
    """Runs `job(inputs, *args)` where it belongs, on the calling (worker) thread's time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one analysis at a time in the child
        self._process: Any = None
        self._conn: Connection | None = None
        self._closed = False

    @staticmethod
    def in_child(photos: int) -> bool:
        return photos > CHILD_ABOVE

    def run(
        self,
        photos: int,
        job: Callable[..., T],
        inputs: AnalysisInputs,
        *args: Any,
        vocabulary: Callable[[], np.ndarray] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> T:
        """`job` is a module-level function (the child imports it by name); `vocabulary` gives
        the concept vectors a job that names clusters needs (read or embedded here). `stop`
        reaches a job run here as `should_stop`; in the child, closing ends the job instead."""
        if not self.in_child(photos):
            return job(inputs, *args, **({"should_stop": stop} if stop is not None else {}))
        crossing = ChildInputs(
            LibraryPaths(inputs.folder.parent).catalog,  # the analysis cache is in the library's folder
            inputs.folder,
            inputs.model_key,
            inputs.read_only,
            inputs.thumbnails,
            vocabulary() if vocabulary is not None else None,
        )
        with self._lock:
            conn = self._started()
            try:
                conn.send((job, crossing, args))
                ok, value = _received(conn)
            except (EOFError, OSError) as exc:
                self._forget()
                if self._closed:
                    raise CancelledError("the window closed while the analysis ran") from None
                raise UserError(
                    "the analysis process ended before it finished (the computer may have run out of memory)"
                ) from exc
            except Exception as exc:  # a reply that cannot be unpickled here: the pipe stays usable
                raise UserError(f"the analysis failed: {exc}") from exc
        if not ok:
            raise value
        return value

    def _started(self) -> Connection:
        if self._closed:
            raise CancelledError("the window is closing")
        if self._conn is None or self._process is None or not self._process.is_alive():
            self._forget()
            # spawn, not fork: the window's threads and Qt must not be copied into the child.
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs,), name="photo-organizer-analysis", daemon=True)
            process.start()
            theirs.close()
            self._process, self._conn = process, ours
        return self._conn

    def _forget(self) -> None:
        process, conn, self._process, self._conn = self._process, self._conn, None, None
        if conn is not None:
            conn.close()
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(5)

    def close(self) -> None:
        """End the child now, whatever it is doing; a call waiting on it raises CancelledError."""
        self._closed = True
        process = self._process
        if process is not None and process.is_alive():
            process.kill()  # the waiting call sees the pipe close, and forgets the process


def _received(conn: Connection) -> Any:
    """The child's reply, unpickled with the cycle collector paused (`collector_paused`): a
    hundred thousand records at a million photos."""
    with collector_paused():
        return conn.recv()


def _serve(conn: Connection) -> None:
    """The child: run each job sent, send back (True, result) or (False, error), until the
    window's end of the pipe closes."""
    from app.indexing.decoding import lower_priority

    lower_priority(NICENESS)
    while True:
        try:
            job, crossing, args = conn.recv()
        except (EOFError, OSError):
            return
        gc.disable()  # see `_collect_when_idle`
        with holding() as held:  # what the job saves is saved once the window has its answer
            try:
                reply: tuple[bool, Any] = (True, job(crossing.opened(), *args))
            except BaseException as exc:  # every failure goes back to the window, which shows it
                reply = (False, exc)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an error or result that cannot be pickled
            log.warning("analysis reply could not be sent: %s", exc)
            conn.send((False, UserError(f"the analysis failed: {reply[1]}")))
        finally:
            run_held(held)
        del reply
        _collect_when_idle(conn)


def _collect_when_idle(conn: Connection) -> None:
    """Python's cycle collector, run between jobs rather than during them. The child keeps a
    million photos' paths, events and neighbour graph; a full collection walks all of that,
    and a job that makes a hundred thousand records (the clusters of one slider move) set off
    several, a second of its three. Runs of the slider come one after another: the collector
    waits until none is waiting (reference counting frees all but cycles meanwhile)."""
    if not conn.poll(IDLE_BEFORE_COLLECTING):
        gc.collect()
    gc.enable()
