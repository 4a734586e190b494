"""A query photo's vector without torch: the model's image tower exported beside its text tower
(`query_export`), run with ONNX Runtime on the pixels the indexer prepares for the model."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.ml.export_check import ExportDamaged, check_files, check_pixels, check_vector
from app.ml.onnx_session import onnx_session
from app.ml.preprocess import InputSpec
from app.ml.query_text import META

IMAGE_TOWER = "image.onnx"  # its weights in image.onnx.data beside it


class QueryImage:
    """Unit image vectors from an exported image tower, as `ClipEmbedder.embed_arrays` gives."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / META).read_text())
        spec = meta.get("image")
        if not isinstance(spec, dict):
            raise ValueError(f"{folder} holds no image tower")
        files = meta.get("files")
        check_files(
            folder,
            files,
            sorted(n for n in files if n.startswith(IMAGE_TOWER)) if isinstance(files, dict) else [IMAGE_TOWER],
        )
        self._check = meta.get("image_check")
        self._verified = False
        self.folder = folder
        self.model_key = str(meta["model"])
        self.input_spec = InputSpec(
            int(spec["size"]),
            tuple(float(v) for v in spec["mean"]),  # type: ignore[arg-type]
            tuple(float(v) for v in spec["std"]),  # type: ignore[arg-type]
            str(spec["interpolation"]),
            str(spec["resize_mode"]),
            int(spec["fill_color"]),
        )
        self._session: Any = None
        self._lock = threading.Lock()

    def verify(self) -> None:
        """Raise ExportDamaged unless the tower still gives the vector it gave at export (once)."""
        if not self._verified:
            check_vector(self._embed([check_pixels(self.input_spec.size)])[0], self._check, "image")
            self._verified = True

    def embed_arrays(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        """uint8 (size, size, 3) arrays -> unit vectors."""
        self.verify()
        return self._embed(arrays)

    def _embed(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        with self._lock:
            if self._session is None:
                self._session = onnx_session(self.folder / IMAGE_TOWER)
            session = self._session
        pixels = np.stack(arrays).astype(np.float32).transpose(0, 3, 1, 2) / 255.0
        mean = np.asarray(self.input_spec.mean, dtype=np.float32).reshape(1, 3, 1, 1)
        std = np.asarray(self.input_spec.std, dtype=np.float32).reshape(1, 3, 1, 1)
        (features,) = session.run(None, {"pixels": np.ascontiguousarray((pixels - mean) / std)})
        features = np.asarray(features, dtype=np.float32)
        return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)


def load_query_image(folder: Path, model_key: str) -> QueryImage | None:
    """The exported image tower in `folder` for `model_key`, or None where none was exported;
    one whose files were damaged raises ExportDamaged (the caller rebuilds it)."""
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or "image" not in meta:
        return None
    try:
        found = QueryImage(folder)
    except ExportDamaged:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportDamaged(f"the image tower in {folder} cannot be read ({exc})") from None
    return found if found.model_key == model_key else None
