"""The CLIP embedder over open_clip: image and text vectors, L2-normalised float32.

An `InferenceModel`: loads once under a lock (immich's habit); CUDA with fp16 autocast when
available, else CPU. Any open_clip spec works: architecture + pretrained tag, `hf-hub:`,
`local-dir:`, or `random` weights for tests and benchmarks.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import ModelUnavailableError, UserError
from app.core.unit_vectors import unit_rows
from app.ml.download import DownloadProgress
from app.ml.inference_model import InferenceModel
from app.ml.preprocess import InputSpec
from app.ml.spec import HF_HUB, LOCAL_DIR, TEXT_TEMPLATE, ModelSpec
from app.ml.taught_text import NamedTextEncoder
from app.ml.text_tower import encode_text

log = logging.getLogger(__name__)

_CONFIG_DIR = Path(__file__).parent / "model_configs"
_registered = False
RANDOM_SEED = 1234


def register_builtin_models() -> None:
    """Make the tiny test architecture known to open_clip (idempotent)."""
    global _registered
    if _registered:
        return
    import open_clip

    open_clip.add_model_config(_CONFIG_DIR)
    _registered = True


def resolve_device(device: str) -> str:
    if device not in ("auto", "cpu", "cuda") and not device.startswith("cuda:"):
        raise UserError(f"unknown device {device!r}: use auto, cpu or cuda")
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UserError("--device cuda was asked for but no CUDA GPU is available (try --device auto)")
    return device


class ClipEmbedder(InferenceModel):
    """One open_clip model, loaded lazily; thread-safe for one inference thread at a time."""

    what = "the CLIP model"

    def __init__(self, spec: ModelSpec, device: str = "auto", on_download: DownloadProgress | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.on_download = on_download  # first-use weight download progress
        self.requested_device = device
        self.device = "cpu"
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self.input_spec: InputSpec | None = None
        self.dim = 0
        self._named_text: NamedTextEncoder | None = None
        self._staging: PinnedStaging | None = None

    def _load(self) -> None:
        import open_clip
        import torch
        from open_clip.model import get_model_preprocess_cfg

        from app.ml import weights

        register_builtin_models()
        self.device = resolve_device(self.requested_device)
        spec = self.spec
        model_name = spec.name
        pretrained: str | None = None
        tag_cfg: dict = {}  # the pretrained tag's own settings (quick GELU, mean/std, ...)
        if spec.name.startswith(LOCAL_DIR):
            weights.check_local_dir(spec)
        elif spec.name.startswith(HF_HUB):
            # Fetched by our downloader (progress, cancel, offline message), then loaded as a folder.
            model_name = f"{LOCAL_DIR}{weights.resolve_hub_folder(spec, self.on_download)}"
        else:
            if spec.name not in open_clip.list_models():
                raise UserError(f"unknown model architecture {spec.name!r} (see open_clip.list_models())")
            if not spec.is_random:
                pretrained = weights.resolve_checkpoint(spec, self.on_download)
                tag_cfg = open_clip.get_pretrained_cfg(spec.name, spec.pretrained or "")
        log.info("loading %s on %s", spec.key, self.device)
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(RANDOM_SEED)
                # Weights come as a file path, so open_clip cannot apply the tag's settings itself.
                model = open_clip.create_model(
                    model_name,
                    pretrained=pretrained,
                    device=self.device,
                    force_quick_gelu=bool(tag_cfg.get("quick_gelu", False)),
                )
        except (FileNotFoundError, ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(f"could not load model {spec.key}: {exc}") from exc
        model.eval()
        model.requires_grad_(False)  # inference only; a name being taught is the one thing with gradients
        try:
            # Some models name a Hugging Face tokenizer, which transformers fetches on first use.
            self._tokenizer = open_clip.get_tokenizer(model_name)
        except ImportError as exc:
            needs = f"it needs the {exc.name} package (pip install {exc.name})" if exc.name else str(exc)
            raise ModelUnavailableError(f"could not load the tokenizer of {spec.key}: {needs}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(f"could not load the tokenizer of {spec.key}: {exc}") from exc
        preprocess = dict(get_model_preprocess_cfg(model))
        preprocess.update({k: tag_cfg[k] for k in ("mean", "std", "interpolation", "resize_mode") if k in tag_cfg})
        self.input_spec = InputSpec.from_cfg(preprocess)
        self._model = model
        self.dim = int(self.embed_texts(["probe"]).shape[1])
        if self.device == "cpu":
            torch.set_num_threads(max(1, os.cpu_count() or 1))

    def _autocast(self):  # type: ignore[no-untyped-def]
        import contextlib

        import torch

        if self.device.startswith("cuda"):
            return torch.autocast("cuda", dtype=torch.float16)
        return contextlib.nullcontext()

    def batch_from_arrays(self, arrays: Sequence[np.ndarray]) -> Any:
        """uint8 (n, s, s, 3) arrays -> a normalised float tensor on the model's device."""
        return self.normalised(self.pixels_on_device(arrays))

    def pixels_on_device(self, arrays: Sequence[np.ndarray]) -> Any:
        """uint8 (n, s, s, 3) arrays -> one uint8 tensor on the model's device. On CUDA they
        are stacked into a pinned buffer and copied without holding up this thread, so the
        copy overlaps whatever the GPU is still computing."""
        import torch

        if not self.device.startswith("cuda"):
            return torch.from_numpy(np.stack(arrays))
        if self._staging is None:
            self._staging = PinnedStaging()
        return self._staging.to_device(arrays, self.device)

    def normalised(self, pixels: Any) -> Any:
        """uint8 (n, s, s, 3) pixels on the model's device -> the model's normalised input."""
        import torch

        assert self.input_spec is not None
        batch = pixels.permute(0, 3, 1, 2).float().div_(255.0)
        mean = torch.tensor(self.input_spec.mean, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(self.input_spec.std, device=self.device).view(1, 3, 1, 1)
        return batch.sub_(mean).div_(std)

    def start_embedding(self, batch: Any) -> PendingVectors:
        """Start embedding a normalised batch; on CUDA the GPU works on it while this thread
        goes on (committing the last batch), until the vectors are asked for."""
        import torch

        self.load()
        with torch.inference_mode(), self._autocast():
            return PendingVectors(self._model.encode_image(batch))

    def embed_batch(self, batch: Any) -> np.ndarray:
        return self.start_embedding(batch).result()

    def embed_arrays(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        self.load()
        if not arrays:
            return np.empty((0, self.dim), dtype=np.float32)
        return self.embed_batch(self.batch_from_arrays(arrays))

    def embed_texts(self, texts: Sequence[str], names: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Text vectors; `names` maps taught names to their learned word vectors, and a text
        holding one reads it as that word (a text holding none is embedded as always)."""
        import torch

        if self._model is None:
            self.load()
        with torch.inference_mode(), self._autocast():
            if names:
                features = self.named_text.encode(list(texts), names)
            else:
                features = encode_text(self._model, self._tokenizer(list(texts)).to(self.device))
        return _normalised(features)

    @property
    def named_text(self) -> NamedTextEncoder:
        """The text tower able to read taught names; UserError for a model without a word
        embedding table (a Hugging Face text tower)."""
        self.load()
        with self._lock:
            if self._named_text is None:
                try:
                    self._named_text = NamedTextEncoder(self._model, self._tokenizer, self.device)
                except ValueError as exc:
                    raise UserError(f"{self.spec.key} cannot learn names: {exc}") from None
            return self._named_text

    @property
    def logit_scale(self) -> float:
        """The model's own similarity temperature (CLIP caps it at 100)."""
        self.load()
        scale = getattr(self._model, "logit_scale", None)
        return min(100.0, float(scale.exp())) if scale is not None else 100.0

    def embed_region_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Text found in photos, embedded the way queries are, so "bakery" meets "BAKERY"."""
        return self.embed_texts([TEXT_TEMPLATE.format(t) for t in texts])


class PendingVectors:
    """A batch's image features as the device computes them; `result` waits for them."""

    def __init__(self, features: Any) -> None:
        self._features = features

    def result(self) -> np.ndarray:
        return _normalised(self._features)


class PinnedStaging:
    """Two page-locked host buffers used in turn: a batch is stacked into one while the copy
    from the other may still be running, and a buffer is reused only once its copy is done."""

    def __init__(self) -> None:
        self._buffers: list[Any] = [None, None]
        self._copied: list[Any] = [None, None]
        self._next = 0

    def to_device(self, arrays: Sequence[np.ndarray], device: str) -> Any:
        import torch

        i, self._next = self._next, 1 - self._next
        shape = (len(arrays), *arrays[0].shape)
        if self._copied[i] is not None:
            self._copied[i].synchronize()
        buffer = self._buffers[i]
        if buffer is None or buffer.shape[0] < shape[0] or buffer.shape[1:] != shape[1:]:
            buffer = self._buffers[i] = torch.empty(shape, dtype=torch.uint8, pin_memory=True)
        host = buffer[: shape[0]]
        np.stack(arrays, out=host.numpy())
        pixels = host.to(device, non_blocking=True)
        self._copied[i] = torch.cuda.Event()
        self._copied[i].record()
        return pixels


def _normalised(features: Any) -> np.ndarray:
    return unit_rows(features.float().cpu().numpy())
