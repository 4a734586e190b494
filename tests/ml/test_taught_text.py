"""Taught names inside the text tower: a sentence without one is embedded exactly as before, a
name counts only as a whole word, two names in one sentence each get their own vector, and a
search on another thread never sees what a training step substitutes."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.ml.embedder import ClipEmbedder
from app.ml.name_learning import LearningOptions, LearningSet, learn_name_vector
from app.ml.spec import ModelSpec
from app.ml.taught_text import find_names


@pytest.fixture(scope="module")
def embedder() -> ClipEmbedder:
    return ClipEmbedder(ModelSpec("PO-Tiny", "random"), "cpu").load()


def _vector(embedder: ClipEmbedder, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.02, embedder.named_text.width).astype(np.float32)


def test_names_match_whole_words_in_any_case_longest_first():
    names = ["Rex", "the cabin", "cabin"]
    assert find_names("rex at THE   Cabin", names) == [(0, 3, "Rex"), (7, 18, "the cabin")]
    assert find_names("Rexford's cabins", names) == []
    assert find_names("a cabin, Rex!", names) == [(2, 7, "cabin"), (9, 12, "Rex")]


def test_a_sentence_without_a_taught_name_is_embedded_exactly_as_before(embedder):
    texts = ["a photo of a dog", "a photo of rexford", "sks zwx qzv"]
    plain = embedder.embed_texts(texts)
    with_names = embedder.embed_texts(texts, {"rex": _vector(embedder, 1)})
    assert np.array_equal(plain, with_names)


def test_each_name_reads_its_own_vector_wherever_it_stands(embedder):
    rex, cabin = _vector(embedder, 1), _vector(embedder, 2)
    both = {"Rex": rex, "the cabin": cabin}
    one, swapped = (
        embedder.embed_texts(["a photo of rex at the cabin"], both)[0],
        embedder.embed_texts(["a photo of rex at the cabin"], {"Rex": cabin, "the cabin": rex})[0],
    )
    plain = embedder.embed_texts(["a photo of rex at the cabin"])[0]
    assert not np.allclose(one, swapped) and not np.allclose(one, plain)
    # The marker word itself in a sentence is not mistaken for a name.
    with_marker = embedder.embed_texts(["rex sks"], both)[0]
    assert np.allclose(with_marker, embedder.embed_texts(["rex sks"], {"Rex": rex})[0])


def test_training_on_one_thread_never_changes_a_search_on_another(embedder):
    expected = embedder.embed_texts(["a photo of a red car"])[0]
    stop = threading.Event()
    seen: list[np.ndarray] = []

    def search() -> None:
        while not stop.is_set():
            seen.append(embedder.embed_texts(["a photo of a red car"])[0])

    searcher = threading.Thread(target=search)
    searcher.start()
    rng = np.random.default_rng(0)
    dim = embedder.dim
    unit = lambda a: (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    data = LearningSet(
        unit(rng.normal(size=(4, dim))),
        unit(rng.normal(size=(8, dim))),
        unit(rng.normal(size=(8, dim))),
        _vector(embedder, 3),
        embedder.logit_scale,
    )
    try:
        vector = learn_name_vector(embedder.named_text, "zorp", data, LearningOptions(steps=40))
    finally:
        stop.set()
        searcher.join()
    assert seen and all(np.array_equal(v, expected) for v in seen)
    assert np.linalg.norm(vector) <= embedder.named_text.typical_norm() + 1e-4


@pytest.mark.parametrize("spec", [ModelSpec("PO-Tiny", "random"), ModelSpec("ViT-B-32", "random")])
def test_the_text_tower_over_only_the_text_gives_open_clips_vectors(spec):
    import torch

    from app.ml.text_tower import encode_text, trimmable

    embedder = ClipEmbedder(spec, "cpu").load()
    model, tokenizer = embedder._model, embedder._tokenizer
    assert trimmable(model)
    tokens = tokenizer(["a photo of a dog", "a photo of a red car on a long and winding mountain road", ""])
    with torch.inference_mode():
        full, trimmed = model.encode_text(tokens), encode_text(model, tokens)
    assert torch.allclose(full, trimmed, atol=1e-5, rtol=1e-4)
