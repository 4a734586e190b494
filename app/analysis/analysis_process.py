"""Where the window's library-wide analyses run: in its own process for a small library, and
for a large one in one child process, one analysis at a time, at a lower priority.

At a million photos clustering, the map and the duplicates scan each hold gigabytes while they
work (the vectors, the neighbour graph, the candidate pairs) and keep a core busy for minutes.
In a child process none of that is the window's: the window stays within its memory, its
threads keep the GIL for the gallery, and what the child found comes back as plain records.
The child lives as long as the window and keeps what it built (the slider's neighbour graph)
between calls; closing the window ends it at once (a scan under way is not kept, as when
stopped), or when idle, once it has saved what its last jobs found. A child that dies (the system ran out of memory) is started again for the next call.
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

from app.analysis.after_reply import Held, holding, postpone, run_held
from app.analysis.library_analysis import AnalysisInputs
from app.core.collector import collector_paused
from app.core.errors import CancelledError, UserError
from app.core.paths import LibraryPaths

log = logging.getLogger(__name__)

# Photos. Below this a child's start (about a second) costs more than it saves; above, the
# analyses' Python work in the window's process held up its painting (a search painted at
# 10,000 photos, median of 10: 34-64 ms with them in the window, 19-21 ms with them here).
CHILD_ABOVE = 5_000
NICENESS = 10  # the child yields the cores to the window and to indexing
# Seconds with no job waiting before the child saves and collects: while the slider is dragged,
# the window asks the next move once it has shown the last (cards and all: up to a second).
REST_SECONDS = 2.0
FINISH_SECONDS = 2.0  # the most a closing window waits for the child's last saving

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
        # Starting the child and closing never pass each other: a close during a start (a
        # spawn takes a tenth of a second) ends the child just started, so no job is sent to
        # it (a closing window used to wait for that job: 10-20 s at 200,000 photos).
        self._starting = threading.Lock()
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
        with self._starting:
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
        """End the child: at once while a job runs (what it computes is not kept, as when
        stopped), a call waiting on it raising CancelledError; otherwise once it has done the
        work its last jobs left (saving the slider's last clusters), within `FINISH_SECONDS`."""
        with self._starting:
            self._closed = True
            process, conn = self._process, self._conn
        if process is None or not process.is_alive():
            return
        if conn is not None and self._lock.acquire(blocking=False):  # no job under way
            try:
                conn.send(None)
                process.join(FINISH_SECONDS)
            except (OSError, ValueError):
                pass
            finally:
                self._lock.release()
        if process.is_alive():
            process.kill()  # the waiting call sees the pipe close, and forgets the process


def _received(conn: Connection) -> Any:
    """The child's reply, unpickled with the cycle collector paused (`collector_paused`): a
    hundred thousand records at a million photos."""
    with collector_paused():
        return conn.recv()


def _serve(conn: Connection) -> None:
    """The child: run each job sent, send back (True, result) or (False, error), until the
    window's end of the pipe closes, or the window sends None (it closes: the work the jobs
    left is done first)."""
    from app.indexing.decoding import lower_priority

    lower_priority(NICENESS)
    left: Held = {}  # work the jobs left after their replies, not done yet
    last: Any = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            run_held(left)
            return
        job, crossing, args = message
        if job is not last:
            run_held(left)  # only the same job again (the slider's next move) may make it needless
        last = job
        gc.disable()  # see `_when_idle`
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
            postpone(held, left)
        del reply
        _when_idle(conn, left)


def _when_idle(conn: Connection, left: Held) -> None:
    """The work the jobs left, and Python's cycle collector, done once the window has asked
    nothing for `REST_SECONDS` rather than between jobs. While the slider is dragged its moves
    come one after another: each move's clusters would be saved before the next (0.75 s at a
    million photos), and only the last are needed. The child keeps a million photos' paths,
    events and neighbour graph: a full collection walks all of that (seconds), and a job that
    makes a hundred thousand records set off several. Reference counting frees all but cycles
    meanwhile."""
    if not conn.poll(REST_SECONDS):
        run_held(left)
        if not conn.poll(0):
            gc.collect()
    gc.enable()
