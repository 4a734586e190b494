"""Indexing throughput: the model alone vs the whole pipeline, in one run, as JSON.

    python benchmarks/index_bench.py [--count 384] [--repeat 3] [--device cpu|cuda] [--batch-size N] [--device-decode]
    python benchmarks/index_bench.py --ray [ADDRESS] [--count 384] [--repeat 2]

Model-only feeds ready-made input arrays to the same embedder at the pipeline's batch size;
the pipeline indexes camera-size JPEGs (4000x3000, EXIF) into a fresh library with the model
already loaded. ratio = pipeline images/s / model-only images/s (target >= 0.85 on the CPU).

ratio_ceiling is the most any overlap could give on the CPU: the pipeline's own CPU time per
photo (all threads: inference, decoding, bookkeeping), packed perfectly on every core, against
model-only's wall time per photo; packing = ratio / ceiling is how close the run came to it.
parallel_efficiency = model-only / (cores x one-thread rate) shows how well inference alone
uses the cores. Rounds repeat everything on a fresh library; medians are reported.

On CUDA (or with --device-decode) `device_decode_stages` times the parts of decoding JPEGs on
the model's device: the device alone (nvjpeg, upright, thumbnail, model input, thumbnail JPEG
back), a decode process's share (read, hash, header check) on one core, and what the pool of
processes hands over per second, bytes pickled across or copied into shared memory (the
arena the pipeline uses), with this process's CPU per photo for each. With decoding in processes,
`main_process_bound_images_per_second` is 1000 / this process's CPU ms per photo: what it can
embed and commit at most. --device-decode adds, each round, the pipeline with JPEGs decoded on
the device (`device_decode_rounds`), to compare with decoding in processes.

With --ray, each round indexes the same photos on this machine and on Ray (a Ray started here,
or the cluster at ADDRESS), in alternating order; `ray.overhead` is 1 - Ray's images/s over the
local path's (target <= 0.15), both end to end (Ray's start and its actors' model loading
included) and in steady state (first to last commit). `ray.projection` turns the per-stage costs
measured here into photos/s on N machines (see `projection`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.indexing.byte_arena import ByteArena, Slot, arena_capacity, copy_into  # noqa: E402
from app.indexing.pipeline import IndexOptions  # noqa: E402
from app.indexing.run_setup import RunControls  # noqa: E402
from app.library import Library  # noqa: E402
from app.ml.spec import ModelSpec  # noqa: E402
from benchmarks.synthetic_photos import make_camera_heics, make_camera_jpegs  # noqa: E402


def model_only(library: Library, batch_size: int, batches: int) -> tuple[float, float]:
    """Images/s of the model alone on ready-made inputs, and the CPU ms it spent per image."""
    embedder = library.embedder.load()
    assert embedder.input_spec is not None
    s = embedder.input_spec.size
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 255, (s, s, 3), dtype=np.uint8) for _ in range(batch_size)]
    for _ in range(3):  # warm-up: the first batches after loading run slower (allocations, kernel caches)
        embedder.embed_arrays(arrays)
    cpu0 = cpu_seconds()
    started = time.perf_counter()
    for _ in range(batches):
        embedder.embed_arrays(arrays)
    if embedder.device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()
    images = batch_size * batches
    return images / (time.perf_counter() - started), (cpu_seconds() - cpu0) * 1000 / images


def cpu_seconds() -> float:
    """CPU time this process (every thread) has used: what a run costs, whatever else the
    machine is doing meanwhile."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_thread_rate(library: Library, batch_size: int, batches: int) -> float | None:
    """Model-only images/s on one core, to show how well inference alone uses the cores."""
    if library.embedder.device.startswith("cuda"):
        return None
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return model_only(library, batch_size, batches)[0]
    finally:
        torch.set_num_threads(threads)


def decode_cost_ms(library: Library, photos: list[Path], sample: int = 12) -> float:
    """Single-thread read + hash + draft decode + thumbnail + model input, per image."""
    from app.indexing.decoding import decode, read_file

    spec = library.embedder.load().input_spec
    assert spec is not None
    with tempfile.TemporaryDirectory() as thumbs:
        started = time.perf_counter()
        for i, path in enumerate(photos[:sample]):
            decode(read_file(str(path)), spec, Path(thumbs) / f"{i}.jpg")
        return (time.perf_counter() - started) / min(sample, len(photos)) * 1000


