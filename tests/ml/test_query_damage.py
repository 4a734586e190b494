"""A damaged quick-search export never breaks a search: truncated, empty or foreign weights,
random bytes in a graph, a missing file, a tokenizer emptied. Each search falls back to torch
with the same results, says so once, and leaves the export prepared again; `status` and
`doctor` say "damaged" before that. Real exports of the tiny model, real ONNX Runtime."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest


def _truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _random(path: Path) -> None:
    path.write_bytes(np.random.default_rng(0).bytes(path.stat().st_size))


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    path.write_bytes(bytes(data))


DAMAGE = {
    "text.onnx.data truncated": ("text.onnx.data", _truncate),
    "text.onnx.data empty": ("text.onnx.data", _empty),
    "text.onnx random bytes": ("text.onnx", _random),
    "text.onnx deleted": ("text.onnx", Path.unlink),
    "merges.json holds []": ("merges.json", lambda p: p.write_text("[]")),
    "token table zeroed in the middle": ("token_embedding.npy", _flip_middle),
}


@pytest.fixture
def library(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from tests.helpers.shapes import write_test_set

    monkeypatch.setenv("PHOTO_ORGANIZER_QUERY_DIR", str(tmp_path / "query"))
    write_test_set(tmp_path / "shapes", per_class=2, seed=5)
    assert cli("index", tmp_path / "shapes").code == 0
    assert cli("status", "--json").json["quick_search"] == "ready"
    (folder,) = (tmp_path / "query").iterdir()
    return folder


@pytest.fixture
def said(caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """What the last search told the person (its warnings go to stderr in a terminal)."""
    import logging

    caplog.set_level(logging.WARNING)
    return caplog


def _search(cli, said, *query: str):  # type: ignore[no-untyped-def]
    said.clear()
    found = cli("search", *query, "--top-k", "10", "--json")
    assert found.code == 0 and "Traceback" not in found.err, found.err
    return [(r["path"], round(r["score"], 4)) for r in found.json["results"]], found.err + said.text


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_text_export_falls_back_to_torch_and_is_prepared_again(cli, library, said, damage):
    expected, _ = _search(cli, said, "a red photo")
    name, spoil = DAMAGE[damage]
    spoil(library / name)
    assert cli("status", "--json").json["quick_search"] == "damaged"
    doctor = cli("doctor", "--json").json["quick_search"]
    assert doctor["state"] == "damaged" and doctor["why"], doctor
    found, told = _search(cli, said, "a red photo")
    assert [p for p, _s in found] == [p for p, _s in expected], damage
    assert np.allclose([s for _p, s in found], [s for _p, s in expected], atol=2e-4), damage
    assert told.count("quick-search files are damaged") == 1, told
    assert "preparing quick searches" in told
    assert cli("status", "--json").json["quick_search"] == "ready", "prepared again"
    again, told = _search(cli, said, "a red photo")
    assert [p for p, _s in again] == [p for p, _s in expected] and "damaged" not in told


def test_towers_copied_from_another_model_are_not_used(cli, library, said, tmp_path):
    import torch

    from app.ml.embedder import ClipEmbedder
    from app.ml.query_export import export_text_tower
    from app.ml.spec import ModelSpec

    expected, _ = _search(cli, said, "a red photo")
    other = ClipEmbedder(ModelSpec("PO-Tiny", "random"), "cpu").load()
    with torch.no_grad():
        for parameter in other._model.transformer.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.05)
    assert export_text_tower(other, tmp_path / "other")
    for name in ("text.onnx", "text.onnx.data"):
        if (tmp_path / "other" / name).exists():
            shutil.copyfile(tmp_path / "other" / name, library / name)
    found, told = _search(cli, said, "a red photo")
    assert "quick-search files are damaged" in told
    assert [p for p, _s in found] == [p for p, _s in expected]
    assert np.allclose([s for _p, s in found], [s for _p, s in expected], atol=2e-4)


def test_a_damaged_image_tower_falls_back_for_a_query_photo(cli, library, said, tmp_path):
    from tests.helpers.shapes import draw

    outside = tmp_path / "query.png"
    draw("red", "circle", np.random.default_rng(3), 128).save(outside)
    expected, _ = _search(cli, said, "--image", str(outside))
    data = library / "image.onnx.data"
    assert data.exists(), sorted(os.listdir(library))
    _truncate(data)
    assert cli("status", "--json").json["quick_search"] == "damaged"
    found, told = _search(cli, said, "--image", str(outside))
    assert [p for p, _s in found] == [p for p, _s in expected]
    assert told.count("quick-search files are damaged") == 1
    meta = json.loads((library / "meta.json").read_text())
    assert "files" in meta and "check" in meta
