"""DBSCAN and the 3D map at 10k and 100k synthetic vectors: seconds and peak memory, as JSON.

    python benchmarks/analysis_bench.py [--sizes 10000,100000]

The vectors look like a photo library: topics holding groups of near-duplicates and events
(bursts, trips; cosine ~0.85 within a group) and 30% loose photos that are near nothing in
particular, all sharing one mean direction. Each
measurement runs in its own process; peak memory is that process's maximum resident size, and
`added_mb` what the step added over the vectors already in memory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DIM = 512


def library_like(n: int, seed: int = 0, topics: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Topics (beach, food, documents, ...) hold events and near-duplicate groups (cosine ~0.85
    inside a group, labelled) and loose photos (labelled -1) that belong to a topic but are
    near nothing in particular. All share one mean direction, as CLIP vectors do."""
    rng = np.random.default_rng(seed)
    unit = 1 / np.sqrt(DIM)
    offset = 0.8 * rng.normal(size=DIM).astype(np.float32) * unit
    topic_centres = rng.normal(size=(topics, DIM)).astype(np.float32) * unit
    grouped = int(n * 0.7)
    sizes = rng.integers(3, 30, size=grouped // 10)
    labels = np.repeat(np.arange(len(sizes)), sizes)[:grouped]
    labels = np.concatenate([labels, np.full(n - len(labels), -1)])
    group_topic = rng.integers(0, topics, len(sizes))
    group_centres = topic_centres[group_topic] + 0.8 * rng.normal(size=(len(sizes), DIM)).astype(np.float32) * unit
    x = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 50_000):
        part = labels[start : start + 50_000]
        loose = (
            topic_centres[rng.integers(0, topics, len(part))]
            + 1.0 * rng.normal(size=(len(part), DIM)).astype(np.float32) * unit
        )
        base = np.where(part[:, None] >= 0, group_centres[np.maximum(part, 0)], loose)
        chunk = offset + base + rng.normal(scale=0.35 * unit, size=(len(part), DIM)).astype(np.float32)
        x[start : start + 50_000] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return x, labels


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(task: str, n: int, queue: mp.Queue) -> None:
    from app.analysis.clustering import dbscan
    from app.analysis.evaluation import purity
    from app.analysis.projection import project_3d

    x, labels = library_like(n)
    before = _rss_mb()
    started = time.perf_counter()
    if task == "dbscan":
        found = dbscan(x, 0.2, 2)
        extra = purity(found[labels >= 0], labels[labels >= 0])
        extra["noise_found"] = int((found == -1).sum())
    else:
        coords = project_3d(x)
        extra = {"points": len(coords)}
    seconds = time.perf_counter() - started
    queue.put(
        {
            "seconds": round(seconds, 1),
            "peak_mb": round(_rss_mb(), 0),
            "added_mb": round(_rss_mb() - before, 0),
            **extra,
        }
    )


def measure(task: str, n: int) -> dict:
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(task, n, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    out = {"dimension": DIM, "cores": os.cpu_count(), "runs": []}
    for n in (int(s) for s in args.sizes.split(",")):
        entry = {"vectors": n, "dbscan_eps0.2_min2": measure("dbscan", n), "projection_3d": measure("projection", n)}
        out["runs"].append(entry)
        print(json.dumps(entry), file=sys.stderr)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
