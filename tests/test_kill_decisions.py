"""What a person decided survives kills (#31): SIGKILL while indexing more photos, or in the
middle of a change to stars, tags and albums, leaves every decision either made whole or not
at all, and the library opens and resumes as ever."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import catalog_rows, run_cli
from tests.test_kill_resume import _images_in, _index_and_kill

pytestmark = pytest.mark.slow

NO_MODELS = ("--no-detect", "--no-ocr", "--no-faces")


def _cli(library: Path, *args: object) -> dict:
    done = run_cli([*(str(a) for a in args), "--json"], library)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def _decisions(library: Path) -> dict:
    return {
        "albums": _cli(library, "albums")["albums"],
        "tags": _cli(library, "tags")["tags"],
        "starred": sorted(Path(r["path"]).name for r in _cli(library, "search", "--min-stars", "1")["results"]),
        "favourites": sorted(Path(r["path"]).name for r in _cli(library, "search", "--favourites")["results"]),
    }


def test_decisions_survive_a_kill_while_indexing_and_changes_are_whole_or_not_at_all(tmp_path: Path):
    library, first, more = tmp_path / "library", tmp_path / "first", tmp_path / "more"
    for i in range(6):
        save_jpeg(first / f"a{i}.jpg", photo(900 + i, (320, 240)))
    for i in range(80):
        save_jpeg(more / f"b{i:02d}.jpg", photo(1000 + i, (640, 480)))
    _cli(library, "index", first, *NO_MODELS)
    _cli(library, "album", "create", "Trips/Lisbon")
    _cli(library, "album", "add", "Trips/Lisbon", first / "a0.jpg", first / "a1.jpg", first / "a2.jpg")
    _cli(library, "rate", first / "a0.jpg", first / "a3.jpg", "--stars", "4")
    _cli(library, "favourite", first / "a1.jpg")
    _cli(library, "tag", "add", "Family/Anna", first / "a4.jpg")
    _cli(library, "search", "--min-stars", "4", "--save-as", "Best")
    before = _decisions(library)

    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library)}
    # Eight photos a batch: the run is still adding photos 0.3 s after its first batch is in,
    # however quickly it ends (a run of 80 in one go could end within those 0.3 s).
    index_more = ["index", str(more), *NO_MODELS, "--batch-size", "8"]
    killed = _index_and_kill(index_more, env, lambda: _images_in(library) > 8, 0.3)
    assert killed, "the run was killed while it was adding photos"
    assert _decisions(library) == before, "a kill while indexing touches no decision"
    _cli(library, "index", more, *NO_MODELS)
    assert _decisions(library) == before

    # A change to every photo at once, killed at moments spread over its run: each time either
    # every photo has the new stars or none has (one transaction), and the library stays sound.
    started = time.monotonic()
    _cli(library, "rate", more, "--stars", "2")
    whole = time.monotonic() - started
    _cli(library, "rate", more, "--stars", "0")
    for attempt in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "rate", str(more), "--stars", "3"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(whole * (0.5 + attempt * 0.12))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        (rows,) = catalog_rows(library, "SELECT stars, COUNT(*) FROM photo_marks WHERE stars = 3 GROUP BY stars")
        rated = rows[0][1] if rows else 0
        assert rated in (0, 80), f"a change cut short is not half-done ({rated} of 80 photos rated)"
        _cli(library, "rate", more, "--stars", "0")
    status = _cli(library, "status")
    assert status["images"] == 86 and status["consistent"], status
    assert _decisions(library) == before
