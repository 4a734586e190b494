"""Pausing a run commits what is embedded, so that a kill while paused (the laptop's battery,
a forced quit) costs nothing that was done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import faiss
import pytest

from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import index_folder, status_of
from tests.test_kill_resume import _images_in

# Indexes in batches of 8 and pauses once 20 photos have come back: by then two batches are
# started (at 8 and 16) and four photos wait for the third. Then it waits to be killed.
_PAUSED_RUN = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from app.indexing.pipeline import IndexOptions
    from app.indexing.run_setup import RunControls
    from app.library import Library

    pause = threading.Event()

    def progress(p):
        if p.phase == "embedding" and p.done == 20:
            pause.set()
            print("paused", flush=True)

    options = IndexOptions(detect=False, ocr=False, faces=False, batch_size=8, decode_workers=2)
    with Library(Path(sys.argv[2])) as library:
        library.index([Path(sys.argv[1])], options, RunControls(progress, None, pause))
    """
)


@pytest.mark.parametrize("decode_in", ["threads", "processes"])
def test_a_kill_while_paused_loses_nothing_embedded(tmp_path: Path, decode_in: str):
    photos, library = tmp_path / "photos", tmp_path / "lib"
    count = 48
    for i in range(count):
        save_jpeg(photos / f"img{i:03d}.jpg", photo(3000 + i, (400, 300)))
    env = {
        **os.environ,
        "PHOTO_ORGANIZER_LIBRARY": str(library),
        "PHOTO_ORGANIZER_DECODE_PROCESSES": "1" if decode_in == "processes" else "0",
    }
    run = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_RUN, str(photos), str(library)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        assert run.stdout.readline().strip() == "paused", run.stderr.read() if run.stderr else ""
        # Both started batches are committed as the pause begins; the four photos decoded for
        # the third batch are not embedded yet, and nothing more comes while paused.
        deadline = time.monotonic() + 60
        while _images_in(library) < 16 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        assert _images_in(library) == 16
        vectors = list(library.glob("vectors-*.faiss"))
        assert len(vectors) == 1 and faiss.read_index(str(vectors[0])).ntotal == 16, "vectors saved as it paused"
        assert run.poll() is None, "still running, paused"
    finally:
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=60)

    status = status_of(library)
    assert status["consistent"] is True and status["images"] == status["vectors"] == 16, status
    report = index_folder(photos, library)
    assert report["embedded"] == count - 16 and report["failed"] == 0, report
    assert status_of(library)["images"] == count
