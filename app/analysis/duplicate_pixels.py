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

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
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


def pixel_print(image: Image.Image) -> PixelPrint:
    image.draft("RGB", (WORKING, WORKING))  # a JPEG thumbnail decodes at a fraction of its size
    rgb = image.convert("RGB")
    mean = np.asarray(rgb.resize((16, 16), Image.Resampling.BILINEAR), dtype=np.float32).reshape(-1, 3).mean(axis=0)
    full = rgb.convert("L")
    # Windows are cut from a small copy: the same result at SIDE, for a fraction of the work.
    scale = WORKING / max(full.size)
    grey = full.resize((max(1, round(full.width * scale)), max(1, round(full.height * scale))), Image.Resampling.BOX)
    w, h = grey.size
    crops = []
    for scale in SCALES:
        steps = int(round((1.0 - scale) / STEP))
        for ox in range(steps + 1):
            for oy in range(steps + 1):
                box = (ox * STEP * w, oy * STEP * h, (ox * STEP + scale) * w, (oy * STEP + scale) * h)
                crops.append(np.asarray(grey.resize((SIDE, SIDE), Image.Resampling.BILINEAR, box=box)))
    windows = _normalised_rows(np.stack(crops).reshape(len(crops), -1).astype(np.float32))
    pixels = np.asarray(full, dtype=np.float32)
    laplacian = (
        -4 * pixels[1:-1, 1:-1] + pixels[:-2, 1:-1] + pixels[2:, 1:-1] + pixels[1:-1, :-2] + pixels[1:-1, 2:]
        if min(pixels.shape) > 2
        else np.zeros(1, np.float32)
    )
    colour = (float(mean[0]), float(mean[1]), float(mean[2]))
    # Rounded to float16 (the scores are compared to 0.01; the same scores as ever), kept as
    # float32: what the comparisons multiply, converted once per print and not once per pair.
    stored = windows.astype(np.float16).astype(np.float32)
    return PixelPrint(stored[0], stored, float(pixels.mean()), float(laplacian.var()), colour)


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


class PixelPrints:
    """Pixel prints of thumbnails by image id, made when first asked for and kept (a bounded
    number) for the rest of a scan. `thumbnail(image_id)` gives the file, or None."""

    def __init__(self, thumbnail: Callable[[int], Path | None], keep: int = 1024) -> None:
        self._thumbnail = thumbnail
        self._keep = keep
        self._prints: OrderedDict[int, PixelPrint | None] = OrderedDict()

    def get(self, image_id: int) -> PixelPrint | None:
        if image_id in self._prints:
            self._prints.move_to_end(image_id)
            return self._prints[image_id]
        path = self._thumbnail(image_id)
        found: PixelPrint | None = None
        if path is not None:
            try:
                with Image.open(path) as image:
                    found = pixel_print(image)
            except (OSError, ValueError, Image.DecompressionBombError):
                found = None  # a missing or broken thumbnail: no pixel evidence
        self._prints[image_id] = found
        if len(self._prints) > self._keep:
            self._prints.popitem(last=False)
        return found
