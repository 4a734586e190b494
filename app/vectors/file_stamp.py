"""A vector file read whole and found sound once is trusted while it stays that very file.

Checking a file's CRC-32 reads all of it: 2 GB and a second or more at a million photos, on
every command. Once a file is found sound (or written by us, then read back), a stamp beside it
records its checksum and what the file system says of it: size, modification and change times,
inode and device. A later open trusts a file whose stat matches its stamp without reading it.
Any write to the file, by any program, moves its change time (which no program can set back),
so a file changed since gets its whole check again; and a stamp written before the clock tick
of the file's last change is surely over (`settle_ns`) is not trusted, so a change in the same
tick is not missed (git's "racy" index entries, the same rule). A missing, unreadable or foreign
stamp only costs the whole check.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

SUFFIX = ".verified"
# How long a file system's clock tick can last: whole seconds where it keeps no finer times
# (ext4 with small inodes; FAT keeps two), at most 10 ms where it keeps nanoseconds (the
# kernel's coarse clock at 100 Hz), given ten times the room.
SETTLE_NS = 2_000_000_000
FINE_SETTLE_NS = 100_000_000


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def identity(st: os.stat_result) -> list[int]:
    """What the file system says of a file that any write to it changes."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def settle_ns(file_identity: list[int]) -> int:
    """How long after the last change of the file with `file_identity` a record of it waits to
    be trusted. A file system that keeps nanoseconds shows it in the digits of the file's times
    below the millisecond; a time without any is taken for a coarse one (one in a thousand
    fine ones, which then only waits longer). Before, every file waited 2 s: the index run that
    saved a million photos' vectors in its last two seconds left their whole check (a second)
    to the next command."""
    fine = file_identity[1] % 1_000_000 or file_identity[2] % 1_000_000  # modified, changed
    return FINE_SETTLE_NS if fine else SETTLE_NS


def settled(file_identity: list[int], written_ns: object) -> bool:
    """Whether a record written at `written_ns` of the file with `file_identity` can be trusted:
    the file's last change came well before it (a change in the same clock tick shows)."""
    return isinstance(written_ns, int) and file_identity[2] < written_ns - settle_ns(file_identity)


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
