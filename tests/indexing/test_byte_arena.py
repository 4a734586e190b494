"""The shared memory decode processes copy JPEGs into for the device: room used as a ring,
bytes written by another process read in place, the block gone when the run ends or is
killed, and a run that passes its files that way giving the same library."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

import pytest

from app.indexing.byte_arena import ByteArena, Slot, copy_into
from tests.helpers.images import photo, save_jpeg


def test_room_is_used_as_a_ring_and_given_back_in_order():
    arena = ByteArena(1000)
    try:
        a, b, c = arena.reserve(400), arena.reserve(400), arena.reserve(300)
        assert a is not None and b is not None and c is None  # 200 left at the end
        assert (a.offset, b.offset) == (0, 400)
        c = arena.reserve(200)
        assert c is not None and c.offset == 800
        arena.release(b)  # out of order: nothing frees until the oldest goes
        assert arena.reserve(100) is None
        arena.release(a)  # a and b free: the next wraps to the start
        d = arena.reserve(700)
        assert d is not None and d.offset == 0
        assert arena.reserve(150) is None  # only 100 between the head and c
        e = arena.reserve(99)
        assert e is not None and e.offset == 700
        arena.release(c)
        arena.release(d)
        arena.release(e)
        f = arena.reserve(999)
        assert f is not None and f.offset == 0
        assert arena.reserve(0) is None and arena.reserve(1000) is None
    finally:
        arena.close()


def _write(slot: Slot, data: bytes) -> Slot | None:
    return copy_into(slot, data)


def test_a_process_writes_and_this_one_reads_in_place_and_closing_removes_the_block():
    arena = ByteArena(1 << 20)
    data = os.urandom(300_000)
    slot = arena.reserve(len(data) + 10)
    assert slot is not None
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        placed = pool.submit(_write, slot, data).result()
        too_big = pool.submit(_write, Slot(slot.arena, slot.offset, 10), data).result()
    assert placed == Slot(slot.arena, slot.offset, len(data)) and too_big is None
    assert bytes(arena.view(placed)) == data
    name = arena.name
    arena.close()
    with pytest.raises(FileNotFoundError):
        SharedMemory(name=name)
    assert copy_into(slot, data[:10]) is None, "a process still reading when the run stopped: the bytes travel"


def _shared_blocks() -> set[str]:
    shm = Path("/dev/shm")
    return {p.name for p in shm.iterdir()} if shm.is_dir() else set()


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="POSIX shared memory is listed in /dev/shm on Linux")
def test_an_index_run_killed_mid_run_leaves_no_shared_memory(tmp_path: Path):
    photos = tmp_path / "photos"
    for i in range(120):
        save_jpeg(photos / f"{i:03d}.jpg", photo(i, (1600, 1200)))
    before = _shared_blocks()
    env = {
        **os.environ,
        "PHOTO_ORGANIZER_LIBRARY": str(tmp_path / "library"),
        "PHOTO_ORGANIZER_DEVICE_DECODE": "1",
        "PHOTO_ORGANIZER_DECODE_PROCESSES": "1",
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "app", "index", str(photos), "--batch-size", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not (_shared_blocks() - before) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _shared_blocks() - before, "the run made its block"
    time.sleep(1.0)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _shared_blocks() - before and time.monotonic() < deadline:
        time.sleep(0.2)  # the resource tracker notices its process went
    assert not _shared_blocks() - before


def test_files_pass_through_shared_memory_when_decoded_in_processes(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setenv("PHOTO_ORGANIZER_DEVICE_DECODE", "1")
    monkeypatch.setenv("PHOTO_ORGANIZER_DECODE_PROCESSES", "1")
    folder = tmp_path / "p"
    for i in range(12):
        save_jpeg(folder / f"{i}.jpg", photo(300 + i, (640, 480)))
    photo(400).save(folder / "not a jpeg.png")
    before = _shared_blocks()
    with caplog.at_level(logging.INFO, logger="app.indexing.pipeline"):
        out = cli("index", folder, "--json", "--workers", "2", "--batch-size", "4")
    assert out.code == 0, out.err
    assert out.json["embedded"] == 13
    assert "12 files came to the device through shared memory" in caplog.text
    assert not _shared_blocks() - before
    status = cli("status", "--json").json
    assert status["consistent"] and status["images"] == status["index_vectors"] == 13


def test_a_batch_of_files_no_decoder_could_read_gives_its_room_back(tmp_path: Path):
    from app.catalog.records import ImageFacts
    from app.indexing.batch_embedding import BatchEmbedding
    from app.indexing.decoding import FileContent, ImageHeader
    from app.indexing.outcomes import Encoded
    from app.indexing.pipeline import IndexOptions, IndexRun
    from app.indexing.run_setup import RunTarget
    from app.indexing.scanner import ScannedFile
    from app.library import Library
    from app.ml.spec import ModelSpec

    garbage = b"\xff\xd8" + b"\x17" * 36 + b"\xff\xd9"
    with Library(tmp_path / "library", ModelSpec("PO-Tiny", "random"), device="cpu") as library:
        library.embedder.load()
        arena = ByteArena(1 << 16)
        try:
            slot = arena.reserve(len(garbage))
            assert slot is not None
            placed = copy_into(slot, garbage)
            assert placed is not None
            path = str(tmp_path / "bad.jpg")
            content = FileContent(path, len(garbage), 1, b"", "e" * 64)
            header = ImageHeader(ImageFacts("e" * 64, len(garbage), 8, 8, "JPEG", None, None), None)
            target = RunTarget(library.engine, library.paths, library.embedder, library.vectors.store_for)
            run = IndexRun(target, IndexOptions())
            started = BatchEmbedding(library.embedder, library.paths, arena).start(
                [Encoded(ScannedFile(path, len(garbage), 1), content, header, placed)]
            )
            assert started.rows == [] and [f.scanned.path for f in started.failed] == [path]
            run._commit_new(started)
            assert run.report.failed == 1
            assert arena.reserve((1 << 16) - 1) is not None, "the room is free again"
        finally:
            arena.close()


def _can_mount_private_tmpfs() -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /dev/shm"]
    return subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount_private_tmpfs(), reason="needs root to mount a small /dev/shm in its own namespace")
@pytest.mark.parametrize("shm_mb", [64, 512, 0])
def test_a_small_dev_shm_as_in_a_container_is_no_crash(tmp_path: Path, shm_mb: int):
    """Docker gives a container 64 MB of /dev/shm: the arena takes at most half of what is
    free, or none at all (the files then travel as bytes), never more than there is room for
    (writing past it kills the decode process with SIGBUS); with room, all files go through it.
    Where /dev/shm cannot be written at all (0: read-only), processes cannot even share locks:
    decoding runs in threads."""
    import numpy as np
    from PIL import Image

    folder = tmp_path / "noisy"
    folder.mkdir()
    for i in range(40):  # about 2 MB each: more than 64 MB in all
        pixels = np.random.default_rng(i).integers(0, 255, (1200, 1600, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:02d}.jpg", quality=95)
    options = f"size={shm_mb}m" if shm_mb else "ro"
    command = (
        f"mount -t tmpfs -o {options} tmpfs /dev/shm && exec {shlex.quote(sys.executable)} -m app index "
        f"{shlex.quote(str(folder))} --json --workers 2 --batch-size 4 -v"
    )
    env = {
        **os.environ,
        "PHOTO_ORGANIZER_LIBRARY": str(tmp_path / "library"),
        "PHOTO_ORGANIZER_DEVICE_DECODE": "1",
        "PHOTO_ORGANIZER_DECODE_PROCESSES": "1",
    }
    done = subprocess.run(["unshare", "-m", "sh", "-c", command], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert json.loads(done.stdout)["embedded"] == 40
    placed = re.search(r"(\d+) files came to the device through shared memory \((\d+) as bytes\)", done.stderr)
    if shm_mb == 512:
        assert placed is not None and (placed[1], placed[2]) == ("40", "0"), placed
    if not shm_mb:
        assert "decoding in threads: processes cannot share locks here" in done.stderr
    status = subprocess.run([sys.executable, "-m", "app", "status", "--json"], env=env, capture_output=True, text=True)
    assert json.loads(status.stdout)["consistent"] is True


def test_no_shared_memory_at_all_is_no_arena(monkeypatch: pytest.MonkeyPatch):
    from app.indexing import byte_arena

    def refused(*_args: object, **_kw: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(byte_arena, "SharedMemory", refused)
    with pytest.raises(byte_arena.ArenaUnavailable, match="no shared memory"):
        ByteArena(1 << 20)
