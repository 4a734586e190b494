"""Search latency and IVF recall on synthetic clustered unit vectors (dimension 512), as JSON.

    python benchmarks/search_bench.py [--sizes 100000,1000000] [--queries 200]

For each size: p50/p95 of one query against the flat index and against the IVF index the app
would build (same code: VectorStore.build_ivf), recall@10 of IVF against exact search, and the
IVF build time. With --grown-from N, the largest size is also searched through lists trained
on its first N vectors only and then filled up (what a library that crossed the IVF threshold
at N would have without retraining), to show what retraining buys. At the first size it also times the app's whole search path over a real
catalog (FAISS + ranking + SQLite lookups, text encoding excluded) and, separately, the text
encoding of ViT-B-32 (random weights, same compute). Last, a search from the command line end
to end (process start to printed results): in a process of its own through the exported text
tower and through torch, and answered by the warm helper an earlier search started, beside
rclip's on the same folder (rclip installed into its own virtual environment from the
package registry, with offline models of its architecture: benchmarks/rclip_peer.py; --no-rclip
leaves it out). `--cli-only` runs just that.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.vectors.ivf import build_ivf, recall_at_k  # noqa: E402
from app.vectors.store import VectorStore  # noqa: E402

DIM = 512


def clustered(
    n: int, centres: np.ndarray, offset: np.ndarray, rng: np.random.Generator, spread: float = 0.07
) -> np.ndarray:
    """CLIP-like: a common direction shared by everything (`offset`), topic clusters, and
    per-item noise larger than the cluster signal (cos to the own centre ~0.5)."""
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        chunk = (
            offset
            + centres[rng.integers(0, len(centres), m)]
            + rng.normal(scale=spread, size=(m, DIM)).astype(np.float32)
        )
        out[start : start + m] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def latencies(store: VectorStore, queries: np.ndarray, k: int) -> list[float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        store.search(q, k)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def grown_without_retraining(
    vectors: np.ndarray, trained_on: int, queries: np.ndarray, truth: np.ndarray, k: int
) -> dict:
    """IVF lists trained (and nprobe calibrated) on the first `trained_on` vectors, then the
    rest added to them: the index a library would keep if it never retrained."""
    n = len(vectors)
    build = build_ivf(np.arange(trained_on), vectors[:trained_on])
    build.index.add_with_ids(vectors[trained_on:], np.arange(trained_on, n))
    with tempfile.TemporaryDirectory() as folder:
        store = VectorStore(Path(folder) / "v.faiss", DIM)
        store.swap_in(build.index, 0)
        timing = summary(latencies(store, queries, k))
        _, found = store.search(queries, 10)
    return {
        "trained_on": trained_on,
        "nlist": build.nlist,
        "nprobe": build.nprobe,
        **timing,
        "recall_at_10": round(recall_at_k(truth, found), 4),
    }


def catalog_of(folder: Path, vectors: np.ndarray):  # type: ignore[no-untyped-def]
    """A real catalog in `folder` holding one photo per vector (its whole-image region); returns
    its engine."""
    from sqlalchemy import text

    from app.catalog.database import open_catalog

    engine = open_catalog(folder / "catalog.sqlite")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at) "
                "VALUES (:i, :h, 1, 1, 1, 'JPEG', 0)"
            ),
            [{"i": i + 1, "h": f"{i:064x}"} for i in range(len(vectors))],
        )
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/photos', 1, 0, :i)"),
            [{"p": f"/photos/{i}.jpg", "i": i + 1} for i in range(len(vectors))],
        )
        conn.execute(
            text(
                "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence, vector) "
                "VALUES (:i, :i, 'image', 0, 0, 1, 1, 1, :v)"
            ),
            [{"i": i + 1, "v": vectors[i].tobytes()} for i in range(len(vectors))],
        )
    return engine


def whole_path(vectors: np.ndarray, queries: np.ndarray) -> dict:
    """The app's search service over a real catalog of len(vectors) images."""
    from app.search.ranking import RankingOptions
    from app.search.vector_search import QueryVectors, search

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        engine = catalog_of(Path(folder), vectors)
        catalog_s = time.perf_counter() - started
        store = VectorStore(Path(folder) / "v.faiss", DIM)
        store.add(np.arange(1, len(vectors) + 1), vectors)
        options = RankingOptions(top_k=20)
        times = []
        for q in queries:
            started = time.perf_counter()
            hits = search(engine, store, QueryVectors(q, keywords=("beach",)), options)
            times.append((time.perf_counter() - started) * 1000)
        assert len(hits) == 20
        engine.dispose()
    return {"images": len(vectors), "top_k": 20, **summary(times), "catalog_build_seconds": round(catalog_s, 1)}


