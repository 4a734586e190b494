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

import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
from PIL import Image

from app.core.parent_watch import exit_with_parent

SIDE = 48  # the grey copies compared are SIDE x SIDE
COARSE_SIDE = 16  # those of the first look
COARSE_WORKING = 64  # and the copy its windows are cut from
PROCESS_CHUNK = 64  # prints one task of a worker process makes
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
def _window_weights(width: int, height: int, side: int) -> tuple[tuple[np.ndarray, np.ndarray, int, int], ...]:
    """For each window size: the stacked column weights (width, nx*SIDE) of its horizontal
    offsets and the stacked row weights (ny*SIDE, height) of its vertical ones, with nx and ny."""
    out = []
    for scale in SCALES:
        steps = int(round((1.0 - scale) / STEP))
        offsets = [o * STEP for o in range(steps + 1)]
        across = np.vstack([_bilinear(width, o * width, (o + scale) * width, side) for o in offsets])
        down = np.vstack([_bilinear(height, o * height, (o + scale) * height, side) for o in offsets])
        out.append((across.T.astype(np.float32), down.astype(np.float32), len(offsets), len(offsets)))
    return tuple(out)


def _windows(grey: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Every window of the grey copy, resized to SIDE x SIDE and flattened: the same windows (in
    the same order: size, then horizontal offset, then vertical) that cropping and resizing each
    with PIL gives, as two matrix products per window size instead of 35 resizes."""
    height, width = grey.shape
    found = []
    for across, down, nx, ny in _window_weights(width, height, side):
        # (ny*side, height) @ (height, width) @ (width, nx*side): every offset pair at once.
        grid = (down @ grey @ across).reshape(ny, side, nx, side)
        found.append(grid.transpose(2, 0, 1, 3).reshape(nx * ny, side * side))
    return np.vstack(found)


def pixel_print(image: Image.Image, side: int = SIDE) -> PixelPrint:
    """The print of a photo, its copies `side` pixels square (COARSE_SIDE for a quick first
    look that tells most unrelated neighbours apart: cut from a smaller copy, no sharpness)."""
    working = WORKING if side >= SIDE else COARSE_WORKING
    image.draft("RGB", (working, working))  # a JPEG thumbnail decodes at a fraction of its size
    rgb = image.convert("RGB")
    mean = np.asarray(rgb.resize((16, 16), Image.Resampling.BILINEAR), dtype=np.float32).reshape(-1, 3).mean(axis=0)
    full = rgb.convert("L")
    # Windows are cut from a small copy: the same result at `side`, for a fraction of the work.
    scale = working / max(full.size)
    grey = full.resize((max(1, round(full.width * scale)), max(1, round(full.height * scale))), Image.Resampling.BOX)
    windows = _normalised_rows(_windows(np.asarray(grey, dtype=np.float32), side))
    pixels = np.asarray(full, dtype=np.float32)
    colour = (float(mean[0]), float(mean[1]), float(mean[2]))
    sharpness = _sharpness(pixels) if side >= SIDE else 0.0
    return PixelPrint(windows[0], windows, float(pixels.mean()), sharpness, colour)


def _sharpness(pixels: np.ndarray) -> float:
    """The variance of the Laplacian of a grey copy (a focus measure)."""
    if min(pixels.shape) <= 2:
        return 0.0
    laplacian = -4 * pixels[1:-1, 1:-1] + pixels[:-2, 1:-1] + pixels[2:, 1:-1] + pixels[1:-1, :-2] + pixels[1:-1, 2:]
    return float(laplacian.var())


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


def _print_of_file(path: Path | None, side: int = SIDE) -> PixelPrint | None:
    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return pixel_print(image, side)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or broken thumbnail: no pixel evidence


class PixelPrints:
    """Pixel prints of thumbnails by image id, made when first asked for and kept (a bounded
    number) for the rest of a scan. `thumbnail(image_id)` gives the file, or None.

    `make(ids)` starts making prints in worker threads (decoding and the matrix products release
    the GIL), so a scan asks for the next photos' prints while it compares the current ones;
    `get` waits for one. `close()` when the scan is done. `side`: the size of the copies
    compared (`coarse()` gives the first look's prints of the same thumbnails). With `processes`
    the prints are made in worker processes, PROCESS_CHUNK at a time: a small print is mostly
    the interpreter's work, which threads cannot share out."""

    def __init__(
        self,
        thumbnail: Callable[[int], Path | None],
        keep: int = 1536,
        workers: int | None = None,
        side: int = SIDE,
        processes: bool = False,
    ) -> None:
        self._thumbnail = thumbnail
        self._keep = keep
        self._side = side
        self._workers = workers or min(4, os.cpu_count() or 1)
        self._processes = processes
        self._pool: Executor | None = None
        self._prints: OrderedDict[int, Future[PixelPrint | None]] = OrderedDict()

    def make(self, image_ids: Iterable[int]) -> None:
        new = []
        for image_id in image_ids:
            if image_id in self._prints:
                self._prints.move_to_end(image_id)
            else:
                new.append(image_id)
        pool = self._started() if new else None
        if isinstance(pool, ProcessPoolExecutor):
            for start in range(0, len(new), PROCESS_CHUNK):
                ids = new[start : start + PROCESS_CHUNK]
                chunk = pool.submit(_prints_of_files, [self._thumbnail(i) for i in ids], self._side)
                each: list[Future[PixelPrint | None]] = [Future() for _ in ids]
                self._prints.update(zip(ids, each, strict=True))
                chunk.add_done_callback(partial(_hand_out, each))
        elif pool is not None:
            for image_id in new:
                self._prints[image_id] = pool.submit(_print_of_file, self._thumbnail(image_id), self._side)
        while len(self._prints) > self._keep:
            oldest = next(iter(self._prints))
            if not self._prints[oldest].done():
                break  # still being made (for a photo about to be compared): kept for now
            del self._prints[oldest]

    def _started(self) -> Executor:
        if self._pool is None and self._processes:
            try:  # spawn: the threads of the process asking must not be copied
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self._workers, context, initializer=exit_with_parent)
            except OSError:  # no semaphores between processes here (no usable /dev/shm)
                self._processes = False
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="pixel-prints")
        return self._pool

    def get(self, image_id: int) -> PixelPrint | None:
        made = self._prints.get(image_id)
        if made is None:
            self.make((image_id,))
            made = self._prints[image_id]
        return made.result()

    def coarse(self, processes: bool = False) -> PixelPrints:
        """Prints of the same thumbnails at COARSE_SIDE (a ninth of the size: four times as many
        kept in the same memory); close it too."""
        return PixelPrints(self._thumbnail, 4 * self._keep, self._workers, COARSE_SIDE, processes)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._prints.clear()


def _prints_of_files(paths: list[Path | None], side: int) -> list[PixelPrint | None]:
    return [_print_of_file(path, side) for path in paths]


def _hand_out(each: list[Future[PixelPrint | None]], chunk: Future[list[PixelPrint | None]]) -> None:
    """A chunk's prints, each to the future that waits for it (or the chunk's failure)."""
    try:
        found = chunk.result()
    except BaseException as exc:  # cancelled, or a worker process died: every print fails alike
        for future in each:
            future.set_exception(exc)
        return
    for future, one in zip(each, found, strict=True):
        future.set_result(one)
