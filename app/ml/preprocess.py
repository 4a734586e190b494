"""Model input preparation that follows the model's own preprocess config.

Decoding threads turn a PIL image into a small uint8 array at the model's input size (resize
and crop as the config says); the inference thread turns a stack of those into a normalised
float batch in one vectorised step. This keeps per-image Python and torch work off the model
thread, and the same arrays can be rebuilt from cached thumbnails when the model changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from app.ml.image_geometry import centre_crop_box, fitted_size

_RESAMPLE = {
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "random": Image.Resampling.BICUBIC,
    "nearest": Image.Resampling.NEAREST,
}


@dataclass(frozen=True)
class InputSpec:
    """What one model wants as input (from open_clip's preprocess_cfg)."""

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bicubic"
    resize_mode: str = "shortest"
    fill_color: int = 0

    @classmethod
    def from_cfg(cls, cfg: dict) -> InputSpec:
        size = cfg.get("size", 224)
        if isinstance(size, (tuple, list)):
            size = max(size)
        return cls(
            size=int(size),
            mean=tuple(cfg.get("mean", (0.48145466, 0.4578275, 0.40821073))),  # type: ignore[arg-type]
            std=tuple(cfg.get("std", (0.26862954, 0.26130258, 0.27577711))),  # type: ignore[arg-type]
            interpolation=str(cfg.get("interpolation", "bicubic")),
            resize_mode=str(cfg.get("resize_mode", "shortest")),
            fill_color=int(cfg.get("fill_color", 0)),
        )


def to_model_input(image: Image.Image, spec: InputSpec) -> np.ndarray:
    """An RGB PIL image -> uint8 array (size, size, 3) as the model's transform would crop it."""
    s = spec.size
    w, h = image.size
    resample = _RESAMPLE.get(spec.interpolation, Image.Resampling.BICUBIC)
    if spec.resize_mode == "squash":
        return np.asarray(image.resize((s, s), resample), dtype=np.uint8)
    if spec.resize_mode == "longest":
        nw, nh = fitted_size(w, h, s)
        canvas = Image.new("RGB", (s, s), (spec.fill_color,) * 3)
        canvas.paste(image.resize((nw, nh), resample), ((s - nw) // 2, (s - nh) // 2))
        return np.asarray(canvas, dtype=np.uint8)
    return np.asarray(image.resize((s, s), resample, box=centre_crop_box(w, h, s)), dtype=np.uint8)
