"""Comparing two photos by their pixels (from the cached thumbnails), to confirm that CLIP
neighbours are the same photo and not two shots of one scene.

Small grey copies are compared by normalised correlation, so a re-encode, a resize or a format
change scores about 1.0; a crop or a slight shift is found by also trying windows of the other
photo (90-100% of its size at offsets in 2.5% steps) and keeping the best. Two different views of
a scene stay well below (a stereo pair of one motorcycle scores 0.79, a re-encode 0.999).
Exposure is normalised away here on purpose: whether two shots are one moment is decided by
their capture times, and brightness and colour are reported separately.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

SIDE = 48  # the grey copies compared are SIDE x SIDE
WORKING = 128  # windows are cut from a grey copy this large (its long side)
SCALES = (1.0, 0.95, 0.9)  # window sizes tried, as a share of the photo's sides
STEP = 0.025  # window offsets, as a share of the photo's sides


@dataclass(frozen=True)
class PixelPrint:
    """What pixels say about one photo: its grey copy, the grey copies of its windows
    (normalised, flattened), its mean brightness and its sharpness."""

    whole: np.ndarray  # (SIDE*SIDE,)
    windows: np.ndarray  # (k, SIDE*SIDE)
    brightness: float  # mean grey level, 0..255
    sharpness: float  # variance of the Laplacian of the grey thumbnail (a focus measure)
    colour: tuple[float, float, float] = (0.0, 0.0, 0.0)  # mean red, green, blue, 0..255


def _normalised_rows(rows: np.ndarray) -> np.ndarray:
    """Each row less its mean, scaled to length 1 (all of a print's windows at once)."""
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-6)


def _bilinear(size: int, start: float, stop: float, out: int = SIDE) -> np.ndarray:
    """The (out, size) weights with which PIL's bilinear resize makes `out` samples of the span
    [start, stop) of a row of `size` pixels (its triangle filter widened by the reduction, so
    every pixel under a sample counts), in floating point."""
    scale = (stop - start) / out
    widen = max(1.0, scale)  # the filter's width (bilinear's support is 1 pixel)
    support = widen
    weights = np.zeros((out, size), np.float64)
    for k in range(out):
        centre = start + (k + 0.5) * scale
        first = max(0, int(centre - support + 0.5))
        last = min(size, int(centre + support + 0.5))
        x = np.arange(first, last)
        w = np.clip(1.0 - np.abs((x - centre + 0.5) / widen), 0.0, None)
        total = w.sum()
        if total > 0:
            weights[k, first:last] = w / total
    return weights


@lru_cache(maxsize=64)
def _window_weights(width: int, height: int) -> tuple[tuple[np.ndarray, np.ndarray, int, int], ...]:
    """For each window size: the stacked column weights (width, nx*SIDE) of its horizontal
    offsets and the stacked row weights (ny*SIDE, height) of its vertical ones, with nx and ny."""
    out = []
    for scale in SCALES:
        steps = int(round((1.0 - scale) / STEP))
        offsets = [o * STEP for o in range(steps + 1)]
        across = np.vstack([_bilinear(width, o * width, (o + scale) * width) for o in offsets])
        down = np.vstack([_bilinear(height, o * height, (o + scale) * height) for o in offsets])
        out.append((across.T.astype(np.float32), down.astype(np.float32), len(offsets), len(offsets)))
    return tuple(out)


def _windows(grey: np.ndarray) -> np.ndarray:
    """Every window of the grey copy, resized to SIDE x SIDE and flattened: the same windows (in
    the same order: size, then horizontal offset, then vertical) that cropping and resizing each
    with PIL gives, as two matrix products per window size instead of 35 resizes."""
    height, width = grey.shape
    found = []
    for across, down, nx, ny in _window_weights(width, height):
        # (ny*SIDE, height) @ (height, width) @ (width, nx*SIDE): every offset pair at once.
        grid = (down @ grey @ across).reshape(ny, SIDE, nx, SIDE)
        found.append(grid.transpose(2, 0, 1, 3).reshape(nx * ny, SIDE * SIDE))
    return np.vstack(found)


def pixel_print(image: Image.Image) -> PixelPrint:
    image.draft("RGB", (WORKING, WORKING))  # a JPEG thumbnail decodes at a fraction of its size
    rgb = image.convert("RGB")
    mean = np.asarray(rgb.resize((16, 16), Image.Resampling.BILINEAR), dtype=np.float32).reshape(-1, 3).mean(axis=0)
    full = rgb.convert("L")
    # Windows are cut from a small copy: the same result at SIDE, for a fraction of the work.
    scale = WORKING / max(full.size)
    grey = full.resize((max(1, round(full.width * scale)), max(1, round(full.height * scale))), Image.Resampling.BOX)
    windows = _normalised_rows(_windows(np.asarray(grey, dtype=np.float32)))
    pixels = np.asarray(full, dtype=np.float32)
    laplacian = (
        -4 * pixels[1:-1, 1:-1] + pixels[:-2, 1:-1] + pixels[2:, 1:-1] + pixels[1:-1, :-2] + pixels[1:-1, 2:]
        if min(pixels.shape) > 2
        else np.zeros(1, np.float32)
    )
    colour = (float(mean[0]), float(mean[1]), float(mean[2]))
    return PixelPrint(windows[0], windows, float(pixels.mean()), float(laplacian.var()), colour)


def pixel_match(a: PixelPrint, b: PixelPrint) -> float:
    """How well the two photos' pixels agree, the best window either way (1.0: the same)."""
    either = (a.windows @ b.whole).max(), (b.windows @ a.whole).max()
    return float(max(either))


def brightness_change(a: PixelPrint, b: PixelPrint) -> float:
    """The relative difference of the two photos' mean brightness (0: the same exposure)."""
    return abs(a.brightness - b.brightness) / max(1.0, a.brightness, b.brightness)


def colour_change(a: PixelPrint, b: PixelPrint) -> float:
    """The largest difference of the two photos' mean red, green or blue, as a share of the range
    (0: the same colours). Grey copies miss what this sees: a blue shape on purple and on pink."""
    return max(abs(x - y) for x, y in zip(a.colour, b.colour, strict=True)) / 255.0


def _print_of_file(path: Path | None) -> PixelPrint | None:
    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return pixel_print(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or broken thumbnail: no pixel evidence


class PixelPrints:
    """Pixel prints of thumbnails by image id, made when first asked for and kept (a bounded
    number) for the rest of a scan. `thumbnail(image_id)` gives the file, or None.

    `make(ids)` starts making prints in worker threads (decoding and the matrix products release
    the GIL), so a scan asks for the next photos' prints while it compares the current ones;
    `get` waits for one. `close()` when the scan is done."""

    def __init__(self, thumbnail: Callable[[int], Path | None], keep: int = 1536, workers: int | None = None) -> None:
        self._thumbnail = thumbnail
        self._keep = keep
        self._workers = workers or min(4, os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        self._prints: OrderedDict[int, Future[PixelPrint | None]] = OrderedDict()

    def make(self, image_ids: Iterable[int]) -> None:
        for image_id in image_ids:
            if image_id in self._prints:
                self._prints.move_to_end(image_id)
                continue
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="pixel-prints")
            self._prints[image_id] = self._pool.submit(_print_of_file, self._thumbnail(image_id))
        while len(self._prints) > self._keep:
            oldest = next(iter(self._prints))
            if not self._prints[oldest].done():
                break  # still being made (for a photo about to be compared): kept for now
            del self._prints[oldest]

    def get(self, image_id: int) -> PixelPrint | None:
        self.make((image_id,))
        return self._prints[image_id].result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._prints.clear()
