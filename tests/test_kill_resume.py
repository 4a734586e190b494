"""Invariant 2: SIGKILL at random moments while indexing never leaves SQLite and FAISS apart."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg

pytestmark = pytest.mark.slow


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True, timeout=300)


def _images_in(library: Path) -> int:
    import sqlite3

    catalog = library / "catalog.sqlite"
    if not catalog.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT COUNT(*) FROM images").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # the schema is still being created


def _index_and_kill(args: list[str], env: dict[str, str], working: Callable[[], bool], delay: float) -> int:
    """Start the CLI, wait until `working()` shows committed work, wait `delay` more, then
    SIGKILL it; returns 1 if it was killed (0 if it finished first)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 180
    while proc.poll() is None and not working() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    killed = 0
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        killed = 1
    proc.communicate(timeout=60)  # returns only once no process holds the run's pipes
    return killed


@pytest.mark.parametrize("decode_in", ["threads", "processes"])
def test_kill_at_random_moments_then_resume(tmp_path: Path, decode_in: str):
    photos = tmp_path / "photos"
    count = 240
    for i in range(count):
        save_jpeg(photos / f"d{i % 4}" / f"img{i:03d}.jpg", photo(1000 + i, (480, 360)))
    # Processes decode when feeding a GPU; after a kill they must go too (else they hold pipes).
    env = {
        **os.environ,
        "PHOTO_ORGANIZER_LIBRARY": str(tmp_path / "lib"),
        "PHOTO_ORGANIZER_DECODE_PROCESSES": "1" if decode_in == "processes" else "0",
    }
    seed = int(os.environ.get("KILL_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    kills = 0
    for _ in range(4):
        before = _images_in(tmp_path / "lib")
        # Two decode workers keep a run long enough to be caught even on a many-core machine.
        killed = _index_and_kill(
            ["index", str(photos), "--json", "--batch-size", "8", "--workers", "2"],
            env,
            lambda b=before: _images_in(tmp_path / "lib") > b,
            rng.uniform(0.0, 0.8),
        )
        kills += killed
        status = _run(["status", "--json"], env)
        assert status.returncode == 0, f"seed {seed}: {status.stderr}"
        report = json.loads(status.stdout)
        assert report["consistent"] is True, f"seed {seed}: {report}"
        # A run killed before it ended is remembered as interrupted (the app resumes it).
        if killed and report["images"] < count:
            assert report["interrupted"] == [str(photos)], f"seed {seed}: {report}"
        assert report["interrupted"] in (None, [str(photos)]), f"seed {seed}: {report}"
        assert report["vectors"] == report["index_vectors"] == report["images"], f"seed {seed}: {report}"

    final = _run(["index", str(photos), "--json"], env)
    assert final.returncode == 0, final.stderr
    status = json.loads(_run(["status", "--json"], env).stdout)
    assert status["images"] == status["files"] == count, f"seed {seed}: {status}"
    assert status["vectors"] == status["index_vectors"] == count
    assert status["consistent"] is True and status["interrupted"] is None

    # Every image has exactly one whole-image region, so nothing was embedded twice.
    import sqlite3

    db = sqlite3.connect(tmp_path / "lib" / "catalog.sqlite")
    per_image = db.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM regions GROUP BY image_id)").fetchone()[0]
    db.close()
    assert per_image == 1
    assert kills >= 1, f"seed {seed}: indexing finished before any kill; the test proved nothing"


def _text_pass_state(library: Path) -> tuple[int, int]:
    """(images the text pass has finished, all images), read without disturbing the writer."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{library / 'catalog.sqlite'}?mode=ro", uri=True, timeout=1)
        try:
            done, total = db.execute("SELECT COUNT(text_by), COUNT(*) FROM images").fetchone()
            return int(done), int(total)
        finally:
            db.close()
    except sqlite3.Error:
        return 0, 0


def test_kill_during_the_region_pass_then_finish(tmp_path: Path):
    from tests.helpers.images import word_photo

    photos = tmp_path / "photos"
    count = 16
    for i in range(count):
        image, _ = word_photo(("OPEN", "CAFE", "HOTEL", "TAXI")[i % 4], seed=300 + i, size=(800, 600))
        save_jpeg(photos / f"sign{i:02d}.jpg", image)
    library = tmp_path / "lib"
    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library), "PHOTO_ORGANIZER_OCR": "1"}
    rng = random.Random(int(os.environ.get("KILL_TEST_SEED", random.randrange(1 << 30))))
    kills = 0
    for _ in range(3):
        before, _total = _text_pass_state(library)
        kills += _index_and_kill(
            ["index", str(photos), "--no-detect", "--json"],
            env,
            lambda b=before: _text_pass_state(library)[0] > b,
            rng.uniform(0.0, 1.5),
        )
    assert kills >= 1, "the region pass finished before any kill: make the test's pass longer"

    final = _run(["index", str(photos), "--no-detect", "--json"], env)
    assert final.returncode == 0, final.stderr
    status = json.loads(_run(["status", "--json"], env).stdout)
    assert status["consistent"] and status["vectors"] == status["index_vectors"] == status["regions"]
    assert _text_pass_state(library) == (count, count)
    import sqlite3

    db = sqlite3.connect(library / "catalog.sqlite")
    try:
        duplicated = db.execute(
            "SELECT COUNT(*) FROM (SELECT image_id, text, x0, y0 FROM regions WHERE kind = 'text' "
            "GROUP BY image_id, text, x0, y0 HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        keyword_rows = db.execute("SELECT COUNT(*) FROM region_text").fetchone()[0]
        text_regions = db.execute("SELECT COUNT(*) FROM regions WHERE kind = 'text'").fetchone()[0]
        whole = db.execute("SELECT COUNT(*) FROM regions WHERE kind = 'image'").fetchone()[0]
    finally:
        db.close()
    assert duplicated == 0 and whole == count
    assert keyword_rows == text_regions >= count // 2


def _face_pass_state(library: Path) -> int:
    """Images the face pass has finished, read without disturbing the writer."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{library / 'catalog.sqlite'}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT COUNT(faces_by) FROM images").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_kill_during_the_face_pass_leaves_both_vector_files_consistent(tmp_path: Path):
    from PIL import Image

    from tests.helpers.faces import face_photos

    photos = tmp_path / "photos"
    photos.mkdir()
    portraits = [face_photos()[n] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")]
    count = 16
    for i in range(count):  # distinct files (other qualities and sizes) of the same people
        image = Image.open(portraits[i % 4]).convert("RGB")
        image = image.resize((image.width * (8 + i % 3) // 8, image.height * (8 + i % 3) // 8))
        image.save(photos / f"p{i:02d}.jpg", quality=80 + i)
    library = tmp_path / "lib"
    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library), "PHOTO_ORGANIZER_FACES": "1"}
    rng = random.Random(int(os.environ.get("KILL_TEST_SEED", random.randrange(1 << 30))))
    kills = 0
    for _ in range(3):
        before = _face_pass_state(library)
        kills += _index_and_kill(
            ["index", str(photos), "--no-detect", "--no-ocr", "--json"],
            env,
            lambda b=before: _face_pass_state(library) > b,
            rng.uniform(0.0, 0.6),
        )
    assert kills >= 1, "the face pass finished before any kill: make the test's pass longer"
    final = _run(["index", str(photos), "--no-detect", "--no-ocr", "--json"], env)
    assert final.returncode == 0, final.stderr
    status = json.loads(_run(["status", "--json"], env).stdout)
    assert status["consistent"], "both the CLIP and the face vector files agree with the catalog"
    assert status["vectors"] == status["index_vectors"] == count and status["face_vectors"] == count
    assert _face_pass_state(library) == count
    listed = json.loads(_run(["people", "--json"], env).stdout)["people"]
    assert sorted(p["faces"] for p in listed) == [4, 12], "every face in one person, no face twice"
