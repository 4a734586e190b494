"""Errors of the library's own storage, told apart from faults of a photo.

A full disk, a folder without free inodes, permissions or read-only media stop the work that
writes with one clear line (`LibraryStorageError`); nothing is blamed on the photo being
processed, and what was committed before stays consistent for the next run.
"""

from __future__ import annotations

import errno
import os

from app.core.errors import LibraryStorageError

_WHY = {
    errno.ENOSPC: "the disk is full (or out of free inodes)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "it is on read-only storage",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EFBIG: "the file grew past the system's limit",
    errno.EIO: "an input/output error",
}


def storage_error(where: os.PathLike[str] | str, exc: OSError) -> LibraryStorageError:
    why = _WHY.get(exc.errno or 0) or (exc.strerror or str(exc))
    return LibraryStorageError(
        f"cannot write to the library ({os.fspath(where)}): {why}; what was done so far is kept, "
        f"so run the command again once that is fixed"
    )


def is_storage_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "no space" in text
