"""Switching a library to another model re-embeds from thumbnails, resumably."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.core.errors import UserError
from app.library import Library
from app.ml.spec import ModelSpec
from app.search.request import SearchRequest
from tests.helpers.images import photo, save_jpeg
from tests.helpers.models import save_tiny_model

TINY = ModelSpec("PO-Tiny", "random")


@pytest.fixture
def other_model(tmp_path: Path) -> ModelSpec:
    """The tiny architecture with other weights, as a local-dir model."""
    return ModelSpec.parse(f"local-dir:{save_tiny_model(tmp_path / 'other-model')}")


@pytest.fixture
def indexed(library_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    for i in range(10):
        save_jpeg(root / f"p{i}.jpg", photo(700 + i))
    with Library(library_dir, TINY) as library:
        assert library.index([root]).embedded == 10
    return root


def test_switch_reembeds_from_thumbnails_without_reading_originals(library_dir, indexed, other_model, monkeypatch):
    import app.indexing.reembed as reembed_module

    def no_originals(path: str):  # type: ignore[no-untyped-def]
        raise AssertionError(f"re-embedding read the original {path}")

    monkeypatch.setattr(reembed_module, "read_file", no_originals)
    old_file = Library(library_dir).paths.vectors_file(TINY.key)
    stamp = old_file.with_name(old_file.name + ".verified")
    assert old_file.exists() and stamp.exists()
    with Library(library_dir, other_model) as library:
        with pytest.raises(UserError, match="switch"):
            library.search(SearchRequest("anything"))
        report = library.index([indexed])
        assert (report.reembedded, report.embedded, report.unchanged) == (10, 0, 10)
        status = library.status().to_json()
        assert status["model"] == other_model.key and status["consistent"]
        assert status["vectors"] == status["index_vectors"] == 10
        # The stored vector is what the new model makes of the thumbnail.
        hit = library.similar(indexed / "p3.jpg", SearchRequest(top_k=1))
        assert hit
    assert not old_file.exists() and not stamp.exists(), "the old model's file goes with its stamp"
    with Library(library_dir) as library:  # later commands use the new model by themselves
        assert library.spec == other_model
        image_id, _path, thumbnail, _day = next(e for e in library.gallery() if e[1].endswith("p0.jpg"))
        from PIL import Image

        from app.ml.preprocess import to_model_input

        embedder = library.embedder.load()
        with Image.open(thumbnail) as thumb:
            expected = embedder.embed_arrays([to_model_input(thumb.convert("RGB"), embedder.input_spec)])[0]
        from app.catalog import lookups

        region_id = lookups.image_region_ids(library.engine, image_id)[0]
        stored = library.store.reconstruct(region_id)
        assert np.allclose(stored, expected, atol=1e-5)


def test_a_stopped_switch_resumes_and_old_vectors_serve_meanwhile(library_dir, indexed, other_model):
    from app.indexing.pipeline import IndexOptions
    from app.indexing.run_setup import RunControls

    stop = {"now": False}

    def on_progress(p) -> None:  # type: ignore[no-untyped-def]
        if p.phase == "re-embedding":
            stop["now"] = True  # like a kill (or Cancel) right after the first committed batch

    with Library(library_dir, other_model) as library:
        report = library.index([indexed], IndexOptions(batch_size=4), RunControls(on_progress, lambda: stop["now"]))
        assert report.cancelled
    with Library(library_dir) as library:  # without --model: the old model still serves
        assert library.spec == TINY
        assert len(library.search(SearchRequest("a red square", top_k=3))) == 3
        assert library.status().consistent
    with Library(library_dir, other_model) as library:
        report = library.index([indexed], IndexOptions(batch_size=4))
        assert report.reembedded == 6, "only what was left is redone"
        assert library.status().model == other_model.key
