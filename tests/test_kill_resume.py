"""Invariant 2: SIGKILL at random moments while indexing never leaves SQLite and FAISS apart."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
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


def test_kill_at_random_moments_then_resume(tmp_path: Path):
    photos = tmp_path / "photos"
    count = 240
    for i in range(count):
        save_jpeg(photos / f"d{i % 4}" / f"img{i:03d}.jpg", photo(1000 + i, (480, 360)))
    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(tmp_path / "lib")}
    seed = int(os.environ.get("KILL_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    kills = 0
    for _ in range(4):
        before = _images_in(tmp_path / "lib")
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "index", str(photos), "--json", "--batch-size", "8"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        # Kill while it is really indexing: once it has committed new work, after a random delay.
        deadline = time.monotonic() + 120
        while proc.poll() is None and _images_in(tmp_path / "lib") <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        status = _run(["status", "--json"], env)
        assert status.returncode == 0, f"seed {seed}: {status.stderr}"
        report = json.loads(status.stdout)
        assert report["consistent"] is True, f"seed {seed}: {report}"
        assert report["vectors"] == report["index_vectors"] == report["images"], f"seed {seed}: {report}"

    final = _run(["index", str(photos), "--json"], env)
    assert final.returncode == 0, final.stderr
    status = json.loads(_run(["status", "--json"], env).stdout)
    assert status["images"] == status["files"] == count, f"seed {seed}: {status}"
    assert status["vectors"] == status["index_vectors"] == count
    assert status["consistent"] is True

    # Every image has exactly one whole-image region, so nothing was embedded twice.
    import sqlite3

    db = sqlite3.connect(tmp_path / "lib" / "catalog.sqlite")
    per_image = db.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM regions GROUP BY image_id)").fetchone()[0]
    db.close()
    assert per_image == 1
    assert kills >= 1, f"seed {seed}: indexing finished before any kill; the test proved nothing"
