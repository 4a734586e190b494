"""Camera-size JPEGs with photographic texture and EXIF, for benchmarks.

A few expensive base textures (smooth gradients, mid-frequency structure, sensor-like noise)
are shifted, tinted and re-noised per file, so every file has distinct content at the cost of
one JPEG encode.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image


def _base_texture(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    small = rng.uniform(0, 255, (h // 64 + 2, w // 64 + 2, 3)).astype(np.uint8)
    coarse = np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32)
    mid = rng.uniform(-40, 40, (h // 8, w // 8, 3)).astype(np.float32)
    mid_up = (
        np.asarray(
            Image.fromarray(np.clip(mid + 128, 0, 255).astype(np.uint8)).resize((w, h), Image.Resampling.BILINEAR),
            dtype=np.float32,
        )
        - 128
    )
    return coarse + mid_up


def make_camera_jpegs(folder: Path, count: int, size: tuple[int, int] = (4000, 3000), seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob("IMG_*.jpg"))
    marker = folder / ".generator-v3"
    if existing and not marker.exists():
        for old in existing:
            old.unlink()
        existing = []
    marker.touch()
    if len(existing) >= count:
        return existing[:count]
    rng = np.random.default_rng(seed)
    w, h = size
    bases = [_base_texture(rng, w, h) for _ in range(4)]
    paths = [folder / f"IMG_{i:05d}.jpg" for i in range(count)]

    def write(i: int) -> None:
        path = paths[i]
        if path.exists():
            return
        own = np.random.default_rng((seed, i))  # the same file whatever the thread order
        base = np.roll(bases[i % len(bases)], shift=(int(own.integers(0, h)), int(own.integers(0, w))), axis=(0, 1))
        tint = own.uniform(0.7, 1.3, 3).astype(np.float32)
        noise = own.normal(0, 1.0, (h, w, 1)).astype(np.float32)  # light sensor noise: ~2.3 MB files
        pixels = np.clip(base * tint + noise, 0, 255).astype(np.uint8)
        exif = Image.Exif()
        exif[271], exif[272] = "Canon", "Canon EOS 80D"
        exif.get_ifd(0x8769)[36867] = f"2023:0{1 + i % 9}:1{i % 10} 12:00:00"
        Image.fromarray(pixels).save(path, "JPEG", quality=90, exif=exif.tobytes())

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(write, range(count)))
    return paths


def make_camera_heics(jpegs: list[Path], folder: Path, thumbnail: bool) -> list[Path]:
    """HEIC copies of camera JPEGs through libheif's encoder (heif-enc, Debian package
    libheif-examples), with or without the 320 px embedded thumbnail phones write."""
    import shutil
    import subprocess

    if shutil.which("heif-enc") is None:
        raise SystemExit("heif-enc is missing: apt-get install libheif-examples")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for jpeg in jpegs:
        target = folder / f"{jpeg.stem}{'-t320' if thumbnail else ''}.heic"
        if not target.exists():
            partial = target.with_suffix(".part.heic")
            args = ["heif-enc", "-q", "60", *(["-t", "320"] if thumbnail else []), "-o", str(partial), str(jpeg)]
            subprocess.run(args, check=True, capture_output=True)
            partial.rename(target)
        out.append(target)
    return out
