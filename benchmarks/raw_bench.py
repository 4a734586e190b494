"""What a camera RAW costs to index against the JPEG beside it, as JSON.

    python benchmarks/raw_bench.py [--count 6] [--size 6000x4000]

24 MP photos written three ways as DNGs from Bayer data (tests/helpers/raw_files): with a
full-size preview JPEG (as Canon, Sony and most cameras keep), with a 1620x1080 one (as some
Nikons do), and with none (developed at half size), beside the same picture as a JPEG. For each:
milliseconds per photo on one core to make the model input and the thumbnail (`decode`), and to
make the region pass's 1920 px copy (`decode_for_regions`), medians over the files.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_NUM_THREADS", "1")  # LibRaw's own threads: one core, like a decode worker

from app.indexing.decoding import decode, decode_for_regions, read_file  # noqa: E402
from app.ml.preprocess import InputSpec  # noqa: E402
from benchmarks.synthetic_photos import make_camera_jpegs  # noqa: E402
from tests.helpers.raw_files import write_dng  # noqa: E402

SPEC = InputSpec.from_cfg({"size": 224, "mean": (0.48, 0.46, 0.41), "std": (0.27, 0.26, 0.28)})


def _median_ms(paths: list[Path], work) -> float:  # noqa: ANN001
    times = []
    for path in paths:
        content = read_file(str(path))
        started = time.perf_counter()
        work(content)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--size", default="6000x4000")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        jpegs = make_camera_jpegs(root / "jpeg", args.count, (width, height))
        kinds: dict[str, list[Path]] = {
            "jpeg": jpegs,
            "raw_full_preview": [],
            "raw_small_preview": [],
            "raw_no_preview": [],
        }
        for i, jpeg in enumerate(jpegs):
            picture = Image.open(jpeg).convert("RGB")
            rgb = np.asarray(picture)
            kinds["raw_full_preview"].append(write_dng(root / "full" / f"IMG_{i}.dng", rgb, preview=picture))
            small = picture.resize((1620, 1080), Image.Resampling.BILINEAR)
            kinds["raw_small_preview"].append(write_dng(root / "small" / f"DSC_{i}.dng", rgb, preview=small))
            kinds["raw_no_preview"].append(write_dng(root / "none" / f"P_{i}.dng", rgb))
        out = {}
        for kind, paths in kinds.items():
            out[kind] = {
                "mean_file_mb": round(sum(p.stat().st_size for p in paths) / len(paths) / 1e6, 1),
                "decode_ms": _median_ms(paths, lambda c: decode(c, SPEC, None)),
                "regions_1920_ms": _median_ms(paths, lambda c: decode_for_regions(c, 1920)),
            }
        jpeg_ms = out["jpeg"]["decode_ms"]
        for kind in kinds:
            out[kind]["decode_vs_jpeg"] = round(out[kind]["decode_ms"] / jpeg_ms, 2)
    print(json.dumps({"photos_per_kind": args.count, "size": args.size, "one_core": True, "kinds": out}, indent=2))


if __name__ == "__main__":
    main()
