"""The real torchvision loading code: missing weights give a clear message and indexing goes on;
weights from torch's cache or from a named file load into the real architecture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.core.errors import ModelUnavailableError, UserError
from app.ml import detector as det
from tests.helpers.images import photo, save_jpeg

NAME = "fasterrcnn_mobilenet_v3_large_320_fpn"


@pytest.fixture(autouse=True)
def empty_torch_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "torch-home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state dict for the real architecture (random init: no download needed)."""
    import torch
    import torchvision

    model = torchvision.models.get_model(NAME, weights=None, weights_backbone=None, num_classes=91)
    path = tmp_path_factory.mktemp("weights") / "detector.pth"
    torch.save(model.state_dict(), path)
    return path


def test_missing_weights_say_what_to_do():
    with pytest.raises(ModelUnavailableError) as caught:
        det.torchvision_detector(NAME).load()
    message = str(caught.value)
    assert det.weights_of(NAME).url in message
    assert str(det.cached_weights_file(NAME)) in message
    assert "PHOTO_ORGANIZER_DETECTOR_WEIGHTS" in message and "--no-detect" in message


def test_indexing_goes_on_without_detector_weights(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECT", "1")
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    out = cli("index", tmp_path / "p", "--json")
    assert out.code == 0, out.err
    assert out.json["embedded"] == 1 and out.json["objects"] == 0
    assert any("object detection is off" in w for w in out.json["warnings"])
    assert "object detection is off" in out.err


def test_weights_in_torch_cache_load_into_the_real_architecture(random_weights: Path):
    cached = det.cached_weights_file(NAME)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(random_weights.read_bytes())
    loaded = det.torchvision_detector(NAME, "cpu").load()
    assert loaded.version.startswith(f"{NAME}:{cached.name}|")
    assert loaded.categories[18] == "dog"
    (found,) = loaded.detect([np.asarray(photo(2, (400, 300)))])
    assert all(d.score >= loaded.rules.min_score for d in found)


def test_a_named_weights_file_is_used_by_the_region_pass(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, random_weights: Path
):
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECT", "1")
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECTOR", NAME)
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECTOR_WEIGHTS", str(random_weights))
    for i in range(3):
        save_jpeg(tmp_path / "p" / f"{i}.jpg", photo(10 + i, (640, 480)))
    out = cli("index", tmp_path / "p", "--json")
    assert out.code == 0, out.err
    assert out.json["warnings"] == [] and out.json["region_images"] == 3
    again = cli("index", tmp_path / "p", "--json").json
    assert again["region_images"] == 0  # done by this detector version: skipped


def test_weights_that_do_not_fit_are_refused(tmp_path: Path):
    wrong = tmp_path / "wrong.pth"
    wrong.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelUnavailableError, match="do not fit"):
        det.torchvision_detector(NAME, weights_file=str(wrong)).load()
    with pytest.raises(ModelUnavailableError, match="not found"):
        det.torchvision_detector(NAME, weights_file=str(tmp_path / "absent.pth")).load()


def test_unknown_detector_names_are_refused(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    with pytest.raises(UserError, match="unknown object detector"):
        det.weights_of("yolo")
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECT", "1")
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECTOR", "yolo")
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    out = cli("index", tmp_path / "p", "--json")
    assert out.code == 2 and "unknown object detector 'yolo'" in out.err and "Traceback" not in out.err


def test_first_use_downloads_the_weights_with_progress(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, random_weights: Path
):
    import os
    from types import SimpleNamespace

    from tests.helpers.weights_server import serving

    real = det.weights_of(NAME)
    filename = os.path.basename(real.url)
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / filename).write_bytes(random_weights.read_bytes())
    monkeypatch.delenv("PHOTO_ORGANIZER_OFFLINE")
    seen: list[tuple[int, int]] = []
    with serving(tmp_path / "served") as url:  # stands in for download.pytorch.org
        monkeypatch.setattr(det, "weights_of", lambda _name: SimpleNamespace(url=f"{url}/{filename}", meta=real.meta))
        loaded = det.torchvision_detector(NAME, "cpu", progress=lambda done, total: seen.append((done, total))).load()
    size = random_weights.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 2
    assert det.cached_weights_file(NAME).stat().st_size == size
    assert loaded.version.startswith(f"{NAME}:{filename}|")
