"""The single-writer lock: one writer at a time, released by the OS when its process dies, and
the Windows path (a locked byte range) taken through the same steps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import lock as lock_module
from app.core.lock import WriterLock
from tests.helpers.images import photo, save_jpeg

HOLD = """
import sys, time
from pathlib import Path
from app.core.lock import WriterLock
held = WriterLock(Path(sys.argv[1]))
assert held.try_acquire()
print("held", flush=True)
time.sleep(60)
"""


def _holder(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_one_writer_at_a_time_within_a_process(tmp_path: Path):
    first, second = WriterLock(tmp_path / "writer.lock"), WriterLock(tmp_path / "writer.lock")
    assert first.try_acquire() and not first.try_acquire()  # not re-entrant: one writer, even in-process
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    assert (tmp_path / "writer.lock").read_text() == str(os.getpid())
    second.release()


def test_a_killed_writer_leaves_the_library_free(tmp_path: Path):
    proc = _holder(tmp_path / "writer.lock")
    try:
        assert not WriterLock(tmp_path / "writer.lock").try_acquire()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert WriterLock(tmp_path / "writer.lock").try_acquire()


def test_indexing_while_another_process_writes_is_refused_clearly(cli, library_dir: Path, tmp_path: Path):
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    assert cli("index", tmp_path / "p").code == 0
    proc = _holder(library_dir / "writer.lock")
    try:
        out = cli("index", tmp_path / "p")
        assert out.code != 0 and "Traceback" not in out.err
        assert "another Photo Organizer process is indexing" in out.err
        assert cli("search", "red", "--json").code == 0  # reading goes on meanwhile
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert cli("index", tmp_path / "p").code == 0


class FakeMsvcrt:
    """msvcrt.locking's contract: a byte range locked through one file is refused to others."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self) -> None:
        self.holders: dict[int, int] = {}  # inode -> fd

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1 and os.lseek(fd, 0, os.SEEK_CUR) == 0  # always byte 0
        inode = os.fstat(fd).st_ino
        if mode == self.LK_NBLCK:
            if self.holders.get(inode, fd) != fd:
                raise PermissionError(13, "Permission denied")
            self.holders[inode] = fd
        else:
            assert self.holders.pop(inode) == fd


def test_the_windows_path_takes_and_gives_back_the_byte_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = FakeMsvcrt()
    monkeypatch.setattr(lock_module, "fcntl", None)
    monkeypatch.setattr(lock_module, "msvcrt", fake)
    first, second = WriterLock(tmp_path / "writer.lock"), WriterLock(tmp_path / "writer.lock")
    assert first.try_acquire() and not second.try_acquire()
    assert (tmp_path / "writer.lock").read_text() == str(os.getpid())
    first.release()
    assert fake.holders == {} and second.try_acquire()
    second.release()


def test_a_run_under_way_elsewhere_is_not_reported_as_interrupted(cli, library_dir: Path, tmp_path: Path):
    from app.catalog import folders
    from app.library import Library

    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    assert cli("index", tmp_path / "p").code == 0
    with Library(library_dir) as library:
        folders.mark_run_started(library.engine, [str(tmp_path / "p")])  # as a run under way writes it
    proc = _holder(library_dir / "writer.lock")  # ... while its process holds the lock
    try:
        assert cli("status", "--json").json["interrupted"] is None
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert cli("status", "--json").json["interrupted"] == [str(tmp_path / "p")]  # its process is gone


def test_writers_in_one_process_exclude_each_other_and_keep_the_indexers_lock(library_dir: Path, tmp_path: Path):
    """Remove from library while indexing runs is refused; it used to go ahead and then release
    the indexer's lock, letting another process write."""
    import threading

    from app.core.errors import LibraryBusyError
    from app.indexing.run_setup import RunControls
    from app.library import Library

    for i in range(6):
        save_jpeg(tmp_path / "p" / f"{i}.jpg", photo(i))
    with Library(library_dir) as library:
        library.index([tmp_path / "p" / "0.jpg"])
        started, go_on = threading.Event(), threading.Event()

        def slow_progress(_progress: object) -> None:
            started.set()
            go_on.wait(30)

        controls = RunControls(slow_progress)
        indexing = threading.Thread(target=library.index, args=([tmp_path / "p"],), kwargs={"controls": controls})
        indexing.start()
        try:
            assert started.wait(30)
            for attempt in (lambda: library.edits.remove_images([1]), lambda: library.edits.remove([tmp_path / "p"])):
                with pytest.raises(LibraryBusyError, match="busy indexing"):
                    attempt()
            assert not WriterLock(library_dir / "writer.lock").try_acquire(), "the indexer still holds the library"
        finally:
            go_on.set()
            indexing.join(60)
        assert library.status().images == 6
        assert library.edits.remove_images([1]) == 1, "free again once indexing ended"


def test_a_file_system_without_locks_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(lock_module.fcntl, "flock", no_locks)
    with pytest.raises(lock_module.LockUnsupportedError, match="does not support file locks"):
        WriterLock(tmp_path / "writer.lock").try_acquire()
