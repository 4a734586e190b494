"""A library built by the CLI in its own process, as a user runs it, and what it holds."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.helpers.images import make_broken_set, make_valid_set, photo, save_jpeg


def run_cli(args: list[str], library: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def index_folder(photos: Path, library: Path, *extra: str, **env: str) -> dict:
    done = run_cli(["index", str(photos), "--json", *extra], library, **env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def status_of(library: Path) -> dict:
    done = run_cli(["status", "--json"], library)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def catalog_rows(library: Path, *queries: str) -> list[list[tuple]]:
    """The rows each SQL query reads from a library's catalog (read-only, closed after)."""
    db = sqlite3.connect(f"file:{library / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return [db.execute(query).fetchall() for query in queries]
    finally:
        db.close()


def catalog_of(library: Path) -> dict[str, object]:
    """What a library holds, independent of the order it was committed in."""
    db = sqlite3.connect(library / "catalog.sqlite")
    try:
        images = db.execute(
            "SELECT content_hash, byte_size, width, height, format, taken_at, camera FROM images ORDER BY content_hash"
        ).fetchall()
        files = db.execute(
            "SELECT f.path, f.size, f.mtime_ns, i.content_hash FROM files f JOIN images i ON i.id = f.image_id "
            "ORDER BY f.path"
        ).fetchall()
        failures = db.execute("SELECT path, size, mtime_ns, reason, kind FROM failures ORDER BY path").fetchall()
        vectors = {
            h: np.frombuffer(v, np.float32)
            for h, v in db.execute(
                "SELECT i.content_hash, r.vector FROM regions r JOIN images i ON i.id = r.image_id WHERE r.kind = 'image'"
            )
        }
        per_image = db.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM regions GROUP BY image_id)").fetchone()[0]
    finally:
        db.close()
    thumbnails = {p.name: p.read_bytes() for p in (library / "thumbnails").rglob("*.jpg")}
    return {
        "images": images,
        "files": files,
        "failures": failures,
        "vectors": vectors,
        "per_image": per_image,
        "thumbnails": thumbnails,
    }


def mixed_folder(photos: Path) -> None:
    """Ordinary photos in folders, odd but valid ones, broken ones, a copy, a non-UTF-8 name."""
    for i in range(18):
        save_jpeg(photos / f"trip{i % 3}" / f"img{i:02d}.jpg", photo(500 + i))
    make_valid_set(photos / "odd")
    make_broken_set(photos / "broken")
    (photos / "copy of img00.jpg").write_bytes((photos / "trip0" / "img00.jpg").read_bytes())
    raw = os.fsencode(photos) + b"/caf\xe9 latin-1.jpg"
    with open(raw, "wb") as fh:
        photo(777).save(fh, "JPEG")
