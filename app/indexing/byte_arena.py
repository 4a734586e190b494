"""One block of shared memory that decode processes copy JPEG files into, for the model's
device to decode from in place: a camera photo's 3-10 MB then never travel through a pipe and
a pickle into the process that feeds the GPU, whose one core (and one GIL) bounds the run.

The run's process reserves room for a file when it hands the file to a process (its size is
known from the scan) and releases it once the photo is committed, so room is used in order,
as a ring. A file that does not fit, or whose size changed since the scan, travels as bytes
as before. The arena is no larger than the run needs, the machine can spare, and the
shared-memory folder has room for (a container's /dev/shm is often 64 MB). Python's resource
tracker removes the block even when the run is killed.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory

MOST = 2 << 30  # the largest arena
LEAST = 32 << 20  # below this the machine cannot spare an arena: files travel as bytes
SHARED_MEMORY_FOLDER = "/dev/shm"


class ArenaUnavailable(Exception):
    """The shared memory for an arena cannot be had (its folder is missing, full or too small)."""


@dataclass(frozen=True)
class Slot:
    """Room in the arena named `arena`: `size` bytes from `offset`."""

    arena: str
    offset: int
    size: int


class ByteArena:
    """The block and its ring of reservations. All of its memory is claimed when it is made
    (`ArenaUnavailable` if it cannot be): a block larger than its folder has room for would
    kill a process writing past that room (SIGBUS), as in a container with a small /dev/shm."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        try:
            self._memory = SharedMemory(create=True, size=self.capacity)
        except OSError as exc:  # no shared memory at all here (a container without /dev/shm)
            raise ArenaUnavailable(f"no shared memory: {exc.strerror or exc}") from None
        try:
            _claim(self._memory, capacity)
        except OSError as exc:
            self._memory.close()
            self._memory.unlink()
            raise ArenaUnavailable(f"no room for {capacity >> 20} MB of shared memory: {exc.strerror}") from None
        self._reserved: deque[list[int]] = deque()  # [offset, size, released] in reserving order
        self._by_offset: dict[int, list[int]] = {}
        self._head = 0  # where the next reservation starts, unless it wraps

    @property
    def name(self) -> str:
        return self._memory.name

    def reserve(self, size: int) -> Slot | None:
        """Room for `size` bytes, or None while the arena is too full."""
        if size <= 0 or size >= self.capacity:
            return None
        tail = self._reserved[0][0] if self._reserved else 0
        if not self._reserved:
            self._head = tail = 0
        if self._head >= tail:  # free: from the head to the end, then from the start to the tail
            if self._head + size <= self.capacity:
                offset = self._head
            elif size < tail:
                offset = 0
            else:
                return None
        elif self._head + size < tail:  # wrapped: free only between the head and the tail
            offset = self._head
        else:
            return None
        entry = [offset, size, 0]
        self._reserved.append(entry)
        self._by_offset[offset] = entry
        self._head = offset + size
        return Slot(self.name, offset, size)

    def release(self, slot: Slot) -> None:
        entry = self._by_offset.pop(slot.offset, None)
        if entry is not None:
            entry[2] = 1
        while self._reserved and self._reserved[0][2]:
            self._reserved.popleft()

    def view(self, slot: Slot) -> memoryview:
        """A slot's bytes, in place."""
        buf = self._memory.buf
        assert buf is not None
        return buf[slot.offset : slot.offset + slot.size]

    def close(self) -> None:
        """Remove the block; its memory goes with the last view of it."""
        self._memory.unlink()
        try:
            self._memory.close()
        except BufferError:  # a tensor still reads from it: unmapped when that goes
            pass


def arena_capacity(wanted: int) -> int:
    """Room for `wanted` bytes of files, within 2 GB, an eighth of the memory and half of what
    the shared-memory folder has free; 0 (no arena) where the machine cannot spare `LEAST`."""
    limit = MOST
    try:
        limit = min(limit, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 8)
    except (ValueError, OSError, AttributeError):
        pass
    try:
        folder = os.statvfs(SHARED_MEMORY_FOLDER)
        limit = min(limit, folder.f_bavail * folder.f_frsize // 2)
    except (OSError, AttributeError):
        pass  # no such folder (not Linux): the system's shared memory is not a small tmpfs
    return 0 if limit < LEAST else min(limit, wanted + 1)


def _claim(memory: SharedMemory, size: int) -> None:
    """Allocate the block's pages now, so that running out of room fails here, not later
    in a process writing to them."""
    fd = getattr(memory, "_fd", -1)
    if fd >= 0 and hasattr(os, "posix_fallocate"):
        os.posix_fallocate(fd, 0, size)


_attached: dict[str, SharedMemory] = {}


def copy_into(slot: Slot, data: bytes) -> Slot | None:
    """In a decode process: put `data` into its slot, and say where it is; None if it no
    longer fits (the file grew since the scan) or the arena is gone (the run stopped). The
    process attaches once, without telling the resource tracker it shares with the run's
    process: the block is that process's to remove."""
    if len(data) > slot.size:
        return None
    memory = _attached.get(slot.arena)
    if memory is None:
        register = resource_tracker.register
        resource_tracker.register = lambda *_args, **_kw: None  # type: ignore[assignment]
        try:
            memory = _attached[slot.arena] = SharedMemory(name=slot.arena)
        except OSError:  # the run ended (stopped) while this file was being read
            return None
        finally:
            resource_tracker.register = register  # type: ignore[assignment]
    buf = memory.buf
    assert buf is not None
    buf[slot.offset : slot.offset + len(data)] = data
    return Slot(slot.arena, slot.offset, len(data))
