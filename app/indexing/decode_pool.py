"""Where a run decodes: a pool of decode threads (the default), or of processes where a GPU is
fed faster than the GIL allows; each process lowers its priority, knows the content the catalog
has, shares the pixel budget, and exits with its run. Files for the model's device pass through
one shared-memory arena (`byte_arena`) where processes decode."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from app.core.media_kinds import is_raw, is_video
from app.core.parent_watch import exit_with_parent
from app.core.paths import LibraryPaths
from app.indexing.byte_arena import ArenaUnavailable, ByteArena, Slot, arena_capacity
from app.indexing.decoding import lower_priority
from app.indexing.outcomes import Outcome, prepare
from app.indexing.pixel_budget import PixelBudget, use_budget
from app.indexing.run_setup import IndexOptions
from app.indexing.scanner import ScannedFile
from app.ml.preprocess import InputSpec

log = logging.getLogger(__name__)


def decode_pool(workers: int, options: IndexOptions, device: str, known_hashes: dict[str, int]) -> Executor:
    """Threads by default: decoding releases the GIL for most of its work, and on a laptop
    the model needs the cores anyway. A GPU is fed faster than the GIL allows, so there
    (or when asked) decoding runs in processes."""
    if options.use_processes(device):
        # spawn, not forkserver: a forkserver outlives a killed run and keeps its pipes open.
        context = multiprocessing.get_context("spawn")
        try:
            budget = PixelBudget.for_processes(context)
            return ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_init_decode_process,
                initargs=(options.decode_niceness, dict(known_hashes), budget.shared_state()),
            )
        except OSError as exc:  # no semaphores between processes here (no usable /dev/shm)
            log.warning("decoding in threads: processes cannot share locks here (%s)", exc.strerror or exc)
    return ThreadPoolExecutor(
        max_workers=workers,
        thread_name_prefix="decode",
        initializer=lower_priority,
        initargs=(options.decode_niceness,),
    )


_process_known_hashes: dict[str, int] = {}


def _init_decode_process(niceness: int, known_hashes: dict[str, int], budget: tuple[int, Any, Any]) -> None:
    global _process_known_hashes
    _process_known_hashes = known_hashes
    use_budget(PixelBudget(*budget))
    lower_priority(niceness)
    exit_with_parent()  # a decode process must not outlive an indexing run that was killed


def prepare_in_process(
    item: ScannedFile, input_spec: InputSpec, paths: LibraryPaths, on_device: bool, slot: Slot | None
) -> Outcome:
    # Content first seen earlier in this run is decoded again here rather than linked; the
    # catalog still stores it once (add_embedded_images matches it by hash).
    return prepare(item, _process_known_hashes, input_spec, paths, on_device, slot)


def may_go_to_device(item: ScannedFile) -> bool:
    """Whether the device may decode the file (a JPEG may; a video or a RAW never does)."""
    return not (is_video(item.path) or is_raw(item.path))


@contextlib.contextmanager
def arena_for(pool: Executor, on_device: bool, work: Sequence[ScannedFile]) -> Iterator[ByteArena | None]:
    """Shared memory for the files decode processes hand to the device, as large as the run
    needs and the machine can spare; none for threads, which share this process's memory
    anyway, nor where none can be had (the files then travel as bytes)."""
    capacity = arena_capacity(sum(item.size for item in work if may_go_to_device(item))) if on_device else 0
    if not capacity or not isinstance(pool, ProcessPoolExecutor):
        yield None
        return
    try:
        arena = ByteArena(capacity)
    except ArenaUnavailable as exc:
        log.warning("files for the device go through pipes: %s", exc)
        yield None
        return
    try:
        yield arena
    finally:
        arena.close()
