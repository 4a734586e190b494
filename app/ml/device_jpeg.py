"""JPEG photos decoded and shaped on the model's device, a batch at a time: nvjpeg on CUDA
(the GPU's hardware decoder where it has one), then upright as EXIF says, the gallery
thumbnail and the model's input made there too, so only a small JPEG comes back per photo.

The same code runs on the CPU (libjpeg-turbo through torchvision), which is how the tests
check it against the Pillow path. The caller has checked each file first: a JPEG that ends
where JPEG says (nvjpeg decodes a truncated file without a word), in a colour model nvjpeg
takes. A photo the device cannot decode is named in `failed`, for the caller to decode as
usual.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.ml.image_geometry import THUMBNAIL_QUALITY, centre_crop_box, fitted_size, thumbnail_size
from app.ml.preprocess import InputSpec

log = logging.getLogger(__name__)

_MODES = {"bicubic": "bicubic", "bilinear": "bilinear", "random": "bicubic", "nearest": "nearest"}

# torchvision 0.29 marks its image codecs deprecated in favour of TorchCodec, whose CUDA
# builds are not on the package registry; they still work, and the warning is not the user's.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torchvision\.io\.image")
# The file's bytes are read as a tensor without a copy; nothing ever writes to them.
warnings.filterwarnings("ignore", message="The given buffer is not writable", category=UserWarning)


@dataclass
class DeviceBatch:
    """What a batch came to: `pixels` holds the model input of each photo decoded (uint8
    (n, s, s, 3) on the device, in the order given, without the failed ones), `thumbnails`
    their JPEGs as the device encodes them, and `failed` the positions of those the device
    could not decode. Nothing waits for the device until `thumbnail_files` is called."""

    pixels: Any
    thumbnails: list[Any]
    failed: list[int]

    def thumbnail_files(self) -> list[bytes]:
        return [bytes(t.cpu().numpy()) for t in self.thumbnails]


def decode_on_device(
    datas: Sequence[bytes | memoryview], orientations: Sequence[int | None], spec: InputSpec, device: str
) -> DeviceBatch:
    import torch

    decoded, failed = _decoded(datas, device)
    thumbs, inputs = [], []
    for i, image in enumerate(decoded):
        if image is None:
            continue
        upright = _upright(image, orientations[i])
        thumb = _thumbnail(upright)
        thumbs.append(thumb)
        inputs.append(model_input(thumb if min(thumb.shape[1:]) >= spec.size else upright, spec))
    s = spec.size
    pixels = torch.stack(inputs) if inputs else torch.empty((0, s, s, 3), dtype=torch.uint8, device=device)
    return DeviceBatch(pixels, _jpegs(thumbs), failed)


def _decoded(datas: Sequence[bytes | memoryview], device: str) -> tuple[list[Any], list[int]]:
    """Each photo as a (3, h, w) uint8 tensor on the device, None where it failed. One call
    for the batch (nvjpeg decodes it together); if that fails, one by one to find the culprit."""
    import torch
    from torchvision.io import ImageReadMode, decode_jpeg

    tensors = [torch.frombuffer(d, dtype=torch.uint8) for d in datas]
    try:
        return list(decode_jpeg(tensors, mode=ImageReadMode.RGB, device=device)), []
    except RuntimeError as exc:
        log.info("a batch of %d JPEGs failed on %s (%s): decoding them one by one", len(tensors), device, exc)
    images: list[Any] = []
    failed = []
    for i, tensor in enumerate(tensors):
        try:
            images.append(decode_jpeg([tensor], mode=ImageReadMode.RGB, device=device)[0])
        except RuntimeError:
            images.append(None)
            failed.append(i)
    return images, failed


def _upright(image: Any, orientation: int | None) -> Any:
    """Turn a (3, h, w) image as its EXIF orientation says (as Pillow's exif_transpose)."""
    import torch

    if orientation == 2:
        return image.flip(2)
    if orientation == 3:
        return image.flip(1, 2)
    if orientation == 4:
        return image.flip(1)
    if orientation == 5:
        return image.transpose(1, 2)
    if orientation == 6:
        return torch.rot90(image, -1, (1, 2))
    if orientation == 7:
        return image.transpose(1, 2).flip(1, 2)
    if orientation == 8:
        return torch.rot90(image, 1, (1, 2))
    return image


def _thumbnail(image: Any) -> Any:
    """The gallery thumbnail, as `thumbnail_of` makes it."""
    h, w = image.shape[1:]
    width, height = thumbnail_size(w, h)
    return _resized(image, (height, width), "bilinear")


def model_input(image: Any, spec: InputSpec) -> Any:
    """A (3, h, w) uint8 image -> (s, s, 3) uint8 as the model's transform would crop it (the
    tensor twin of `app.ml.preprocess.to_model_input`)."""
    import torch

    s = spec.size
    h, w = image.shape[1:]
    mode = _MODES.get(spec.interpolation, "bicubic")
    if spec.resize_mode == "squash":
        out = _resized(image, (s, s), mode)
    elif spec.resize_mode == "longest":
        nw, nh = fitted_size(w, h, s)
        out = torch.full((3, s, s), spec.fill_color, dtype=torch.uint8, device=image.device)
        top, left = (s - nh) // 2, (s - nw) // 2
        out[:, top : top + nh, left : left + nw] = _resized(image, (nh, nw), mode)
    else:  # only the part that survives the centre crop is resized, to whole pixels
        left, top, right, bottom = (round(v) for v in centre_crop_box(w, h, s))
        out = _resized(image[:, top : max(top + 1, bottom), left : max(left + 1, right)], (s, s), mode)
    return out.permute(1, 2, 0).contiguous()


def _resized(image: Any, size: tuple[int, int], mode: str) -> Any:
    import torch.nn.functional as F

    if tuple(image.shape[1:]) == size:
        return image
    batch = image.unsqueeze(0).float()
    if mode == "nearest":
        out = F.interpolate(batch, size=size, mode="nearest")
    else:  # antialiased when shrinking, as Pillow resamples
        out = F.interpolate(batch, size=size, mode=mode, antialias=True, align_corners=False)
    return out.squeeze(0).round_().clamp_(0, 255).to(image.dtype)


def _jpegs(thumbs: list[Any]) -> list[Any]:
    """The thumbnails as JPEG files, each a uint8 tensor (nvjpeg encodes a batch on CUDA)."""
    if not thumbs:
        return []
    from torchvision.io import encode_jpeg

    return list(encode_jpeg([t.contiguous() for t in thumbs], quality=THUMBNAIL_QUALITY))
