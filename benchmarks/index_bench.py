"""Indexing throughput: the model alone vs the whole pipeline, in one run, as JSON.

    python benchmarks/index_bench.py [--count 384] [--repeat 3] [--device cpu|cuda] [--batch-size N]

Model-only feeds ready-made input arrays to the same embedder at the pipeline's batch size;
the pipeline indexes camera-size JPEGs (4000x3000, EXIF) into a fresh library with the model
already loaded. ratio = pipeline images/s / model-only images/s (target >= 0.85 on the CPU).

ratio_ceiling is the most any overlap could give on the CPU: the pipeline's own CPU time per
photo (all threads: inference, decoding, bookkeeping), packed perfectly on every core, against
model-only's wall time per photo; packing = ratio / ceiling is how close the run came to it.
parallel_efficiency = model-only / (cores x one-thread rate) shows how well inference alone
uses the cores. Rounds repeat everything on a fresh library; medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.indexing.pipeline import IndexOptions  # noqa: E402
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


def nvjpeg_rate(photos: list[Path], device: str, batch: int = 32) -> float | None:
    """GPU JPEG decoding (nvjpeg through torchvision) plus a resize to 224, images/s: what a
    decode path on the GPU could feed the model, next to the CPU pipeline's own rate."""
    if not device.startswith("cuda"):
        return None
    import torch
    import torch.nn.functional as F
    from torchvision.io import decode_jpeg

    datas = [torch.frombuffer(bytearray(p.read_bytes()), dtype=torch.uint8) for p in photos[:batch]]
    for _ in range(2):  # warm-up, then timed
        torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(4):
            decoded = decode_jpeg(datas, device=device)
            for image in decoded:
                F.interpolate(image[None].float(), size=(224, 298), mode="bilinear", antialias=True)
        torch.cuda.synchronize()
    return 4 * len(datas) / (time.perf_counter() - started)


def decode_path(options: IndexOptions, device: str) -> str:
    return "processes" if options.use_processes(device) else "threads"


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
    args = parser.parse_args()

    t0 = time.perf_counter()
    photos = make_camera_jpegs(args.data, args.count)
    generate_s = time.perf_counter() - t0
    options = IndexOptions(
        batch_size=args.batch_size, decode_workers=args.workers, detect=False, ocr=False, faces=False
    )
    rounds = [one_round(args, options, photos) for _ in range(max(1, args.repeat))]
    last = rounds[-1]
    library, report = last["library"], last["report"]
    device = library.embedder.device
    with (
        tempfile.TemporaryDirectory() as probe_dir,
        Library(Path(probe_dir), ModelSpec(args.model, "random"), device=args.device) as probe,
    ):
        decode_ms = decode_cost_ms(probe, photos)
        one_thread_ips = one_thread_rate(probe, last["batch_size"], 2)
        gpu_decode = nvjpeg_rate(photos, device)
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
                "nvjpeg_decode_resize_images_per_second": round(gpu_decode, 1) if gpu_decode else None,
                "failed": report.failed,
                "generate_seconds": round(generate_s, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
