"""Decoding in processes (the GPU path) indexes exactly what decoding in threads does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.images import make_broken_set, photo, save_jpeg
from tests.helpers.library_runs import index_folder, status_of
from tests.test_kill_resume import _images_in


def test_process_pool_gives_the_same_library(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PHOTO_ORGANIZER_DECODE_PROCESSES", "1")
    folder = tmp_path / "p"
    for i in range(10):
        save_jpeg(folder / f"{i}.jpg", photo(70 + i))
    shutil.copy(folder / "3.jpg", folder / "3-copy.jpg")  # same content in one run: one image
    make_broken_set(tmp_path / "p" / "broken")
    out = cli("index", folder, "--json", "--workers", "2", "--batch-size", "4")
    assert out.code == 0, out.err
    report = out.json
    assert report["embedded"] == 10 and report["new"] == 11 and report["failed"] >= 5
    status = cli("status", "--json").json
    assert status["images"] == 10 and status["files"] == 11
    assert status["consistent"] and status["vectors"] == status["index_vectors"] == 10


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the decode processes through /proc")
def test_a_decode_process_killed_from_outside_ends_the_run_cleanly(tmp_path: Path):
    """The system's OOM killer, or a person, ends one decode process: the run stops with one
    clear line, keeps every photo it had embedded, and the next run finishes the rest."""
    photos, library = tmp_path / "photos", tmp_path / "lib"
    count = 160
    for i in range(count):
        save_jpeg(photos / f"{i:03d}.jpg", photo(5000 + i, (800, 600)))
    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library), "PHOTO_ORGANIZER_DECODE_PROCESSES": "1"}
    run = subprocess.Popen(
        [sys.executable, "-m", "app", "index", str(photos), "--batch-size", "8", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while _images_in(library) < 16 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    # The spawned decode processes (the resource tracker is a child too, but runs no "spawn_main").
    decoders = [c for c in _children(run.pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    assert decoders and run.poll() is None, "caught while decoding"
    os.kill(decoders[0], signal.SIGKILL)
    _out, err = run.communicate(timeout=120)
    assert run.returncode != 0
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("photo-organizer: error: a decoding process ended abruptly"), err
    kept = _images_in(library)
    assert 16 <= kept < count
    status = status_of(library)
    assert status["consistent"] is True and status["images"] == status["vectors"] == kept, status
    report = index_folder(photos, library)
    assert report["embedded"] == count - kept and status_of(library)["images"] == count
