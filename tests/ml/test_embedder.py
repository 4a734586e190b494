"""The embedder with the tiny registered architecture, local-dir models and missing weights."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.core.errors import ModelUnavailableError
from app.ml.embedder import ClipEmbedder
from app.ml.spec import ModelSpec, default_spec, requested_spec


def test_tiny_random_model_is_seeded_and_normalised():
    a = ClipEmbedder(ModelSpec("PO-Tiny", "random"), "cpu").load()
    b = ClipEmbedder(ModelSpec("PO-Tiny", "random"), "cpu").load()
    texts = a.embed_texts(["a dog", "a cat"])
    assert texts.shape == (2, 64) and np.allclose(np.linalg.norm(texts, axis=1), 1, atol=1e-5)
    assert np.allclose(texts, b.embed_texts(["a dog", "a cat"]), atol=1e-6)
    image = np.zeros((64, 64, 3), dtype=np.uint8)
    assert a.embed_arrays([image]).shape == (1, 64)


def test_local_dir_model_loads_its_weights(tmp_path):
    import open_clip
    import torch

    source = ClipEmbedder(ModelSpec("PO-Tiny", "random"), "cpu").load()
    folder = tmp_path / "model"
    folder.mkdir()
    cfg = open_clip.get_model_config("PO-Tiny")
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": cfg, "preprocess_cfg": {}}))
    torch.manual_seed(7)
    model = open_clip.create_model("PO-Tiny")
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    local = ClipEmbedder(ModelSpec.parse(f"local-dir:{folder}"), "cpu").load()
    out = local.embed_texts(["a dog"])
    assert out.shape == (1, 64)
    assert not np.allclose(out, source.embed_texts(["a dog"])), "weights came from the folder"


def test_local_dir_without_weights_is_a_clear_error(tmp_path):
    (tmp_path / "open_clip_config.json").write_text("{}")
    with pytest.raises(ModelUnavailableError, match="holds no weights"):
        ClipEmbedder(ModelSpec.parse(f"local-dir:{tmp_path}"), "cpu").load()


def test_missing_pretrained_weights_offline_fail_fast_with_a_way_out():
    import time

    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match="local-dir:"):
        ClipEmbedder(ModelSpec("ViT-B-32", "laion2b_s34b_b79k"), "cpu").load()
    assert time.monotonic() - started < 10


def test_spec_resolution(monkeypatch):
    monkeypatch.delenv("PHOTO_ORGANIZER_MODEL", raising=False)
    monkeypatch.delenv("PHOTO_ORGANIZER_PRETRAINED", raising=False)
    assert requested_spec(None, None) is None
    assert requested_spec("ViT-B-32", None).key == "ViT-B-32/laion2b_s34b_b79k"
    assert requested_spec(None, "random").key == "ViT-B-32/random"
    assert default_spec().key == "ViT-B-32/laion2b_s34b_b79k"
    monkeypatch.setenv("PHOTO_ORGANIZER_MODEL", "PO-Tiny")
    monkeypatch.setenv("PHOTO_ORGANIZER_PRETRAINED", "random")
    assert default_spec().key == "PO-Tiny/random"
    assert requested_spec(None, None) is None, "the environment alone is no request to switch"
    assert requested_spec("ViT-B-32", None).key == "ViT-B-32/laion2b_s34b_b79k"
    assert ModelSpec.parse("hf-hub:org/repo").key == "hf-hub:org/repo"
    assert ModelSpec.from_key("ViT-B-32/random") == ModelSpec("ViT-B-32", "random")
