"""Faces: where they are in a photo, and a descriptor that tells people apart.

dlib's models, with real weights from the package registry: the HOG frontal-face detector
(built into dlib), the 5-point landmark model and the 128-d ResNet face descriptor (the
`face-recognition-models` package, found by path: its own loader needs `pkg_resources`, which a
fresh environment may lack). Descriptors of one person lie about 0.2-0.45 apart (Euclidean),
different people above 0.6. The 68-point landmark model in the same package is never loaded:
its training data forbids commercial use.

The detector sits behind a small interface (`FaceDetector`), as the object detector does, so a
stronger one (dlib's CNN detector on CUDA, or another) can replace it; `name` says which ran.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.core.errors import ModelUnavailableError
from app.ml.inference_model import InferenceModel

MODELS_PACKAGE = "face_recognition_models"
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"
DESCRIPTOR_DIM = 128
# Faces are looked for on a copy this size on its long side, scaled down from camera photos and
# up from the region pass's 1280 px copy: HOG's window is 80 px, so a face 5% of a landscape
# photo's height is found. Measured on 2 cores: 0.09 s at 1280 px found half the faces of
# camera photos with a person a third of their height, 0.2 s at 1920 px found all.
DETECT_SIDE = 1920
MAX_UPSCALE = 3.0


@dataclass(frozen=True)
class FoundFace:
    """A face: its box relative to the photo (x0, y0, x1, y1 in 0..1) and the detector's score."""

    bbox: tuple[float, float, float, float]
    score: float


class FaceDetector(Protocol):
    name: str

    def detect(self, rgb: np.ndarray) -> list[FoundFace]: ...


def models_folder() -> Path:
    """The folder of `face-recognition-models`' weight files, without importing the package."""
    spec = importlib.util.find_spec(MODELS_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location) / "models"
        if (folder / LANDMARKS_FILE).is_file() and (folder / DESCRIPTOR_FILE).is_file():
            return folder
    raise ModelUnavailableError(
        "the face models are not installed: install the face-recognition-models package "
        "(pip install face-recognition-models), or switch faces off"
    )


def _dlib() -> Any:
    try:
        import dlib
    except ImportError:
        raise ModelUnavailableError(
            "dlib is not installed: install the dlib-bin package (pip install dlib-bin), or switch faces off"
        ) from None
    return dlib


def _detection_copy(rgb: np.ndarray) -> np.ndarray:
    """The photo in grey (HOG reads only brightness: converting first makes the resize and the
    detector's own conversion a third of the work) at DETECT_SIDE on its long side, up to
    MAX_UPSCALE times larger."""
    from PIL import Image

    grey = Image.fromarray(np.ascontiguousarray(rgb)).convert("L")
    scale = min(MAX_UPSCALE, DETECT_SIDE / max(grey.size))
    if abs(scale - 1.0) >= 0.05:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(grey)


class HogFaceDetector:
    """dlib's HOG + linear SVM frontal-face detector (CPU; about 0.15 s on a 1920 px copy)."""

    name = "dlib-hog"

    def __init__(self, min_score: float = 0.0) -> None:
        self._detector = _dlib().get_frontal_face_detector()
        self.min_score = min_score

    def detect(self, rgb: np.ndarray) -> list[FoundFace]:
        image = _detection_copy(rgb)
        height, width = image.shape[:2]
        rects, scores, _kinds = self._detector.run(image, 0, self.min_score)
        found = []
        for rect, score in zip(rects, scores, strict=True):
            x0, y0 = max(0, rect.left()), max(0, rect.top())
            x1, y1 = min(width, rect.right() + 1), min(height, rect.bottom() + 1)
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            found.append(FoundFace((x0 / width, y0 / height, x1 / width, y1 / height), float(score)))
        return found


class FaceDescriber:
    """5-point alignment and the 128-d ResNet descriptor of each face (L2 distance compares)."""

    name = "dlib-resnet-v1"

    def __init__(self, folder: Path | None = None) -> None:
        dlib = _dlib()
        folder = folder or models_folder()
        self._dlib = dlib
        self._landmarks = dlib.shape_predictor(str(folder / LANDMARKS_FILE))
        self._descriptor = dlib.face_recognition_model_v1(str(folder / DESCRIPTOR_FILE))

    def describe(self, rgb: np.ndarray, faces: list[FoundFace]) -> np.ndarray:
        """One float32 row per face, in order; (0, 128) for none."""
        if not faces:
            return np.empty((0, DESCRIPTOR_DIM), dtype=np.float32)
        image = np.ascontiguousarray(rgb)
        height, width = image.shape[:2]
        shapes = self._dlib.full_object_detections()
        for face in faces:
            x0, y0, x1, y1 = face.bbox
            rect = self._dlib.rectangle(
                math.floor(x0 * width), math.floor(y0 * height), math.ceil(x1 * width) - 1, math.ceil(y1 * height) - 1
            )
            shapes.append(self._landmarks(image, rect))
        descriptors = self._descriptor.compute_face_descriptor(image, shapes)
        return np.asarray([np.asarray(d) for d in descriptors], dtype=np.float32).reshape(-1, DESCRIPTOR_DIM)


class FaceModels(InferenceModel):
    """The detector and the describer, loaded together on first need (thread-safe)."""

    what = "the face models"

    def __init__(self, detector: FaceDetector | None = None) -> None:
        super().__init__()
        self._detector = detector
        self._describer: FaceDescriber | None = None

    def _load(self) -> None:
        if self._detector is None:
            self._detector = HogFaceDetector()
        self._describer = FaceDescriber()

    def detector(self) -> FaceDetector:
        self.load()
        assert self._detector is not None
        return self._detector

    def describer(self) -> FaceDescriber:
        self.load()
        assert self._describer is not None
        return self._describer

    @property
    def version(self) -> str:
        """Which models made a library's faces (faces are found again when it changes)."""
        detector = self._detector.name if self._detector is not None else HogFaceDetector.name
        return f"{detector}+{FaceDescriber.name}"

    def faces(self, rgb: np.ndarray) -> tuple[list[FoundFace], np.ndarray]:
        """The faces in an upright RGB photo and their descriptors."""
        found = self.detector().detect(rgb)
        return found, self.describer().describe(rgb, found)
