"""An example image for a search: a file on disk (inside the library or not), embedded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from app.core.errors import UserError
from app.indexing.decoding import DecodeError, decode, read_file
from app.ml.preprocess import InputSpec


class ImageEncoder(Protocol):
    """The model's image side (`ClipEmbedder`, loaded), or its exported tower (`QueryImage`)."""

    @property
    def input_spec(self) -> InputSpec | None: ...

    def embed_arrays(self, arrays: Sequence[np.ndarray]) -> np.ndarray: ...


def embed_image_file(encoder: Callable[[], ImageEncoder], path: Path | str) -> np.ndarray:
    """An image file's unit vector; `encoder` is called once the file is known to exist."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"no such image file: {path}")
    loaded = encoder()
    assert loaded.input_spec is not None
    try:
        decoded = decode(read_file(str(path)), loaded.input_spec, None)
    except DecodeError as exc:
        raise UserError(f"cannot use {path} as a query image: {exc}") from None
    return loaded.embed_arrays([decoded.model_input])[0]
