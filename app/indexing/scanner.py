"""Walking folders for photos: hidden and system folders skipped, symlinks never looped.

Directory symlinks are followed once each (by device and inode), so a link back to a parent
cannot loop; a dangling or self-referencing link with a photo extension is reported as a
failure rather than silently dropped.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".heif"}
)
SKIPPED_FOLDERS = frozenset(
    {"@eaDir", "$RECYCLE.BIN", "System Volume Information", "lost+found", "__MACOSX", "node_modules", ".thumbnails"}
)


@dataclass(frozen=True)
class ScannedFile:
    path: str
    size: int
    mtime_ns: int


@dataclass
class ScanResult:
    files: list[ScannedFile] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


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
    excluded = {str(p) for p in exclude}

    def add_file(path: str, st: os.stat_result) -> None:
        if path not in seen_files:
            seen_files.add(path)
            result.files.append(ScannedFile(path, st.st_size, st.st_mtime_ns))

    stack: list[str] = []
    for root in roots:
        root_str = str(root)
        try:
            st = os.stat(root_str)
        except OSError as exc:
            result.failures.append((root_str, _link_reason(root_str, exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            stack.append(root_str)
        elif stat.S_ISREG(st.st_mode):
            add_file(root_str, st)

    while stack:
        if should_stop is not None and should_stop():
            break
        folder = stack.pop()
        if folder in excluded:
            continue
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("cannot list %s: %s", folder, exc)
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not _skip_folder(entry.name):
                        subfolders.append(entry.path)
                    continue
                if not is_image_name(entry.name) or entry.name.startswith("._"):
                    continue
                st = entry.stat(follow_symlinks=True)
                if stat.S_ISREG(st.st_mode):
                    add_file(entry.path, st)
            except OSError as exc:
                if is_image_name(entry.name):
                    result.failures.append((entry.path, _link_reason(entry.path, exc)))
        # Depth-first in name order, so progress and results follow the folder tree.
        stack.extend(sorted(subfolders, reverse=True))
        if on_progress is not None:
            on_progress(len(result.files))
    return result


def _link_reason(path: str, exc: OSError) -> str:
    if os.path.islink(path):
        if exc.errno is not None and exc.errno == 40:  # ELOOP
            return "symbolic link loop"
        return "broken symbolic link"
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"
