"""A vector file read whole and found sound once is trusted while it stays that very file.

Checking a file's CRC-32 reads all of it: 2 GB and a second or more at a million photos, on
every command. Once a file is found sound (or written by us, then read back), a stamp beside it
records its checksum and what the file system says of it: size, modification and change times,
inode and device. A later open trusts a file whose stat matches its stamp without reading it.
Any write to the file, by any program, moves its change time (which no program can set back),
so a file changed since gets its whole check again; and a stamp written less than `SETTLE_NS`
after the file's last change is not trusted, so a change in the same clock tick is not missed
(git's "racy" index entries, the same rule). A missing, unreadable or foreign stamp only costs
the whole check.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

SUFFIX = ".verified"
SETTLE_NS = 2_000_000_000


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def identity(st: os.stat_result) -> list[int]:
    """What the file system says of a file that any write to it changes."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def settled(file_identity: list[int], written_ns: object) -> bool:
    """Whether a record written at `written_ns` of the file with `file_identity` can be trusted:
    the file's last change came well before it (a change in the same clock tick shows)."""
    return isinstance(written_ns, int) and file_identity[2] < written_ns - SETTLE_NS


def is_stamped(path: Path, crc: int, st: os.stat_result) -> bool:
    """Whether the file at `path` (`st`: its stat, taken from the open file) is the one a stamp
    found sound with checksum `crc`, unchanged since."""
    try:
        stamp = json.loads(_stamp_path(path).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("file") != identity(st) or stamp.get("crc") != crc:
        return False
    return settled(identity(st), stamp.get("written_ns"))


def stamp(path: Path, crc: int, st: os.stat_result) -> None:
    """Record that the file at `path` (`st`: its stat, taken from the open file) was found sound
    with checksum `crc`. Best effort: a read-only or full library checks the whole file again
    next time."""
    target = _stamp_path(path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        record = {"file": identity(st), "crc": crc, "written_ns": time.time_ns()}
        tmp.write_text(json.dumps(record))
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def forget(path: Path) -> None:
    """Drop the stamp of a vector file that is being removed."""
    with contextlib.suppress(OSError):
        _stamp_path(path).unlink()
