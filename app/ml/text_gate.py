"""Whether a photo shows any text at all, for a fraction of what reading it costs.

Most photos show no text, yet EasyOCR's CRAFT detector (a VGG-16 U-Net) costs ~0.55 s per
photo on two cores even at 640 px, and twice that without bf16. The gate is a far smaller
learned text detector, PaddleOCR's PP-OCRv4 mobile DBNet (4.7 MB, shipped with the app, run by
ONNX Runtime), at the same 640 px: ~80 ms. A photo goes on to the full reader when any blob of
its text-probability map looks like text; the reader's own results are unchanged, the gate only
spares it photos where it would find nothing. Small text is the gate's strength (it fires on
words 1% of the photo high, below what CRAFT at 640 px reads), so it is tuned to fire freely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import ModelUnavailableError
from app.ml.inference_model import InferenceModel
from app.ml.onnx_session import onnx_session

MODEL = Path(__file__).resolve().parent / "text_gate_model" / "ppocr_v4_det.onnx"
GATE_SIDE = 640
PIXEL_THRESHOLD = 0.3  # DBNet's own binarisation threshold
BLOB_THRESHOLD = 0.5  # DBNet's own box threshold: the mean probability inside a blob
MIN_BLOB_PIXELS = 6


class TextGate(InferenceModel):
    """PP-OCRv4's text detector used as a yes/no: does this photo show text anywhere?"""

    what = "the text gate"

    def __init__(self, side: int = GATE_SIDE, model: Path = MODEL) -> None:
        super().__init__()
        self.side = side
        self.model = model
        self._session: Any = None

    def _load(self) -> None:
        if not self.model.is_file():
            raise ModelUnavailableError(f"the text gate's model is missing: {self.model}")
        self._session = onnx_session(self.model, spin=False)

    def probability(self, rgb: np.ndarray) -> np.ndarray:
        """The detector's per-pixel text probability for an RGB uint8 photo, at gate size."""
        import cv2

        self.load()
        h, w = rgb.shape[:2]
        scale = self.side / max(h, w)
        size = (max(32, round(w * scale / 32) * 32), max(32, round(h * scale / 32) * 32))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        bgr = cv2.resize(np.ascontiguousarray(rgb[:, :, ::-1]), size, interpolation=interpolation)
        x = (bgr.astype(np.float32) * (2 / 255) - 1).transpose(2, 0, 1)[None]
        (out,) = self._session.run(None, {self._session.get_inputs()[0].name: x})
        return np.asarray(out[0, 0], dtype=np.float32)

    def score(self, rgb: np.ndarray) -> float:
        """The strongest blob's mean probability (0 when nothing passes the pixel threshold)."""
        import cv2

        probability = self.probability(rgb)
        mask = (probability > PIXEL_THRESHOLD).astype(np.uint8)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        big = [k for k in range(1, count) if stats[k, cv2.CC_STAT_AREA] >= MIN_BLOB_PIXELS]
        if not big:
            return 0.0
        sums = np.bincount(labels.ravel(), weights=probability.ravel(), minlength=count)
        return float(max(sums[k] / stats[k, cv2.CC_STAT_AREA] for k in big))

    def has_text(self, rgb: np.ndarray) -> bool:
        return self.score(rgb) >= BLOB_THRESHOLD
