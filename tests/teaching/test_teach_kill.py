"""A kill while a name is being learned leaves the library exactly as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg

pytestmark = pytest.mark.slow


def _catalog_rows(library: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{library / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("concepts", "concept_examples", "concept_vectors", "images", "regions")
        }
    finally:
        db.close()


def test_a_kill_during_training_changes_nothing(cli, tmp_path: Path, library_dir: Path):
    photos = [save_jpeg(tmp_path / "photos" / f"p{i}.jpg", photo(i)) for i in range(8)]
    assert cli("index", tmp_path / "photos").code == 0
    before = _catalog_rows(library_dir)

    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library_dir)}
    args = [sys.executable, "-m", "app", "teach", "blicket", *map(str, photos[:4]), "--steps", "100000"]
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    started = proc.stderr.readline()
    assert "learning 'blicket' from 4 examples" in started, started
    time.sleep(1.0)
    assert proc.poll() is None, "training should still be running"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)

    assert _catalog_rows(library_dir) == before
    assert cli("concepts", "--json").json == {"concepts": []}
    status = cli("status", "--json").json
    assert status["consistent"] is True
    again = cli("teach", "blicket", *photos[:4], "--json")
    assert again.code == 0, again.err
    assert cli("concepts", "--json").json["concepts"][0]["examples"] == 4