def device_decode_rate(library: Library, photos: list[Path], batch: int = 64) -> float:
    """Photos/s of the device decoding alone (nvjpeg on CUDA): decode, turn upright, the
    thumbnail, the model input and the thumbnail's JPEG back on the host, a batch at a time."""
    from app.ml.device_jpeg import decode_on_device

    device = library.embedder.device
    spec = library.embedder.load().input_spec
    assert spec is not None
    datas = [p.read_bytes() for p in photos[:batch]]
    rounds = 4 if device.startswith("cuda") else 1
    for timed in (False, True):  # warm-up (the decoder's buffers), then timed
        started = time.perf_counter()
        for _ in range(rounds if timed else 1):
            made = decode_on_device(datas, [None] * len(datas), spec, device)
            made.thumbnail_files()
            made.pixels.cpu()
    return rounds * len(datas) / (time.perf_counter() - started)


def process_feed(photos: list[Path], workers: int) -> dict:
    """What decode processes hand this process per second when the device decodes: read,
    hash and header check there, then each file's bytes pickled across a pipe, or copied into
    the shared-memory arena; with this process's CPU ms per photo for each."""
    context = multiprocessing.get_context("spawn")
    out = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        list(pool.map(_checked_bytes, photos[:workers]))  # the processes start
        cpu0, started = cpu_seconds(), time.perf_counter()
        handed = sum(len(data) > 0 for data in pool.map(_checked_bytes, photos))
        out["bytes_pickled"] = _feed_figures(handed, started, cpu0)
        arena = ByteArena(arena_capacity(sum(path.stat().st_size for path in photos)))
        try:
            cpu0, started = cpu_seconds(), time.perf_counter()
            pending: deque[tuple[Slot, Future[Slot | None]]] = deque()
            handed = 0
            for path in photos:
                slot = arena.reserve(path.stat().st_size)
                assert slot is not None, "the arena holds a few hundred camera photos"
                pending.append((slot, pool.submit(_checked_into, path, slot)))
                while len(pending) > 4 * workers or (pending and pending[0][1].done()):
                    slot, placed = pending.popleft()
                    handed += placed.result() is not None
                    arena.release(slot)
            for slot, placed in pending:
                handed += placed.result() is not None
                arena.release(slot)
            out["shared_memory"] = _feed_figures(handed, started, cpu0)
        finally:
            arena.close()
    return out


def _feed_figures(handed: int, started: float, cpu0: float) -> dict:
    return {
        "images_per_second": round(handed / (time.perf_counter() - started), 1),
        "main_process_cpu_ms_per_image": round((cpu_seconds() - cpu0) * 1000 / max(1, handed), 3),
    }


def _checked_bytes(path: Path) -> bytes:
    from app.indexing.decoding import jpeg_for_device, read_file

    content = read_file(str(path))
    assert jpeg_for_device(content) is not None
    return content.data


def _checked_into(path: Path, slot: Slot) -> Slot | None:
    from app.indexing.decoding import jpeg_for_device, read_file

    content = read_file(str(path))
    assert jpeg_for_device(content) is not None
    return copy_into(slot, content.data)


def header_check_ms(photos: list[Path], sample: int = 24) -> float:
    """Single-thread read + hash + header check per photo: a decode process's whole share of a
    JPEG when the device decodes it."""
    from app.indexing.decoding import jpeg_for_device, read_file

    started = time.perf_counter()
    for path in photos[:sample]:
        assert jpeg_for_device(read_file(str(path))) is not None
    return (time.perf_counter() - started) / min(sample, len(photos)) * 1000


def decode_path(options: IndexOptions, device: str) -> str:
    return "processes" if options.use_processes(device) else "threads"


def device_decode_round(args: argparse.Namespace, options: IndexOptions, photos: list[Path]) -> dict:
    """The pipeline again, with JPEGs decoded on the model's device."""
    result = one_round(args, dataclasses.replace(options, device_decode=True), photos)
    report = result["report"]
    return {
        "pipeline_images_per_second": round(result["pipeline"], 2),
        "ratio": round(result["ratio"], 3),
        "main_process_cpu_ms_per_image": round(result["pipeline_cpu_ms"], 2),
        "failed": report.failed,
        "embedded": report.embedded,
    }


