"""L2 normalisation, the one way every layer makes unit vectors (inner product = cosine)."""

from __future__ import annotations

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1, as a contiguous float32 copy; a zero row stays zero."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def unit(vector: np.ndarray) -> np.ndarray:
    """One vector scaled to length 1 (a zero vector stays zero)."""
    return unit_rows(np.asarray(vector)[None, :])[0]
