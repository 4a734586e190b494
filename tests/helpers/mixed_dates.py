"""A catalog of photos with every kind of date: taken (ties among them), none, impossibly early
or late; files copied long after or with the photo; photos with several files or none left."""

from __future__ import annotations

import random
import time
from pathlib import Path

from sqlalchemy import Engine, text

from app.catalog.database import open_catalog

NOW = time.time()
YEAR = 365 * 86400.0


def mixed_date_library(path: Path, seed: int, photos: int, undated: float, files_new: float) -> Engine:
    """`undated` of the photos have no date taken (or one before 1826, or decades ahead); file
    times are copy times, newer than the dates taken for `files_new` of them."""
    rng = random.Random(seed)
    engine = open_catalog(path)
    images, files = [], []
    for i in range(1, photos + 1):
        taken: float | None = NOW - rng.choice([rng.uniform(0, 20 * YEAR), 3 * YEAR, 5 * YEAR])  # ties too
        if rng.random() < undated:
            taken = rng.choice([None, -5e9, NOW + 30 * YEAR])
        images.append({"i": i, "h": f"{i:064d}", "t": taken})
        for copy in range(rng.choice([0, 1, 1, 1, 2, 3])):  # some have no file left
            newer = rng.random() < files_new
            when = NOW - rng.choice(
                [rng.uniform(0, YEAR), YEAR / 2] if newer else [rng.uniform(0, 20 * YEAR), 7 * YEAR]
            )
            files.append({"p": f"/p/{i}-{copy}.jpg", "m": int(when * 1e9), "i": i})
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at, taken_at) "
                "VALUES (:i, :h, 1, 1, 1, 'JPEG', 0, :t)"
            ),
            images,
        )
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/p', 1, :m, :i)"), files
        )
    return engine
