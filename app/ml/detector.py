"""Object regions: a torchvision detector of the Faster R-CNN family, its weights, and the
filters that turn its raw boxes into regions worth embedding.

Any module with torchvision's detection interface works (`model(list of CHW float tensors)`
returning one `{"boxes", "labels", "scores"}` dict per image), which is what lets the tests
drive the whole path with a small detector of their own. Weights are torchvision's own: taken
from torch's cache, downloaded with progress on first use, or read from a file the user names;
with none of those the error says which file to fetch and where to put it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import ModelUnavailableError, UserError
from app.ml.coco import super_category
from app.ml.download import DownloadFailed, DownloadProgress, download_file
from app.ml.inference_model import InferenceModel
from app.ml.weights import url_reachable

log = logging.getLogger(__name__)

# Kept regions cover a quarter of the photo or more, which a 320 px detector finds as well as
# an 800 px one at a fifth of the cost; the GPU can afford the most accurate family member.
CPU_DETECTOR = "fasterrcnn_mobilenet_v3_large_320_fpn"
CUDA_DETECTOR = "fasterrcnn_resnet50_fpn_v2"
KNOWN_DETECTORS = (
    "fasterrcnn_mobilenet_v3_large_320_fpn",
    "fasterrcnn_mobilenet_v3_large_fpn",
    "fasterrcnn_resnet50_fpn",
    "fasterrcnn_resnet50_fpn_v2",
)
WEIGHTS_HOST = "download.pytorch.org"


@dataclass(frozen=True)
class DetectionFilter:
    """Which boxes become regions (the thesis' defaults: a quarter to nine tenths of the photo)."""

    min_score: float = 0.5
    min_area: float = 0.25
    max_area: float = 0.9

    def describe(self) -> str:
        return f"score>={self.min_score:g},area={self.min_area:g}-{self.max_area:g}"


@dataclass(frozen=True)
class Detection:
    label: str  # the super-category: person, animal, vehicle, ...
    name: str  # the detector's own class name: dog, car, ...
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 relative to the photo
    score: float


def keep_detections(
    boxes: np.ndarray,
    labels: np.ndarray,
    scores: np.ndarray,
    categories: Sequence[str],
    size: tuple[int, int],
    rules: DetectionFilter,
) -> list[Detection]:
    """Raw detector output (pixel xyxy boxes in an image of `size`, width by height) -> the
    regions that pass the score and area rules."""
    width, height = size
    kept: list[Detection] = []
    for box, label, score in zip(boxes, labels, scores, strict=True):
        if float(score) < rules.min_score:
            continue
        index = int(label)
        name = categories[index] if 0 <= index < len(categories) else ""
        group = super_category(name)
        if group is None:
            continue
        x0, x1 = (float(np.clip(v / width, 0.0, 1.0)) for v in (box[0], box[2]))
        y0, y1 = (float(np.clip(v / height, 0.0, 1.0)) for v in (box[1], box[3]))
        area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
        if not rules.min_area <= area <= rules.max_area:
            continue
        kept.append(Detection(group, name, (x0, y0, x1, y1), float(score)))
    return sorted(kept, key=lambda d: -d.score)


@dataclass(frozen=True)
class TorchvisionWeights:
    """Where a torchvision detector's module comes from when it is loaded: its name, the user's
    weights file if any, and the download's progress."""

    name: str
    weights_file: str | None = None
    progress: DownloadProgress | None = None

    def build(self) -> Any:
        import torch
        import torchvision

        categories = weights_of(self.name).meta["categories"]
        path = resolve_weights(self.name, self.weights_file, self.progress)
        model = torchvision.models.get_model(
            self.name, weights=None, weights_backbone=None, num_classes=len(categories)
        )
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except Exception as exc:
            raise ModelUnavailableError(f"the object detector weights in {path} do not fit {self.name}: {exc}") from exc
        return model


class ObjectDetector(InferenceModel):
    """A detector; `detect` takes RGB uint8 arrays and returns kept detections per image. Made
    from a module (a test's, a custom one) or from `TorchvisionWeights`, built on `load()`."""

    what = "the object detector"

    def __init__(
        self,
        model: Any,
        categories: Sequence[str],
        version: str,
        device: str = "cpu",
        rules: DetectionFilter | None = None,
    ) -> None:
        super().__init__()
        self._source = model
        self.model: Any = None
        self.categories = list(categories)
        self.device = device
        self.rules = rules or DetectionFilter()
        self.version = f"{version}|{self.rules.describe()}"

    def _load(self) -> None:
        module = self._source.build() if isinstance(self._source, TorchvisionWeights) else self._source
        self.model = module.eval().to(self.device)

    def detect(self, images: Sequence[np.ndarray]) -> list[list[Detection]]:
        import torch

        if not images:
            return []
        self.load()
        tensors = [
            torch.from_numpy(np.require(a, np.uint8, ["C", "W"])).to(self.device).permute(2, 0, 1).float().div_(255.0)
            for a in images
        ]
        with torch.inference_mode():
            outputs = self.model(tensors)
        results = []
        for image, out in zip(images, outputs, strict=True):
            height, width = image.shape[:2]
            results.append(
                keep_detections(
                    out["boxes"].float().cpu().numpy(),
                    out["labels"].cpu().numpy(),
                    out["scores"].float().cpu().numpy(),
                    self.categories,
                    (width, height),
                    self.rules,
                )
            )
        return results


def default_detector_name(device: str) -> str:
    return CUDA_DETECTOR if device.startswith("cuda") else CPU_DETECTOR


def weights_of(name: str) -> Any:
    """torchvision's default weights entry (URL, categories) for a detector name."""
    import torchvision

    if name not in KNOWN_DETECTORS:
        raise UserError(f"unknown object detector {name!r}; choose one of: {', '.join(KNOWN_DETECTORS)}")
    return torchvision.models.get_model_weights(name).DEFAULT


def cached_weights_file(name: str) -> Path:
    """Where torch keeps the downloaded weights of a detector (whether or not they are there)."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights_of(name).url)


def weights_available(name: str, weights_file: str | None = None) -> bool:
    return Path(weights_file).is_file() if weights_file else cached_weights_file(name).is_file()


def missing_weights_message(name: str, why: str) -> str:
    entry = weights_of(name)
    return (
        f"object detection is off: the weights of {name} {why}. Connect to the internet once so "
        f"they download (about {_megabytes(entry)} MB, cached afterwards), or fetch {entry.url} on "
        f"another machine and save it as {cached_weights_file(name)} (or point "
        f"PHOTO_ORGANIZER_DETECTOR_WEIGHTS at it). Index with --no-detect to skip objects."
    )


def _megabytes(entry: Any) -> int:
    size = entry.meta.get("_file_size")
    return round(size) if size else 20


def resolve_weights(name: str, weights_file: str | None = None, progress: DownloadProgress | None = None) -> Path:
    """A local weights file for `name`: the user's file, torch's cache, or a fresh download."""
    if weights_file:
        path = Path(weights_file).expanduser()
        if not path.is_file():
            raise ModelUnavailableError(f"object detector weights not found: {path}")
        return path
    cached = cached_weights_file(name)
    if cached.is_file():
        return cached
    url = weights_of(name).url
    if not url_reachable(url):
        raise ModelUnavailableError(
            missing_weights_message(name, f"are not downloaded yet and {WEIGHTS_HOST} cannot be reached")
        )
    log.warning("downloading object detector weights %s (first use; cached afterwards)", url)
    try:
        return download_file(url, cached, progress)
    except DownloadFailed as exc:
        raise ModelUnavailableError(missing_weights_message(name, f"could not be downloaded ({exc})")) from exc


def planned_version(name: str, rules: DetectionFilter, weights_file: str | None = None) -> str:
    """The version a detector will carry once loaded, known without loading anything."""
    return f"{name}:{_weights_name(name, weights_file)}|{rules.describe()}"


def _weights_name(name: str, weights_file: str | None) -> str:
    return Path(weights_file).name if weights_file else os.path.basename(weights_of(name).url)


def torchvision_detector(
    name: str,
    device: str = "cpu",
    rules: DetectionFilter | None = None,
    weights_file: str | None = None,
    progress: DownloadProgress | None = None,
) -> ObjectDetector:
    """A torchvision detector, its weights read on `load()` (never from the network silently)."""
    rules = rules or DetectionFilter()
    categories = weights_of(name).meta["categories"]
    version = f"{name}:{_weights_name(name, weights_file)}"
    return ObjectDetector(TorchvisionWeights(name, weights_file, progress), categories, version, device, rules)
