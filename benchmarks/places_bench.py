"""Naming the places of 100k photos offline, as JSON.

    python benchmarks/places_bench.py [--count 100000]

Positions are drawn near real towns (a town of the data, picked at random, plus up to ~5 km)
and a fifth out at sea. Timed in one process: loading the place data (`load_seconds`), naming
every position (`name_seconds`), and the whole step an index run takes (`name_places`: reading
what needs naming from a catalog of `count` photos with GPS, naming, writing), against the 5 s
target. A second `name_places` shows the cost when nothing is new.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.catalog.database import migrate, open_catalog  # noqa: E402
from app.core.paths import LibraryPaths  # noqa: E402
from app.indexing import geocoding  # noqa: E402
from app.indexing.place_naming import name_places  # noqa: E402


def positions(count: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    named = geocoding.geocoder()
    towns = rng.integers(0, len(named.places), count)
    tree_points = named._tree.data[towns]  # unit vectors of the towns
    lat = np.degrees(np.arcsin(np.clip(tree_points[:, 2], -1, 1))) + rng.normal(0, 0.03, count)
    lon = np.degrees(np.arctan2(tree_points[:, 1], tree_points[:, 0])) + rng.normal(0, 0.03, count)
    sea = rng.random(count) < 0.2
    lat[sea], lon[sea] = rng.uniform(-50, 50, sea.sum()), rng.uniform(-170, -130, sea.sum())  # the Pacific
    return np.clip(lat, -89.9, 89.9), (lon + 180) % 360 - 180


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    named = geocoding.geocoder()
    load_seconds = time.perf_counter() - started
    lat, lon = positions(args.count)
    started = time.perf_counter()
    names = named.names(lat, lon)
    name_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as scratch:
        engine = open_catalog(Path(scratch) / "catalog.sqlite")
        migrate(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO images (id, content_hash, byte_size, width, height, format, added_at, latitude, longitude, "
                "gps_read) VALUES (?, ?, 1, 1, 1, 'JPEG', 0, ?, ?, 1)",
                [(i + 1, f"{i:064x}", float(a), float(b)) for i, (a, b) in enumerate(zip(lat, lon, strict=True))],
            )
        geocoding.geocoder.cache_clear()  # the step as a fresh process runs it: data loaded too
        started = time.perf_counter()
        placed, _ = name_places(engine, LibraryPaths(Path(scratch)))
        step_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again, _ = name_places(engine, LibraryPaths(Path(scratch)))
        again_seconds = time.perf_counter() - started
        engine.dispose()

    print(
        json.dumps(
            {
                "count": args.count,
                "places_in_data": len(named.places),
                "named": sum(n is not None for n in names),
                "load_seconds": round(load_seconds, 3),
                "name_seconds": round(name_seconds, 3),
                "name_places_seconds": round(step_seconds, 3),
                "name_places_named": placed,
                "target_seconds": 5.0,
                "nothing_new_seconds": round(again_seconds, 3),
                "nothing_new_named": again,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
