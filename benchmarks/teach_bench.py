"""How long teaching a name takes, as JSON: ViT-B-32 with random weights (the real model's
compute) over a catalog of synthetic CLIP-like photo vectors.

    python benchmarks/teach_bench.py [--images 10000,100000] [--examples 12] [--device cpu|cuda]

For each library size: the whole `learn` call (reading the library's vectors, embedding the
concept vocabulary, the training steps, the before/after measurements), the training steps
alone (per step), and the report's drift (0: other searches unchanged, as textual inversion
promises). Run it on a quiet machine; the steps dominate and do not depend on the size.
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

from benchmarks.search_bench import DIM, catalog_of, clustered  # noqa: E402


class StepClock:
    """The time between progress reports: one training step each."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._last = time.perf_counter()

    def __call__(self, _done: int, _total: int) -> None:
        now = time.perf_counter()
        self.times.append(now - self._last)
        self._last = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", default="10000,100000")
    parser.add_argument("--examples", type=int, default=12)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import torch

    from app.ml import name_learning
    from app.ml.embedder import ClipEmbedder
    from app.ml.spec import ModelSpec
    from app.teaching.teacher import Teaching, learn

    torch.manual_seed(0)
    embedder = ClipEmbedder(ModelSpec("ViT-B-32", "random"), args.device).load()
    assert embedder.dim == DIM
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(200, DIM)).astype(np.float32) * 0.05
    offset = rng.normal(size=DIM).astype(np.float32) * 0.05
    runs = []
    for size in (int(s) for s in args.images.split(",")):
        vectors = clustered(size, centres, offset, rng)
        # The examples share a topic of their own, as photos of one dog do.
        topic = centres[0] * 3
        for i in range(args.examples):
            mixed = vectors[i] + topic
            vectors[i] = mixed / np.linalg.norm(mixed)
        with tempfile.TemporaryDirectory() as folder:
            engine = catalog_of(Path(folder), vectors)
            clock = StepClock()
            started = time.perf_counter()
            _vector, report = learn(
                Teaching(engine, embedder, "ViT-B-32/random", {}), "rex", list(range(1, args.examples + 1)), clock
            )
            step_times = clock.times
            total = time.perf_counter() - started
            engine.dispose()
        runs.append(
            {
                "library_images": size,
                "examples": args.examples,
                "seconds": round(total, 2),
                "steps": len(step_times),
                "step_ms_p50": round(float(np.median(step_times[1:])) * 1000, 1),
                "training_seconds": round(float(np.sum(step_times[1:])), 2),
                "ap": round(report.ap, 3),
                "found": f"{report.found} of {report.photos} in the top {report.top}",
                "drift": report.drift,
            }
        )
    print(
        json.dumps(
            {
                "model": "ViT-B-32 (random weights)",
                "device": embedder.device,
                "torch_threads": torch.get_num_threads(),
                "templates_per_step": name_learning.TEMPLATES_PER_STEP,
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
