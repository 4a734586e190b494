"""What a phone video costs to index, as JSON.

    python benchmarks/video_bench.py [--seconds 60] [--size 1920x1080] [--fps 30] [--model ViT-B-32]

A 1-minute 1080p H.264 clip as a phone writes it (30 fps, a keyframe every second, six scenes
with moving pictures), encoded once by FFmpeg through PyAV. Timed with the model already loaded
(a warm-up photo is indexed first), random-init weights (same compute as the real ones):
- `index_seconds`: `Library.index` of the clip, end to end (read and hash, the representative
  frame and thumbnail, the whole-video vector, then the scene frames found from keyframes and
  embedded), objects, text and faces off; the target is 3 s on 2 cores;
- `stages`: opening the clip for its facts and representative frame, finding its scene frames
  (keyframes decoded), hashing the file, each alone;
- `with_faces_and_text_seconds`: the same clip in a fresh library with faces and OCR on (looked
  for in at most six frames: the per-video budget).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.indexing.decoding import read_file  # noqa: E402
from app.indexing.pipeline import IndexOptions  # noqa: E402
from app.indexing.video_files import open_video, scene_frames  # noqa: E402
from app.library import Library  # noqa: E402
from app.ml.spec import ModelSpec  # noqa: E402
from tests.helpers.images import photo, save_jpeg  # noqa: E402


def make_clip(path: Path, seconds: int, size: tuple[int, int], fps: int) -> Path:
    """Six scenes, each a different pattern drifting across the frame (so every frame differs)."""
    if path.exists():
        return path
    import av

    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    rng = np.random.default_rng(7)
    scenes = [rng.uniform(0.002, 0.02, 3) for _ in range(6)]
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "23"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = fps  # a keyframe every second, as phones write
        for i in range(seconds * fps):
            scene = scenes[i * len(scenes) // (seconds * fps)]
            shift = i * 3.0
            channels = [127 + 120 * np.sin((xs + shift) * f + (ys * f * (k + 1))) for k, f in enumerate(scene)]
            frame = av.VideoFrame.from_ndarray(np.dstack(channels).astype(np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    tmp.rename(path)
    return path


def _timed(work) -> float:  # noqa: ANN001
    started = time.perf_counter()
    work()
    return round(time.perf_counter() - started, 3)


def index_once(folder: Path, clip_folder: Path, model: str, faces_and_text: bool) -> dict:
    options = IndexOptions(detect=False, ocr=faces_and_text, faces=faces_and_text)
    warm = folder / "warm-up"
    save_jpeg(warm / "photo.jpg", photo(1, (1600, 1200)))
    with Library(folder / "library", ModelSpec(model, "random"), device="cpu") as library:
        library.index([warm], options)  # the models load here, not in the timed run
        started = time.perf_counter()
        report = library.index([clip_folder], options)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "frames": report.frames, "faces": report.faces, "failed": report.failed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "po-video-bench")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    args.work.mkdir(parents=True, exist_ok=True)
    clip_folder = args.work / f"clip-{args.seconds}s-{width}x{height}-{args.fps}"
    clip_folder.mkdir(exist_ok=True)
    encode_started = time.perf_counter()
    clip = make_clip(clip_folder / "VID_0001.mp4", args.seconds, (width, height), args.fps)
    encode_seconds = time.perf_counter() - encode_started

    stages = {
        "open_and_representative_frame": _timed(lambda: open_video(str(clip), 200_000_000)),
        "scene_frames": _timed(lambda: scene_frames(str(clip))),
        "read_and_hash": _timed(lambda: read_file(str(clip))),
    }
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        plain = index_once(Path(scratch) / "plain", clip_folder, args.model, False)
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        rich = index_once(Path(scratch) / "rich", clip_folder, args.model, True)
    result = {
        "clip": {
            "seconds": args.seconds,
            "size": args.size,
            "fps": args.fps,
            "megabytes": round(clip.stat().st_size / 1e6, 1),
        },
        "encode_seconds": round(encode_seconds, 1),
        "cores": os.cpu_count(),
        "model": args.model,
        "index_seconds": plain["seconds"],
        "frames": plain["frames"],
        "target_seconds": 3.0,
        "stages": stages,
        "with_faces_and_text_seconds": rich["seconds"],
        "faces_found": rich["faces"],
        "failed": plain["failed"] + rich["failed"],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
