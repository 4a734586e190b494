"""Naming clusters: the vocabulary concepts nearest to a cluster's mean vector (zero-shot
CLIP), plus words that recur in the cluster's photo text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from app.core.unit_vectors import unit_rows

MIN_OCR_SHARE = 0.3


def concept_names(
    centroids: np.ndarray, concept_vectors: np.ndarray, concepts: Sequence[str], top: int = 2
) -> list[str]:
    """For each centroid, its `top` nearest concepts joined by " · " (distinct words only)."""
    if len(centroids) == 0:
        return []
    sims = unit_rows(centroids) @ concept_vectors.T
    # The nearest few of each, found for all at once (a slider move names thousands of groups);
    # a row whose few repeat one word looks at all of its concepts.
    few = min(len(concepts), 4 * top)
    nearest = np.argpartition(-sims, few - 1, axis=1)[:, :few]
    nearest = np.take_along_axis(nearest, np.argsort(-np.take_along_axis(sims, nearest, 1), axis=1), 1)
    names = []
    for row, candidates in enumerate(nearest.tolist()):
        chosen = _distinct(concepts, candidates, top)
        if len(chosen) < top and few < len(concepts):
            chosen = _distinct(concepts, np.argsort(-sims[row]).tolist(), top)
        names.append(" · ".join(chosen))
    return names


def _distinct(concepts: Sequence[str], order: list[int], top: int) -> list[str]:
    chosen: list[str] = []
    for i in order:
        if concepts[i] not in chosen:
            chosen.append(concepts[i])
            if len(chosen) == top:
                break
    return chosen


def frequent_words(texts_per_member: Sequence[Sequence[str]]) -> list[str]:
    """Words found in the text of at least 30% of a cluster's photos (3 letters or more)."""
    if not texts_per_member:
        return []
    counts: Counter[str] = Counter()
    for texts in texts_per_member:
        words = {w.strip(".,:;!?'\"()").upper() for t in texts for w in t.split()}
        counts.update(w for w in words if len(w) >= 3 and w.isalpha())
    need = max(2, int(np.ceil(MIN_OCR_SHARE * len(texts_per_member))))
    return [w for w, c in counts.most_common(3) if c >= need]


def cluster_name(concepts: str, ocr_words: Sequence[str]) -> str:
    return f'{concepts} · "{" ".join(ocr_words)}"' if ocr_words else concepts


def group_centroids(vectors: np.ndarray, groups: Sequence[Sequence[int] | np.ndarray]) -> np.ndarray:
    """The mean vector (float32) of each group of rows of `vectors` (half precision kept by
    the slider: summed in single). A mean per group measured as fast as one sparse product
    over all rows at a million photos (1.2 s), and reads only the rows in groups; converting
    the rows to single precision first, to sum many groups in one call, was five times slower."""
    if not len(groups):
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    return np.vstack([vectors[rows].mean(axis=0, dtype=np.float32) for rows in groups])
