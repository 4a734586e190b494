"""The object detector and the text reader of a library, chosen from the settings and loaded
on first need; each says why when it cannot be had, so the region pass can go on without it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.settings import Settings
from app.ml.detector import (
    DetectionFilter,
    ObjectDetector,
    default_detector_name,
    planned_version,
    torchvision_detector,
)
from app.ml.download import DownloadProgress
from app.ml.ocr import TextReader
from app.ml.text_gate import TextGate

if TYPE_CHECKING:
    from app.ml.faces import FaceDetector, FaceModels


class RegionModels:
    def __init__(
        self, settings: Settings, device: Callable[[], str], on_download: DownloadProgress | None = None
    ) -> None:
        self.settings = settings
        self._device = device
        self._on_download = on_download  # detector weights download on first use
        self._lock = threading.Lock()
        self._detector: ObjectDetector | None = None
        self._reader: TextReader | None = None
        self._faces: FaceModels | None = None

    @property
    def rules(self) -> DetectionFilter:
        s = self.settings
        return DetectionFilter(s.detector_min_score, s.object_min_area, s.object_max_area)

    @property
    def detector_name(self) -> str:
        return self.settings.detector or default_detector_name(self._device())

    def use_detector(self, detector: ObjectDetector) -> None:
        """Use this detector instead of the configured torchvision one (custom models, tests)."""
        self._detector = detector

    def detector_version(self) -> str:
        if self._detector is not None:
            return self._detector.version
        return planned_version(self.detector_name, self.rules, self.settings.detector_weights or None)

    def reader_version(self) -> str:
        if self._reader is not None:
            return self._reader.version
        return TextReader(self._device()).version

    def detector(self) -> ObjectDetector:
        with self._lock:
            if self._detector is None:
                self._detector = torchvision_detector(
                    self.detector_name,
                    self._device(),
                    self.rules,
                    self.settings.detector_weights or None,
                    self._on_download,
                )
        return self._detector.load()

    def faces_version(self) -> str:
        from app.ml.faces import FaceModels

        return (self._faces or FaceModels()).version

    def use_face_detector(self, detector: FaceDetector) -> None:
        """Use this face detector instead of dlib's HOG one (a stronger one, tests)."""
        from app.ml.faces import FaceModels

        self._faces = FaceModels(detector)

    def faces(self) -> FaceModels:
        """The face detector and describer, loaded (raises ModelUnavailableError if missing)."""
        from app.ml.faces import FaceModels

        with self._lock:
            if self._faces is None:
                self._faces = FaceModels()
        return self._faces.load()

    def reader(self) -> TextReader:
        with self._lock:
            if self._reader is None:
                device = self._device()
                # On a GPU the reader's own detector costs milliseconds: the gate would only add.
                gate = TextGate() if self.settings.text_gate and device == "cpu" else None
                self._reader = TextReader(device, gate=gate)
        return self._reader.load()
