"""Sizes and boxes both decoders cut a photo to (Pillow in `app.indexing.decoding` and
`app.ml.preprocess`, the model's device in `app.ml.device_jpeg`): the gallery thumbnail, and
the model's input (a centre crop, or the whole photo fitted in)."""

from __future__ import annotations

THUMBNAIL_SHORT_SIDE = 256
THUMBNAIL_MAX_LONG_SIDE = 2048
THUMBNAIL_QUALITY = 85  # JPEG


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """256 px on the short side (long side capped), never enlarged."""
    scale = min(THUMBNAIL_SHORT_SIDE / min(width, height), THUMBNAIL_MAX_LONG_SIDE / max(width, height), 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def fitted_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The photo scaled to fit whole in a `side` square (its long side `side`)."""
    scale = side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def centre_crop_box(width: int, height: int, side: int) -> tuple[float, float, float, float]:
    """The part of the photo (left, top, right, bottom, in its own pixels) that a `side`
    square centre crop keeps once its short side is scaled to `side`: resizing only that part
    gives the same pixels for far less work on panoramas."""
    scale = side / min(width, height)
    scaled_w, scaled_h = max(side, round(width * scale)), max(side, round(height * scale))
    left, top = (scaled_w - side) // 2, (scaled_h - side) // 2
    return left / scale, top / scale, (left + side) / scale, (top + side) / scale
