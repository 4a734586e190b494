"""How long finding duplicates takes over a large library, as JSON: synthetic CLIP-like vectors
in a real catalog, with a share of them near copies of others (as re-encodes are), and small
thumbnails for those so the pixel check runs as it would.

    python benchmarks/duplicates_bench.py [--images 100000] [--copies 0.02]

Reports the first scan (every photo compared with the library: FAISS range search for CLIP
neighbours, pixel prints, grouping), a second scan with nothing new (grouping from the stored
pair scores), and a scan after 1% more photos arrive (only they are compared).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.search_bench import DIM, catalog_of, clustered  # noqa: E402


def thumbnail(folder: Path, index: int, seed: int) -> None:
    """The thumbnail of catalog image `index` (content hash f"{index - 1:064x}"), a textured picture
    drawn from `seed` (a copy shares its original's seed)."""
    content_hash = f"{index - 1:064x}"
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    path = folder / content_hash[:2] / f"{content_hash}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(small).resize((341, 256), Image.Resampling.BICUBIC).save(path, quality=85)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--copies", type=float, default=0.02, help="share of photos that are near copies")
    args = parser.parse_args()

    from sqlalchemy import text

    from app.analysis.duplicates import find_duplicates
    from app.analysis.library_analysis import AnalysisInputs

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(200, DIM)).astype(np.float32) * 0.05
    offset = rng.normal(size=DIM).astype(np.float32) * 0.05
    total = int(args.images * 1.01)
    vectors = clustered(total, centres, offset, rng)
    copies = rng.choice(np.arange(1, total), int(total * args.copies), replace=False)
    originals = copies - 1
    noisy = vectors[originals] + rng.normal(scale=0.006, size=(len(copies), DIM)).astype(np.float32)
    vectors[copies] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        engine = catalog_of(folder, vectors[: args.images])
        for original, copy in zip(originals.tolist(), copies.tolist(), strict=True):
            thumbnail(folder / "thumbnails", original + 1, original)
            thumbnail(folder / "thumbnails", copy + 1, original)
        inputs = AnalysisInputs(
            engine, folder / "analysis", "ViT-B-32/random", False, lambda t: np.empty(0), folder / "thumbnails"
        )
        runs = {}
        for name in ("first", "nothing_new"):
            started = time.perf_counter()
            found = find_duplicates(inputs)
            runs[name] = {
                "seconds": round(time.perf_counter() - started, 2),
                "compared": found.compared,
                "pairs": len(found.pairs),
                "groups": len(found.groups),
            }
        extra = vectors[args.images :]
        with engine.begin() as conn:
            start = args.images + 1
            conn.execute(
                text(
                    "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at) "
                    "VALUES (:i, :h, 1, 1, 1, 'JPEG', 0)"
                ),
                [{"i": start + i, "h": f"{start + i - 1:064x}"} for i in range(len(extra))],
            )
            conn.execute(
                text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/photos', 1, 0, :i)"),
                [{"p": f"/photos/new{i}.jpg", "i": start + i} for i in range(len(extra))],
            )
            conn.execute(
                text(
                    "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence, vector) "
                    "VALUES (:i, :i, 'image', 0, 0, 1, 1, 1, :v)"
                ),
                [{"i": start + i, "v": extra[i].tobytes()} for i in range(len(extra))],
            )
        started = time.perf_counter()
        found = find_duplicates(inputs)
        runs["one_percent_new"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "compared": found.compared,
            "pairs": len(found.pairs),
            "groups": len(found.groups),
        }
        engine.dispose()
    injected = int(((copies < args.images) & (originals < args.images)).sum())
    print(json.dumps({"images": args.images, "near_copies_injected": injected, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