def text_encoding_ms() -> dict:
    from app.ml.embedder import ClipEmbedder
    from app.ml.spec import ModelSpec

    embedder = ClipEmbedder(ModelSpec("ViT-B-32", "random"), "cpu").load()
    embedder.embed_texts(["a photo of a warm-up"])
    times = []
    for word in ("beach", "dog in the snow", "birthday cake", "red car", "mountain lake", "receipt"):
        started = time.perf_counter()
        embedder.embed_texts([f"a photo of {word}"])
        times.append((time.perf_counter() - started) * 1000)
    return {"model": "ViT-B-32 (random weights)", "device": embedder.device, **summary(times)}


def command_line_search(runs: int = 5, with_rclip: bool = True) -> dict:
    """`photo-organizer search "a dog"` from process start to printed results, on a small
    library indexed with ViT-B-32 (random weights): in a process of its own through the
    exported text tower (the default's first search), answered by the warm helper a search
    starts (the default's next searches), and through torch (PHOTO_ORGANIZER_QUICK_SEARCH=0,
    as before the export); and rclip's `rclip "a dog"` on the same folder, in turn, each as its
    own process."""
    import statistics
    import subprocess

    from benchmarks import rclip_peer
    from tests.helpers.shapes import write_test_set

    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory(prefix="po-", dir="/tmp") as run:
        root = Path(scratch)
        write_test_set(root / "photos", per_class=2, seed=1)
        env = {
            **os.environ,
            "PHOTO_ORGANIZER_QUERY_DIR": str(root / "query"),
            "PHOTO_ORGANIZER_LIBRARY": str(root / "lib"),
            "PHOTO_ORGANIZER_SEARCH_HELPER": "0",
            "XDG_RUNTIME_DIR": run,
        }
        command = [sys.executable, "-m", "app"]
        index = [*command, "index", str(root / "photos"), "--model", "ViT-B-32", "--pretrained", "random"]
        subprocess.run([*index, "--no-detect", "--no-ocr"], env=env, check=True, capture_output=True)
        ways = {
            "quick": {},
            "warm": {"PHOTO_ORGANIZER_SEARCH_HELPER": "1"},
            "torch": {"PHOTO_ORGANIZER_QUICK_SEARCH": "0"},
        }
        search = [*command, "search", "a dog", "--json"]
        subprocess.run(search, env={**env, **ways["warm"]}, check=True, capture_output=True)  # starts the helper
        helper = listening_helper(Path(run))
        timings: dict[str, list[float]] = {way: [] for way in ways}
        outputs: dict[str, str] = {}
        rclip: list[str] | str = "left out (--no-rclip)"
        cache = Path.home() / ".cache" / "photo-organizer-bench"
        env_rclip = rclip_peer.rclip_environment(cache / rclip_peer.DATA)
        if with_rclip:
            try:
                rclip = rclip_peer.prepare(cache, root / "photos")
                timings["rclip"] = []
            except (OSError, subprocess.SubprocessError) as exc:
                rclip = f"unavailable: {exc}"
        for _ in range(runs):
            if isinstance(rclip, list):
                started = time.perf_counter()
                subprocess.run(rclip, cwd=root / "photos", env=env_rclip, check=True, capture_output=True)
                timings["rclip"].append(time.perf_counter() - started)
            for way, extra in ways.items():
                started = time.perf_counter()
                done = subprocess.run(search, env={**env, **extra}, check=True, capture_output=True)
                timings[way].append(time.perf_counter() - started)
                outputs[way] = json.dumps(
                    [(r["path"], round(r["score"], 5)) for r in json.loads(done.stdout)["results"]]
                )
        os.kill(helper, signal.SIGTERM)
    quick, warm, slow = (statistics.median(timings[way]) for way in ways)
    out = {
        "quick_seconds_median": round(quick, 3),
        "warm_seconds_median": round(warm, 3),
        "torch_seconds_median": round(slow, 3),
        "speedup": round(slow / quick, 2),
        "same_results": outputs["quick"] == outputs["torch"] == outputs["warm"],
        "runs": runs,
    }
    if timings.get("rclip"):
        peer = statistics.median(timings["rclip"])
        out["rclip"] = {
            "version": rclip_peer.RCLIP,
            "model": f"{rclip_peer.ARCHITECTURE} (random weights, exported to ONNX)",
            "seconds_median": round(peer, 3),
            "over_quick": round(peer / quick, 2),
            "over_warm": round(peer / warm, 2),
        }
    else:
        out["rclip"] = rclip
    return out


