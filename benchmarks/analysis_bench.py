"""DBSCAN (at the thesis' fixed 0.2, and with the radius chosen from the data, its share of
the time measured), the strictness slider's re-clustering (DBSCAN alone, and the window's whole
step in a catalog: vectors read, groups named and saved, events named), and the 3D map at 10k
and 100k synthetic vectors: seconds and peak memory, as JSON.

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
    from app.analysis.projection import project_3d

    x, labels = library_like(n)
    before = _rss_mb()
    started = time.perf_counter()
    extra: dict = {}
    if task == "dbscan":
        found = dbscan(x, 0.2, 2).labels
        extra = _quality(found, labels)
    elif task == "dbscan_chosen":
        extra = _chosen_radius_share(x, labels)
    elif task == "slider":
        extra = _slider(x)
    elif task == "slider_library":
        extra = _slider_in_a_library(x)
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


def _quality(found: np.ndarray, labels: np.ndarray) -> dict:
    from app.analysis.evaluation import purity

    grouped = labels >= 0
    out: dict = purity(found[grouped], labels[grouped])
    out["loose_photos_grouped"] = round(float((found[~grouped] != -1).mean()), 4)
    return out


def _chosen_radius_share(x: np.ndarray, labels: np.ndarray) -> dict:
    """DBSCAN with the chosen radius, step by step as `RadiusGraph.build` runs it: the k-distance
    sample is the only added step (the index it searches is the one the graph needs anyway)."""
    from app.analysis.clustering import dbscan_on_graph
    from app.analysis.neighbours import index_for, radius_graph
    from app.analysis.radius import chosen_radius

    t0 = time.perf_counter()
    index = index_for(x)
    t1 = time.perf_counter()
    radius = chosen_radius(index, x, 2)
    t2 = time.perf_counter()
    graph = radius_graph(x, radius.eps, index)
    found = dbscan_on_graph(graph, radius.eps, 2)
    t3 = time.perf_counter()
    without = (t1 - t0) + (t3 - t2)
    return {
        "eps": round(radius.eps, 4),
        "choosing_seconds": round(t2 - t1, 2),
        "clustering_seconds": round(without, 2),
        "choosing_adds": round((t2 - t1) / without, 4),
        "edges": int(graph.nnz),
        **_quality(found, labels),
    }


def _slider(x: np.ndarray) -> dict:
    """The graph at the loosest strictness (made once), then DBSCAN at each slider step."""
    from app.analysis.clustering import RadiusGraph

    t0 = time.perf_counter()
    graph = RadiusGraph.build(x, None, 2, loose=True)
    built = time.perf_counter() - t0
    steps, clusters = [], []
    for strictness in np.linspace(0.0, 1.0, 11):
        t = time.perf_counter()
        found = graph.clustering(2, float(strictness))
        steps.append(time.perf_counter() - t)
        clusters.append(int(found.labels.max() + 1))
    return {
        "loose_graph_seconds": round(built, 2),
        "loose_graph_edges": int(graph.graph.nnz),
        "graph_mb": round((graph.graph.data.nbytes + graph.graph.indices.nbytes + graph.graph.indptr.nbytes) / 1e6, 1),
        "recluster_ms_median": round(1000 * float(np.median(steps)), 1),
        "recluster_ms_max": round(1000 * max(steps), 1),
        "clusters_per_step_loose_to_strict": clusters,
    }


def _slider_in_a_library(x: np.ndarray) -> dict:
    """The window's whole slider step on a catalog of len(x) photos: read the vectors, DBSCAN
    from the kept graph, name the groups, save them, and the events named after them."""
    import tempfile

    from sqlalchemy import text

    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import AnalysisInputs, clusters
    from app.analysis.library_events import events
    from app.catalog.database import open_catalog
    from app.core.paths import LibraryPaths

    folder = Path(tempfile.mkdtemp(prefix="po-slider-"))
    engine = open_catalog(LibraryPaths(folder).catalog)
    n = len(x)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, taken_at, added_at) "
                "VALUES (:i, :h, 1, 4000, 3000, 'JPEG', :t, 0)"
            ),
            [{"i": i + 1, "h": f"{i:064x}", "t": 1.6e9 + i * 90} for i in range(n)],
        )
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/photos', 1, 0, :i)"),
            [{"p": f"/photos/IMG_{i:06d}.jpg", "i": i + 1} for i in range(n)],
        )
        conn.execute(
            text(
                "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence, vector) VALUES (:i, :i, 'image', 0, 0, 1, 1, 1, :v)"
            ),
            [{"i": i + 1, "v": x[i].tobytes()} for i in range(n)],
        )
    vocabulary = np.random.default_rng(1).normal(size=(1, x.shape[1])).astype(np.float32)

    def embed(texts: list[str]) -> np.ndarray:  # stands in for the text tower (cached per model anyway)
        return np.repeat(vocabulary, len(texts), axis=0)

    inputs = AnalysisInputs(engine, folder / "analysis", "bench-model", False, embed)
    t0 = time.perf_counter()
    found = clusters(inputs, ClusterParams(), keep_graph=True)
    events(inputs, found)
    first = time.perf_counter() - t0
    steps = []
    for strictness in (0.3, 0.7, 0.5, 0.9):
        t = time.perf_counter()
        found = clusters(inputs, ClusterParams(strictness=strictness), keep_graph=True)
        named = events(inputs, found)
        steps.append(time.perf_counter() - t)
    return {
        "first_clustering_seconds": round(first, 2),
        "slider_step_seconds_median": round(float(np.median(steps)), 3),
        "slider_step_seconds_max": round(max(steps), 3),
        "events": len(named.events),
    }


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
    parser.add_argument("--no-projection", action="store_true", help="leave out the 3D map (minutes at 100k)")
    args = parser.parse_args()
    out = {"dimension": DIM, "cores": os.cpu_count(), "runs": []}
    for n in (int(s) for s in args.sizes.split(",")):
        entry = {
            "vectors": n,
            "dbscan_eps0.2_min2": measure("dbscan", n),
            "dbscan_chosen_radius": measure("dbscan_chosen", n),
            "strictness_slider": measure("slider", n),
            "strictness_slider_in_a_library": measure("slider_library", n),
        }
        if not args.no_projection:
            entry["projection_3d"] = measure("projection", n)
        out["runs"].append(entry)
        print(json.dumps(entry), file=sys.stderr)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
