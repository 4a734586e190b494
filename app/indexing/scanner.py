"""Walking folders for photos: hidden and system folders skipped, symlinks never looped.

Directory symlinks are followed once each (by device and inode), so a link back to a parent
cannot loop; a dangling or self-referencing link with a photo extension is reported as a
failure rather than silently dropped. A folder that cannot be listed right now (permissions,
I/O errors, privacy rules) is reported apart: what the library knows below it is not absent,
only out of reach, and is kept.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.dates import stored_ns
from app.core.media_kinds import RAW_EXTENSIONS, VIDEO_EXTENSIONS

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (
    frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".heif"})
    | RAW_EXTENSIONS
)
MEDIA_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS  # what a scan takes
SKIPPED_FOLDERS = frozenset(
    {"@eaDir", "$RECYCLE.BIN", "System Volume Information", "lost+found", "__MACOSX", "node_modules", ".thumbnails"}
)


@dataclass(frozen=True)
class ScannedFile:
    path: str
    size: int
    mtime_ns: int
    ctime_ns: int | None = None


@dataclass(frozen=True)
class ScanFailure:
    path: str
    reason: str
    confirmed: bool  # True: the file is bad (a broken link); False: it could not be read now


@dataclass
class ScanResult:
    files: list[ScannedFile] = field(default_factory=list)
    failures: list[ScanFailure] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (folder, reason): contents unknown
    excluded: list[str] = field(default_factory=list)  # folders met and left out (the library's own)


def is_media_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in MEDIA_EXTENSIONS


def _skip_folder(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_FOLDERS


def scan(
    roots: Iterable[Path],
    on_progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    exclude: Iterable[Path] = (),
) -> ScanResult:
    """All photo files under `roots` (files given directly are taken as they are)."""
    result = ScanResult()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    # Left out by identity, not by name: a library reached through a symbolic link (or
    # macOS's /tmp) is still the library.
    excluded = {key for key in map(_identity, exclude) if key is not None}

    def add_file(path: str, st: os.stat_result) -> None:
        if path not in seen_files:
            seen_files.add(path)
            result.files.append(ScannedFile(path, st.st_size, stored_ns(st.st_mtime_ns), stored_ns(st.st_ctime_ns)))

    def fail(path: str, exc: OSError) -> None:
        reason, confirmed = failure_reason(path, exc)
        result.failures.append(ScanFailure(path, reason, confirmed))

    stack: list[str] = []
    for root in roots:
        root_str = str(root)
        try:
            st = os.stat(root_str)
        except OSError as exc:
            fail(root_str, exc)
            continue
        if stat.S_ISDIR(st.st_mode):
            stack.append(root_str)
        elif stat.S_ISREG(st.st_mode):
            add_file(root_str, st)

    while stack:
        if should_stop is not None and should_stop():
            break
        folder = stack.pop()
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
            if key in excluded:
                result.excluded.append(folder)
                continue
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("cannot list %s: %s", folder, exc)
            result.unreadable.append((folder, failure_reason(folder, exc)[0]))
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not _skip_folder(entry.name):
                        subfolders.append(entry.path)
                    continue
                if not is_media_name(entry.name) or entry.name.startswith("._"):
                    continue
                st = entry.stat(follow_symlinks=True)
                if stat.S_ISREG(st.st_mode):
                    add_file(entry.path, st)
            except OSError as exc:
                if is_media_name(entry.name):
                    fail(entry.path, exc)
                elif not _skip_folder(entry.name) and not _confirmed_absent(entry.path, exc):
                    # Maybe a folder we cannot look at now: whatever is known below it stays.
                    result.unreadable.append((entry.path, failure_reason(entry.path, exc)[0]))
        # Depth-first in name order, so progress and results follow the folder tree.
        stack.extend(sorted(subfolders, reverse=True))
        if on_progress is not None:
            on_progress(len(result.files))
    return result


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _confirmed_absent(path: str, exc: OSError) -> bool:
    """The error says the thing is not there (or is a link to nothing), not that it is out of reach."""
    return exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP) and (
        exc.errno != errno.ENOENT or os.path.islink(path) or not os.path.lexists(path)
    )


def failure_reason(path: str, exc: OSError) -> tuple[str, bool]:
    """A readable reason, and whether it is a fact about the file (True) rather than something
    that kept us from reading it just now (False: tried again next time)."""
    if os.path.islink(path):
        if exc.errno == errno.ELOOP:
            return "symbolic link loop", True
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "broken symbolic link", True
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file or folder", True
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied", False
    return f"cannot read: {exc.strerror or exc}", False