def listening_helper(run: Path, wait: float = 120) -> int:
    """The pid of the helper the first search started (in the runtime folder `run`)."""
    from app.cli.helper_client import listening

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for address in run.glob("photo-organizer-*/*.sock"):
            if listening(address):
                return int(address.with_suffix(".lock").read_text())
        time.sleep(0.1)
    raise RuntimeError("the search started no helper")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clusters", type=int, default=2000)
    parser.add_argument(
        "--grown-from", type=int, default=0, help="also time lists trained on this many, never retrained"
    )
    parser.add_argument("--cli-only", action="store_true", help="only the command-line search, end to end")
    parser.add_argument("--no-rclip", action="store_true", help="leave rclip out of the command-line search")
    args = parser.parse_args()
    if args.cli_only:
        found = command_line_search(with_rclip=not args.no_rclip)
        print(json.dumps({"cores": os.cpu_count(), "command_line_search": found}, indent=2))
        return
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(args.clusters, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    # Images share one mean direction and queries another (the modality gap of text queries).
    image_offset = 0.8 * unit(rng.normal(size=DIM))
    query_offset = 0.8 * unit(rng.normal(size=DIM))
    out: dict = {"dimension": DIM, "cores": os.cpu_count(), "clusters": args.clusters, "sizes": []}
    sizes = [int(s) for s in args.sizes.split(",")]
    for i, n in enumerate(sizes):
        vectors = clustered(n, centres, image_offset, rng)
        queries = clustered(args.queries, centres, query_offset, rng)
        k = 20 * 8 + 64  # what the search service fetches for top_k = 20
        with tempfile.TemporaryDirectory() as folder:
            store = VectorStore(Path(folder) / "v.faiss", DIM)
            store.add(np.arange(n), vectors)
            flat = summary(latencies(store, queries, k))
            _, truth = store.search(queries, 10)
            started = time.perf_counter()
            build = store.build_ivf()
            build_s = time.perf_counter() - started
            store.swap_in(build.index, n)
            ivf = summary(latencies(store, queries, k))
            _, found = store.search(queries, 10)
        entry = {
            "vectors": n,
            "flat": flat,
            "ivf": {
                **ivf,
                "nlist": build.nlist,
                "nprobe": build.nprobe,
                "build_seconds": round(build_s, 1),
                "recall_at_10": round(recall_at_k(truth, found), 4),
            },
        }
        if args.grown_from and i == len(sizes) - 1 and args.grown_from < n:
            entry["ivf_not_retrained"] = grown_without_retraining(vectors, args.grown_from, queries, truth, k)
        if i == 0:
            entry["whole_search_path_flat"] = whole_path(vectors, queries[:100])
        out["sizes"].append(entry)
        print(json.dumps(entry), file=sys.stderr)
        del vectors
    out["text_encoding"] = text_encoding_ms()
    out["command_line_search"] = command_line_search(with_rclip=not args.no_rclip)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