def one_round(args: argparse.Namespace, options: IndexOptions, photos: list[Path]) -> dict:
    """Model-only before and after, the pipeline in between, on a fresh library."""
    with tempfile.TemporaryDirectory() as lib_dir, tempfile.TemporaryDirectory(dir=args.data) as folder:
        for photo in photos:  # exactly these photos (the cache may hold more): hard links, no copies
            os.link(photo, Path(folder) / photo.name)
        with Library(Path(lib_dir), ModelSpec(args.model, "random"), device=args.device) as library:
            library.embedder.load()
            batch_size = options.resolved_batch_size(library.embedder.device)
            batches = max(20 if library.embedder.device.startswith("cuda") else 2, args.count // batch_size)
            before, model_cpu_ms = model_only(library, batch_size, batches)
            cpu0 = cpu_seconds()
            report = library.index([Path(folder)], options)
            pipeline_cpu_ms = (cpu_seconds() - cpu0) * 1000 / max(1, report.embedded)
            after, _ = model_only(library, batch_size, batches)
            model_ips = (before + after) / 2
            pipeline_ips = report.embedded / report.seconds
            cores = os.cpu_count() or 1
            return {
                "library": library,
                "batch_size": batch_size,
                "report": report,
                "model_only": model_ips,
                "before_after": [round(before, 2), round(after, 2)],
                "pipeline": pipeline_ips,
                "ratio": pipeline_ips / model_ips,
                "ceiling": min(1.0, cores * 1000 / model_ips / pipeline_cpu_ms),
                "model_cpu_ms": model_cpu_ms,
                "pipeline_cpu_ms": pipeline_cpu_ms,
            }


class Commits:
    """A progress callback that notes when photos were committed: the steady-state rate runs
    from the first commit to the last, leaving out start-up (Ray's and the model's)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: list[tuple[float, int, float]] = []  # (time, photos committed, CPU seconds)

    def __call__(self, progress: object) -> None:
        embedded = int(getattr(progress, "embedded", 0))
        if embedded and (not self.marks or embedded > self.marks[-1][1]):
            self.marks.append((time.perf_counter(), embedded, cpu_seconds()))

    def steady_rate(self) -> float:
        if len(self.marks) < 2:
            return 0.0
        (t0, n0, _), (t1, n1, _) = self.marks[0], self.marks[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def steady_cpu_ms(self) -> float:
        """This process's CPU per photo committed between the first commit and the last."""
        if len(self.marks) < 2:
            return 0.0
        (_, n0, c0), (_, n1, c1) = self.marks[0], self.marks[-1]
        return (c1 - c0) * 1000 / (n1 - n0) if n1 > n0 else 0.0

    def first_commit_seconds(self) -> float:
        return self.marks[0][0] - self.started if self.marks else 0.0


def ray_round(args: argparse.Namespace, photos: list[Path], ray_first: bool) -> dict:
    """The same photos indexed here and on Ray, each into a fresh library."""
    out: dict = {}
    for where in ("ray", "local") if ray_first else ("local", "ray"):
        options = IndexOptions(
            batch_size=args.batch_size,
            decode_workers=args.workers,
            detect=False,
            ocr=False,
            faces=False,
            ray=args.ray if where == "ray" else None,
        )
        with tempfile.TemporaryDirectory() as lib_dir, tempfile.TemporaryDirectory(dir=args.data) as folder:
            for photo in photos:
                os.link(photo, Path(folder) / photo.name)
            with Library(Path(lib_dir), ModelSpec(args.model, "random"), device=args.device) as library:
                library.embedder.load()  # as in the local rounds: loading is not indexing
                commits = Commits()
                report = library.index([Path(folder)], options, RunControls(commits))
                out[where] = {
                    "images_per_second": report.embedded / report.seconds,
                    "steady_images_per_second": commits.steady_rate(),
                    "seconds": report.seconds,
                    "first_commit_seconds": commits.first_commit_seconds(),
                    "embedded": report.embedded,
                    # This process's CPU per photo once running: on Ray, the driver's share
                    # (outcomes read, thumbnails written, commits), which does not spread.
                    "steady_cpu_ms_per_image": commits.steady_cpu_ms(),
                }
    return out


def projection(ray_node_ips: float, decode_ms: float, driver_ms: float, nodes: list[int], gpu_ips: float) -> dict:
    """Photos/s on N machines from per-stage costs measured here. A CPU machine like this one
    indexes at the rate measured on Ray here; a GPU machine embeds at `gpu_ips` (an assumption
    until a GPU machine measures it) unless its 16 cores cannot decode that fast. The driver
    reads, stores and commits every photo, so its CPU time per photo caps the cluster."""
    driver_cap = 1000 / driver_ms if driver_ms > 0 else float("inf")

    def cluster(per_node: float) -> dict[str, float]:
        return {str(n): round(min(n * per_node, driver_cap), 1) for n in nodes}

    gpu_node = min(gpu_ips, 16 * 1000 / decode_ms)
    return {
        "cpu_machines_like_this": cluster(ray_node_ips),
        "gpu_machines_with_16_cores": cluster(gpu_node),
        "gpu_machine_images_per_second": round(gpu_node, 1),
        "gpu_machine_bound_by": "decoding" if gpu_node < gpu_ips else "the GPU",
        "driver_cap_images_per_second": round(driver_cap, 1),
        "assumed_gpu_images_per_second": gpu_ips,
    }


def ray_main(args: argparse.Namespace, photos: list[Path]) -> None:
    rounds = [ray_round(args, photos, ray_first=i % 2 == 0) for i in range(max(1, args.repeat))]

    def median(where: str, key: str) -> float:
        return float(np.median([r[where][key] for r in rounds]))

    with (
        tempfile.TemporaryDirectory() as probe_dir,
        Library(Path(probe_dir), ModelSpec(args.model, "random"), device=args.device) as probe,
    ):
        decode_ms = decode_cost_ms(probe, photos)
        model_ips, _ = model_only(probe, IndexOptions().resolved_batch_size(probe.embedder.device), 4)
    local, ray = median("local", "images_per_second"), median("ray", "images_per_second")
    steady_local, steady_ray = median("local", "steady_images_per_second"), median("ray", "steady_images_per_second")
    print(
        json.dumps(
            {
                "model": f"{args.model} (random weights)",
                "cores": os.cpu_count(),
                "ray_address": args.ray or "a Ray started on this machine",
                "images": rounds[-1]["ray"]["embedded"],
                "rounds": rounds,
                "local_images_per_second": round(local, 2),
                "ray_images_per_second": round(ray, 2),
                "overhead": round(1 - ray / local, 3),
                "steady_local_images_per_second": round(steady_local, 2),
                "steady_ray_images_per_second": round(steady_ray, 2),
                "steady_overhead": round(1 - steady_ray / steady_local, 3) if steady_local else None,
                "first_commit_seconds": {w: round(median(w, "first_commit_seconds"), 1) for w in ("local", "ray")},
                "model_only_images_per_second": round(model_ips, 2),
                "decode_ms_per_image_one_core": round(decode_ms, 1),
                "driver_cpu_ms_per_image": round(median("ray", "steady_cpu_ms_per_image"), 2),
                "projection": projection(
                    steady_ray, decode_ms, median("ray", "steady_cpu_ms_per_image"), [1, 2, 4, 8, 16], args.gpu_rate
                ),
            },
            indent=2,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--count",
        type=int,
        default=384,
        help="photos (12 batches on the CPU: the first batch decodes and the last one embeds with nothing to overlap)",
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (fresh library each); medians are reported")
    parser.add_argument(
        "--heic",
        type=int,
        default=0,
        help="also time decoding this many HEIC photos, with and without an embedded thumbnail",
    )
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "photo-organizer-bench-jpegs")
    parser.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="compare with indexing on Ray (alone: a Ray started here)",
    )
    parser.add_argument(
        "--device-decode",
        action="store_true",
        help="each round also indexes with JPEGs decoded on the model's device (nvjpeg on CUDA)",
    )
    parser.add_argument(
        "--gpu-rate",
        type=float,
        default=3000.0,
        help="images/s of one GPU for the projection, until a GPU machine measures it",
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    photos = make_camera_jpegs(args.data, args.count)
    generate_s = time.perf_counter() - t0
    if args.ray is not None:
        ray_main(args, photos)
        return
    options = IndexOptions(
        batch_size=args.batch_size,
        decode_workers=args.workers,
        detect=False,
        ocr=False,
        faces=False,
        device_decode=False,  # decoding in processes; --device-decode adds rounds on the device
    )
    rounds, on_device = [], []
    for _ in range(max(1, args.repeat)):
        rounds.append(one_round(args, options, photos))
        if args.device_decode:
            on_device.append(device_decode_round(args, options, photos))
    last = rounds[-1]
    library, report = last["library"], last["report"]
    device = library.embedder.device
    with (
        tempfile.TemporaryDirectory() as probe_dir,
        Library(Path(probe_dir), ModelSpec(args.model, "random"), device=args.device) as probe,
    ):
        decode_ms = decode_cost_ms(probe, photos)
        one_thread_ips = one_thread_rate(probe, last["batch_size"], 2)
        stages = None
        if device.startswith("cuda") or args.device_decode:
            stages = {
                "device_decode_images_per_second": round(device_decode_rate(probe, photos), 1),
                "header_check_ms_per_image_one_core": round(header_check_ms(photos), 2),
                "process_feed": process_feed(photos, options.resolved_workers()),
            }
        heic = None
        if args.heic:
            some = photos[: args.heic]
            heic = {
                "photos": len(some),
                "with_320px_thumbnail": round(
                    decode_cost_ms(probe, make_camera_heics(some, args.data / "heic", True), len(some)), 1
                ),
                "without_thumbnail": round(
                    decode_cost_ms(probe, make_camera_heics(some, args.data / "heic", False), len(some)), 1
                ),
            }

    def median(key: str) -> float:
        return float(np.median([r[key] for r in rounds]))

    model_ips = median("model_only")
    cores = os.cpu_count() or 1
    ceiling = median("ceiling")
    print(
        json.dumps(
            {
                "model": f"{args.model} (random weights)",
                "device": device,
                "cores": cores,
                "images": report.embedded,
                "image_size": "4000x3000 JPEG q90 with EXIF",
                "batch_size": last["batch_size"],
                "decode_workers": options.resolved_workers(),
                "decode_path": decode_path(options, device),
                "rounds": len(rounds),
                "model_only_images_per_second": round(model_ips, 2),
                "pipeline_images_per_second": round(median("pipeline"), 2),
                "ratio": round(median("ratio"), 3),
                "ratios": [round(r["ratio"], 3) for r in rounds],
                "model_only_before_after": [r["before_after"] for r in rounds],
                "pipeline_per_round": [round(r["pipeline"], 2) for r in rounds],
                # CPU time per image (all threads): the cost side, robust to steal time.
                "model_only_cpu_ms_per_image": round(median("model_cpu_ms"), 1),
                "pipeline_cpu_ms_per_image": round(median("pipeline_cpu_ms"), 1),
                "pipeline_seconds": report.seconds,
                "mean_file_mb": round(sum(p.stat().st_size for p in photos) / len(photos) / 1e6, 2),
                "decode_ms_per_image_one_core": round(decode_ms, 1),
                "ratio_ceiling": None if device.startswith("cuda") else round(ceiling, 3),
                "packing": None if device.startswith("cuda") else round(median("ratio") / ceiling, 3),
                "model_only_one_thread_images_per_second": round(one_thread_ips, 2) if one_thread_ips else None,
                "parallel_efficiency": round(model_ips / (cores * one_thread_ips), 3) if one_thread_ips else None,
                "heic_decode_ms_per_image_one_core": heic,
                # With decoding in processes, this process only embeds and commits: its CPU per
                # photo (mostly under one GIL) bounds the whole pipeline.
                "main_process_bound_images_per_second": (
                    round(1000 / median("pipeline_cpu_ms"), 1)
                    if device.startswith("cuda") and decode_path(options, device) == "processes"
                    else None
                ),
                "device_decode_stages": stages,
                "device_decode_rounds": on_device or None,
                "failed": report.failed,
                "generate_seconds": round(generate_s, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
