"""JPEG decoding on the GPU (nvjpeg through torchvision) for the CUDA indexing path.

Fed from a GPU, indexing is all decoding: a core needs 30-45 ms for a 12 MP JPEG even in draft
mode, the GPU embeds thousands of photos a second. So the pool threads only read, hash and parse
headers (EXIF date, camera, orientation; bomb check); the GPU decodes whole batches, turns them
upright and shrinks them to the thumbnail; the threads then save the thumbnail and make the
model input from it, exactly as the CPU path does. What nvjpeg cannot take (CMYK, other formats,
corrupt data) goes through the CPU decoder, which also gives the reason a file is refused.
"""

from __future__ import annotations

import logging
import os
import warnings
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np
from PIL import Image

from app.indexing.decoding import (
    DecodedImage,
    DecodeError,
    FileContent,
    _exif_facts,
    _open_checked,
    _orientation,
    _readable_errors,
    decode,
    save_thumbnail,
    thumbnail_size,
)
from app.ml.preprocess import InputSpec, to_model_input

log = logging.getLogger(__name__)

CHUNK = 32  # photos decoded at once: 32 x 12 MP x 3 bytes is about 1.2 GB of GPU memory


def wanted(device: str) -> bool:
    """On for CUDA unless PHOTO_ORGANIZER_GPU_DECODE=0; =1 forces it (tests run it on the CPU)."""
    forced = os.environ.get("PHOTO_ORGANIZER_GPU_DECODE", "").strip()
    if forced:
        return forced not in ("0", "false", "no", "off")
    return device.startswith("cuda")


@dataclass
class JpegHeader:
    """A JPEG whose bytes are read and whose header is parsed, waiting for the GPU."""

    content: FileContent
    width: int  # as a person sees it (after EXIF orientation)
    height: int
    taken_at: float | None
    camera: str | None
    orientation: int | None


def read_header(content: FileContent) -> JpegHeader | None:
    """Header facts of a baseline/progressive RGB or greyscale JPEG; None sends the file to the
    CPU decoder (other formats, CMYK, anything odd). Raises DecodeError for bombs."""
    if not content.data.startswith(b"\xff\xd8"):
        return None
    with _readable_errors():
        image = _open_checked(content)
        if image.format != "JPEG" or image.mode not in ("RGB", "L"):
            return None
        width, height = image.size
        orientation = _orientation(image)
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        taken_at, camera = _exif_facts(image)
        return JpegHeader(content, width, height, taken_at, camera, orientation)


def _upright(image, orientation: int | None):  # type: ignore[no-untyped-def]
    """EXIF orientation on a CHW tensor (the same as PIL's exif_transpose)."""
    import torch

    if orientation in (None, 1):
        return image
    if orientation == 2:
        return torch.flip(image, dims=[2])
    if orientation == 3:
        return torch.rot90(image, 2, dims=[1, 2])
    if orientation == 4:
        return torch.flip(image, dims=[1])
    if orientation == 5:
        return image.transpose(1, 2)
    if orientation == 6:
        return torch.rot90(image, -1, dims=[1, 2])
    if orientation == 7:
        return torch.rot90(image, 2, dims=[1, 2]).transpose(1, 2)
    if orientation == 8:
        return torch.rot90(image, 1, dims=[1, 2])
    return image


def _decode_jpeg(data, device: str):  # type: ignore[no-untyped-def]
    # torchvision 0.29 flags its image codecs as deprecated in favour of TorchCodec; they work,
    # and nvjpeg is what we want from them (see the closing notes on migrating).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from torchvision.io import ImageReadMode, decode_jpeg

        return decode_jpeg(data, mode=ImageReadMode.RGB, device=device)


class GpuDecoder:
    def __init__(self, device: str, input_spec: InputSpec, thumbnail_path) -> None:  # type: ignore[no-untyped-def]
        self.device = device
        self.input_spec = input_spec
        self._thumbnail_path = thumbnail_path  # content hash -> Path

    def decode_all(self, headers: list[JpegHeader], pool: Executor) -> list[DecodedImage | DecodeError]:
        """Decode on the GPU in chunks; thumbnails and model inputs are finished on `pool`."""
        futures: list[Future[DecodedImage]] = []
        for start in range(0, len(headers), CHUNK):
            chunk = headers[start : start + CHUNK]
            for header, small in zip(chunk, self._thumbnails(chunk), strict=True):
                if small is None:  # nvjpeg refused it: the CPU decoder decides (and explains)
                    futures.append(pool.submit(decode, header.content, self.input_spec, self._thumbnail_path(header.content.content_hash)))
                else:
                    futures.append(pool.submit(self._finish, header, small))
        results: list[DecodedImage | DecodeError] = []
        for future in futures:
            try:
                results.append(future.result())
            except DecodeError as exc:
                results.append(exc)
        return results

    def _thumbnails(self, chunk: list[JpegHeader]) -> list[np.ndarray | None]:
        """Each photo upright at thumbnail size, as HWC uint8 on the host (None: not decodable)."""
        import torch

        datas = [torch.frombuffer(bytearray(h.content.data), dtype=torch.uint8) for h in chunk]
        try:
            decoded = _decode_jpeg(datas, self.device)
        except RuntimeError:
            decoded = []
            for data in datas:  # find the one that failed; keep the others
                try:
                    decoded.append(_decode_jpeg(data, self.device))
                except RuntimeError:
                    decoded.append(None)
        out: list[np.ndarray | None] = []
        for header, image in zip(chunk, decoded, strict=True):
            if image is None:
                out.append(None)
                continue
            upright = _upright(image, header.orientation)
            height, width = int(upright.shape[1]), int(upright.shape[2])
            tw, th = thumbnail_size(width, height)
            if (tw, th) != (width, height):
                upright = torch.nn.functional.interpolate(
                    upright[None].float(), size=(th, tw), mode="bilinear", antialias=True, align_corners=False
                )[0].round_().clamp_(0, 255).to(torch.uint8)
            out.append(upright.permute(1, 2, 0).contiguous().cpu().numpy())
        return out

    def _finish(self, header: JpegHeader, small: np.ndarray) -> DecodedImage:
        thumb = Image.fromarray(small, "RGB")
        save_thumbnail(thumb, self._thumbnail_path(header.content.content_hash))
        return DecodedImage(
            content_hash=header.content.content_hash,
            byte_size=header.content.size,
            width=header.width,
            height=header.height,
            format="JPEG",
            taken_at=header.taken_at,
            camera=header.camera,
            model_input=to_model_input(thumb, self.input_spec),
        )
