"""Settings in one typed object, from the environment (the GUI's settings dialog writes the same)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _float_env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def parse_bool(value: object, default: bool = False) -> bool:
    """A setting's yes or no: 0, false, no and off (any case) are no; empty is the default."""
    if value is None or not str(value).strip():
        return default
    return str(value).strip().lower() not in ("0", "false", "no", "off")


def ray_address(value: str | None) -> str | None:
    """A Ray setting as the run takes it: unset, empty or off is no Ray; on or local is a Ray
    started on this machine; anything else (auto, HOST:PORT) is the cluster to join."""
    text = (value or "").strip()
    if not text or text.lower() in ("0", "false", "no", "off"):
        return None
    return "" if text.lower() in ("1", "true", "yes", "on", "local") else text


def _bool_env(name: str, default: bool) -> bool:
    return parse_bool(os.environ.get(name), default)


@dataclass(frozen=True)
class Settings:
    # Past this many vectors, search switches from exact (flat) to an IVF index trained on the
    # library: flat answers 100k vectors in ~15 ms on 2 cores, but grows linearly.
    ivf_threshold: int = 200_000
    # The region pass: objects (torchvision detector) and text (EasyOCR) inside photos.
    detect_objects: bool = True
    read_text: bool = True
    # On the CPU, a small detector first tells whether a photo shows any text (app/ml/text_gate).
    text_gate: bool = True
    find_faces: bool = True  # faces (dlib) into people
    detector: str = ""  # empty: chosen by device (see app.ml.detector)
    detector_weights: str = ""  # a weights file instead of torch's download cache
    detector_min_score: float = 0.5
    object_min_area: float = 0.25
    object_max_area: float = 0.9
    # Indexing on Ray (app/indexing/ray_indexing): None is this machine alone, "" a Ray started
    # here, "auto" or HOST:PORT a running cluster.
    ray_address: str | None = None
    # Decisions (stars, tags, people's names) written to XMP sidecars for other photo apps.
    write_sidecars: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            ivf_threshold=_int_env("PHOTO_ORGANIZER_IVF_THRESHOLD", cls.ivf_threshold),
            detect_objects=_bool_env("PHOTO_ORGANIZER_DETECT", cls.detect_objects),
            read_text=_bool_env("PHOTO_ORGANIZER_OCR", cls.read_text),
            text_gate=_bool_env("PHOTO_ORGANIZER_TEXT_GATE", cls.text_gate),
            find_faces=_bool_env("PHOTO_ORGANIZER_FACES", cls.find_faces),
            detector=os.environ.get("PHOTO_ORGANIZER_DETECTOR", cls.detector).strip(),
            detector_weights=os.environ.get("PHOTO_ORGANIZER_DETECTOR_WEIGHTS", cls.detector_weights).strip(),
            detector_min_score=_float_env("PHOTO_ORGANIZER_DETECTOR_MIN_SCORE", cls.detector_min_score),
            object_min_area=_float_env("PHOTO_ORGANIZER_OBJECT_MIN_AREA", cls.object_min_area),
            object_max_area=_float_env("PHOTO_ORGANIZER_OBJECT_MAX_AREA", cls.object_max_area),
            ray_address=ray_address(os.environ.get("PHOTO_ORGANIZER_RAY")),
            write_sidecars=_bool_env("PHOTO_ORGANIZER_WRITE_SIDECARS", cls.write_sidecars),
        )
