"""An example image for a search: a file on disk (inside the library or not), embedded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.errors import UserError
from app.indexing.decoding import DecodeError, decode, read_file
from app.ml.embedder import ClipEmbedder


def embed_image_file(embedder: ClipEmbedder, path: Path | str) -> np.ndarray:
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"no such image file: {path}")
    loaded = embedder.load()
    assert loaded.input_spec is not None
    try:
        decoded = decode(read_file(str(path)), loaded.input_spec, None)
    except DecodeError as exc:
        raise UserError(f"cannot use {path} as a query image: {exc}") from None
    return loaded.embed_arrays([decoded.model_input])[0]
