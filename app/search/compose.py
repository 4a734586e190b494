"""Turning what a person asked for (words with +/- terms, an example image, or both) into the
query vectors a search ranks by. The embedding itself is passed in, so this stays model-free."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.core.unit_vectors import unit
from app.search.query import parse_query
from app.search.vector_search import QueryVectors, keywords_of

TextEmbedder = Callable[[Sequence[str]], np.ndarray]


def compose_query(
    text: str | None,
    image_vector: np.ndarray | None,
    embed_texts: TextEmbedder,
    dim: int,
    image_weight: float = 0.5,
) -> QueryVectors:
    """The mix to search by: the positive terms' summed text vector and the image's vector,
    weighted by `image_weight` (the image's share) when both are given; `-terms` become
    negatives that push matching photos down; the words also look up OCR keywords."""
    parsed = parse_query(text) if text and text.strip() else None
    parts: list[np.ndarray] = []
    negatives = np.empty((0, dim), dtype=np.float32)
    keywords: tuple[str, ...] = ()
    how = []
    if parsed is not None:
        positive_terms = [t for t in (parsed.text, *parsed.plus) if t]
        text_vector = unit(embed_texts(positive_terms).sum(axis=0))
        if parsed.minus:
            negatives = embed_texts(list(parsed.minus))
        keywords = keywords_of(*positive_terms)
        parts.append(text_vector * (1.0 - image_weight if image_vector is not None else 1.0))
        how.append(f"text: {parsed.describe()}")
    if image_vector is not None:
        parts.append(unit(image_vector) * (image_weight if parsed is not None else 1.0))
        how.append("similar image")
    return QueryVectors(unit(np.sum(parts, axis=0)), negatives, keywords, " + ".join(how))
