"""Where indexing's time goes on a GPU machine: a sampling profile of this process's threads.

    python benchmarks/gpu/where_time_goes.py [--count 768] [--device cuda]

Indexes camera-size JPEGs twice (decoding in processes, then on the device) while a sampler
thread looks at every thread's stack each 5 ms. For each thread it prints the share of samples
whose innermost frame in app/ code is each function, and the share spent waiting (queues,
locks, futures). The busiest thread that is rarely waiting is what bounds the pipeline. JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.indexing.pipeline import IndexOptions  # noqa: E402
from app.library import Library  # noqa: E402
from app.ml.spec import ModelSpec  # noqa: E402
from benchmarks.synthetic_photos import make_camera_jpegs  # noqa: E402

WAITS = {
    "_worker",
    "wait",
    "get",
    "acquire",
    "result",
    "_wait_for_tstate_lock",
    "select",
    "poll",
    "recv_bytes",
    "_recv",
}


class Sampler:
    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.samples: dict[str, Counter[str]] = defaultdict(Counter)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.every):
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                self.samples[names.get(ident, str(ident))][_where(frame)] += 1

    def table(self, top: int = 8) -> dict:
        out = {}
        for thread, counts in sorted(self.samples.items(), key=lambda kv: -sum(kv[1].values())):
            total = sum(counts.values())
            out[thread] = {
                "samples": total,
                "top": {k: round(v / total, 3) for k, v in counts.most_common(top)},
            }
        return out


def _where(frame) -> str:  # noqa: ANN001
    innermost = frame.f_code.co_name
    app_frame = None
    while frame is not None:
        if "/app/" in frame.f_code.co_filename and app_frame is None:
            app_frame = frame
        frame = frame.f_back
    state = "wait:" if innermost in WAITS else ""
    if app_frame is None:
        return f"{state}{innermost}"
    short = app_frame.f_code.co_filename.split("/app/")[-1]
    return f"{state}{short}:{app_frame.f_code.co_name}"


def profile_round(args: argparse.Namespace, photos: list[Path], device_decode: bool) -> dict:
    options = IndexOptions(detect=False, ocr=False, faces=False, device_decode=device_decode)
    with tempfile.TemporaryDirectory() as lib_dir, tempfile.TemporaryDirectory(dir=args.data) as folder:
        for photo in photos:
            os.link(photo, Path(folder) / photo.name)
        with Library(Path(lib_dir), ModelSpec("ViT-B-32", "random"), device=args.device) as library:
            library.embedder.load()
            cpu0, t0 = time.process_time(), time.perf_counter()
            with Sampler() as sampler:
                report = library.index([Path(folder)], dataclasses.replace(options))
            wall = time.perf_counter() - t0
            return {
                "device_decode": device_decode,
                "images_per_second": round(report.embedded / report.seconds, 1),
                "main_process_cpu_cores": round((time.process_time() - cpu0) / wall, 2),
                "threads": sampler.table(),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=768)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-jpegs")
    args = parser.parse_args()
    photos = make_camera_jpegs(args.data, args.count)
    rounds = [profile_round(args, photos, False), profile_round(args, photos, True)]
    print(json.dumps({"images": len(photos), "cores": os.cpu_count(), "rounds": rounds}, indent=1))


if __name__ == "__main__":
    main()
