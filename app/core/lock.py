"""A single-writer lock on the library folder (an advisory file lock: flock on Linux and macOS,
a locked byte range on Windows), which also keeps writers in one process apart.

The operating system releases it when the process dies, so a killed indexer never leaves the
library locked. It is not re-entrant: while one part of the app holds it (indexing), another
(removing photos from the window) is refused with what holds it, rather than going ahead and
then releasing the indexer's lock.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from types import TracebackType

from app.core.errors import LibraryBusyError, UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # not Windows
    msvcrt = None  # type: ignore[assignment]

# What a lock held elsewhere answers; anything else means locking itself does not work here.
_HELD_ELSEWHERE = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK}


class LockUnsupportedError(UserError):
    """The file system refuses file locks (some network mounts)."""


def _lock(fd: int, path: Path) -> bool:
    """Take the lock without waiting; False when another process (or open file) holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    except OSError as exc:
        if exc.errno in _HELD_ELSEWHERE:
            return False
        raise LockUnsupportedError(
            f"the file system holding the library ({path.parent}) does not support file locks "
            f"({exc.strerror or exc}); keep the library on a local disk"
        ) from None
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]


class WriterLock:
    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only  # a read-only library: no writer can ever hold it
        self._fd: int | None = None
        self._guard = threading.Lock()
        self.holder: str | None = None  # what holds it in this process, for messages

    def try_acquire(self, holder: str | None = None) -> bool:
        """Take the lock; False when another process or another part of this one holds it."""
        with self._guard:
            if self._fd is not None or self.read_only:
                return False
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                from app.core.storage import storage_error

                raise storage_error(self.path.parent, exc) from None
            try:
                if not _lock(fd, self.path):
                    os.close(fd)
                    return False
            except BaseException:
                os.close(fd)
                raise
            try:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, str(os.getpid()).encode())
            except OSError:
                pass  # the pid is a courtesy for people; the lock is what counts
            self._fd = fd
            self.holder = holder
            return True

    def acquire(self, holder: str) -> None:
        """Take the lock for `holder` ("indexing"), or raise LibraryBusyError saying who holds
        it: another part of this process, or another process writing to the library."""
        if self.try_acquire(holder):
            return
        if self.held_here:
            raise LibraryBusyError(
                f"the library is busy {self.holder or 'with other work'}; try again when it finishes"
            )
        raise LibraryBusyError(
            f"another Photo Organizer process is indexing into {self.path.parent} (or otherwise writing to it); "
            "try again when it finishes"
        )

    @property
    def held(self) -> bool:
        return self._fd is not None

    @property
    def held_here(self) -> bool:
        """Held by this process (by this object)."""
        return self._fd is not None

    def release(self) -> None:
        with self._guard:
            if self._fd is None:
                return
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None
            self.holder = None

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
