"""Moving a user's files to the system trash, where they can be restored: the one way this app
ever changes a user's files, and only on an explicit, confirmed action (DESIGN.md invariant 11).
Never a permanent delete: where the system has no trash for a file, the file stays.

What goes is checked first, as a whole: every file must still be the one that was indexed (a
regular file of the same size, change time and content), and the kept file must be there and
be itself; no file may be the kept file under another path (a symlink, a hard link, a bind
mount). One refusal moves nothing of the group. Just before each move the file is looked at
again, so one replaced in between is not taken either."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.dates import stored_ns


@dataclass(frozen=True)
class IndexedFile:
    """A file as the catalog knows it: where, its size and change time when it was indexed, and
    the hash of the content it held then."""

    path: str
    size: int
    ctime_ns: int | None
    content_hash: str


@dataclass
class TrashReport:
    moved: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why it stayed)

    def to_json(self) -> dict:
        return {"moved": self.moved, "refused": [{"path": p, "why": why} for p, why in self.failed]}


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file `path` names, links followed; None if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _content_hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def why_changed(indexed: IndexedFile) -> str | None:
    """Why the file at `indexed.path` is not the one that was indexed, or None if it is."""
    try:
        st = os.stat(indexed.path)
    except FileNotFoundError:
        return "it is no longer there"
    except OSError as exc:
        return f"it cannot be read just now ({exc.strerror or exc})"
    if stat.S_ISDIR(st.st_mode):
        return "it is a folder now, not the photo that was indexed"
    if not stat.S_ISREG(st.st_mode):
        return "it is no longer a regular file"
    changed = "it changed since it was indexed (index its folder again, then look again)"
    if st.st_size != indexed.size:
        return changed
    if indexed.ctime_ns is not None and stored_ns(st.st_ctime_ns) != indexed.ctime_ns:
        return changed
    try:
        if _content_hash(indexed.path) != indexed.content_hash:
            return changed
    except OSError as exc:
        return f"it cannot be read just now ({exc.strerror or exc})"
    return None


def refusals(files: Sequence[IndexedFile], keep: IndexedFile) -> list[tuple[str, str]]:
    """(path, why) for each of `files` that must not go to the trash while `keep` stays; the
    kept file's own trouble is reported under its path. Empty: all of them may go."""
    out: list[tuple[str, str]] = []
    kept_problem = why_changed(keep)
    if kept_problem is not None:
        out.append((keep.path, f"the photo to keep is not safe: {kept_problem}"))
    kept_identity = file_identity(keep.path)
    kept_real = os.path.realpath(keep.path)
    for indexed in files:
        if indexed.path == keep.path:
            out.append((indexed.path, "it is the photo to keep"))
            continue
        identity = file_identity(indexed.path)
        if identity is not None and (identity == kept_identity or os.path.realpath(indexed.path) == kept_real):
            out.append((indexed.path, "it is the photo to keep under another path (a link or a mount), not a copy"))
            continue
        problem = why_changed(indexed)
        if problem is not None:
            out.append((indexed.path, problem))
    return out


def move_to_trash(files: Sequence[IndexedFile]) -> TrashReport:
    """Each of `files` to the trash (freedesktop.org on Linux, the Recycle Bin, the macOS Trash)
    after checking it once more; a file that cannot go stays where it is, with the reason."""
    from send2trash import send2trash
    from send2trash.exceptions import TrashPermissionError

    report = TrashReport()
    for indexed in files:
        before = _looked_at(indexed.path)
        problem = why_changed(indexed)
        if problem is None and _looked_at(indexed.path) != before:
            problem = "it changed while it was being checked"
        if problem is not None:
            report.failed.append((indexed.path, problem))
            continue
        made = _trash_entries(indexed.path)
        try:
            send2trash(indexed.path)
        except TrashPermissionError as exc:
            _drop_new_entries(indexed.path, made)
            report.failed.append((indexed.path, f"no trash can take it on that drive ({exc.strerror or exc})"))
        except OSError as exc:
            _drop_new_entries(indexed.path, made)
            report.failed.append((indexed.path, exc.strerror or str(exc)))
        else:
            report.moved.append(indexed.path)
    return report


def _looked_at(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_ctime_ns


def _trash_info_folders(path: str) -> list[str]:
    """The freedesktop.org trash info folders a move of `path` may write to (Linux only): the
    home trash, and the trash at the top of the file's own drive."""
    if sys.platform != "linux":
        return []
    try:
        import send2trash.plat_other as freedesktop
    except ImportError:
        return []
    top = os.fsdecode(freedesktop.find_mount_point(os.fsencode(os.path.dirname(os.path.abspath(path)))))
    uid = str(os.getuid())
    return [
        os.path.join(os.fsdecode(freedesktop.HOMETRASH_B), "info"),
        os.path.join(top, ".Trash", uid, "info"),
        os.path.join(top, f".Trash-{uid}", "info"),
    ]


def _trash_entries(path: str) -> dict[str, set[str]]:
    found = {}
    for folder in _trash_info_folders(path):
        try:
            found[folder] = set(os.listdir(folder))
        except OSError:
            found[folder] = set()
    return found


def _drop_new_entries(path: str, before: dict[str, set[str]]) -> None:
    """A move that failed half-way leaves its `.trashinfo` behind, describing a file that never
    arrived: the trash would list a ghost. Remove what this move wrote (named after the file)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    for folder, names in before.items():
        try:
            now = set(os.listdir(folder))
        except OSError:
            continue
        for name in now - names:
            if name.endswith(".trashinfo") and name.startswith(stem):
                try:
                    os.remove(os.path.join(folder, name))
                except OSError:
                    pass
