"""The text-presence gate: it fires on any photo where the reader finds text (large signs, small
signs, a screenshot) and stays quiet on real photos without text, so gated reading returns
exactly what ungated reading returns, for less."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from app.core.settings import Settings
from app.indexing.decoding import decode_for_regions, read_file
from app.indexing.region_finder import REGION_SIDE
from app.ml.ocr import TextReader
from app.ml.region_models import RegionModels
from app.ml.text_gate import BLOB_THRESHOLD, TextGate
from tests.helpers.duplicate_corpus import real_photo
from tests.helpers.faces import face_photos
from tests.helpers.images import photo, save_jpeg, word_photo

TEXT_FREE = ("astronaut.png", "chelsea.png", "grass.png", "gravel.png", "brick.png", "china.jpg", "flower.jpg")


def as_region_pass_sees(path: Path) -> np.ndarray:
    return decode_for_regions(read_file(path), REGION_SIDE)


def screenshot() -> Image.Image:
    image = Image.new("RGB", (1920, 1080), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=22)
    for row in range(20):
        draw.text((40, 30 + row * 48), f"Invoice {row + 101}: paid on the 3rd of March", fill=(20, 20, 20), font=font)
    return image


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[np.ndarray, bool]]:
    """name -> (pixels as the region pass decodes them, whether text was put in it)."""
    folder = tmp_path_factory.mktemp("gate")
    made: dict[str, tuple[Image.Image, bool]] = {}
    for i, (word, height) in enumerate((("BAKERY", 0.12), ("HOTEL", 0.04), ("GARAGE", 0.02), ("PHARMACY", 0.012))):
        made[f"{word}-{height}"] = (word_photo(word, seed=30 + i, size=(4000, 3000), height=height)[0], True)
    made["screenshot"] = (screenshot(), True)
    for i in range(2):
        made[f"plain{i}"] = (photo(60 + i, (4000, 3000)), False)
    for name in TEXT_FREE:
        made[name] = (real_photo(name), False)
    for name in ("obama.jpg", "biden.jpg"):
        made[name] = (Image.open(face_photos()[name]).convert("RGB"), False)
    return {
        name: (as_region_pass_sees(save_jpeg(folder / f"{name}.jpg", image)), text)
        for name, (image, text) in made.items()
    }


def test_the_gate_fires_on_text_and_not_on_photos_without_any(photos):
    gate = TextGate()
    scores = {name: gate.score(pixels) for name, (pixels, _) in photos.items()}
    for name, (_, text) in photos.items():
        if text:  # DBNet's blobs on real letters score 0.9-1.0
            assert scores[name] >= BLOB_THRESHOLD + 0.2, (name, scores)
        else:  # and on these photos nothing passes its pixel threshold at all
            assert scores[name] < BLOB_THRESHOLD - 0.2, (name, scores)


def test_gated_reading_finds_exactly_what_ungated_reading_finds(photos):
    names = list(photos)
    pixels = [photos[n][0] for n in names]
    plain = TextReader().read(pixels)
    gated_reader = TextReader(gate=TextGate())
    gated = gated_reader.read(pixels)
    assert gated == plain
    found = {n for n, lines in zip(names, plain, strict=True) if lines}
    assert {"BAKERY-0.12", "HOTEL-0.04", "GARAGE-0.02", "screenshot"} <= found
    assert gated_reader.gated_out == sum(1 for _, text in photos.values() if not text)


def test_the_gate_is_used_on_the_cpu_unless_turned_off(monkeypatch: pytest.MonkeyPatch):
    gated = RegionModels(Settings(), lambda: "cpu").reader()
    assert isinstance(gated.gate, TextGate)
    monkeypatch.setenv("PHOTO_ORGANIZER_TEXT_GATE", "0")
    assert RegionModels(Settings.from_env(), lambda: "cpu").reader().gate is None


def test_lines_read_in_batches_keep_their_own_boxes(photos):
    """Crops of nearly one width are read together; each must come back with its own box and
    read as EasyOCR reads it alone (but for the odd punctuation mark)."""
    import cv2

    pixels, _ = photos["screenshot"]
    reader = TextReader().load()
    boxes = reader._detect([pixels])[0]
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    with warnings.catch_warnings():  # EasyOCR's own loader asks for pinned memory on the CPU
        warnings.simplefilter("ignore")
        alone = reader._reader.recognize(grey, horizontal_list=boxes[0], free_list=boxes[1], detail=1, reformat=False)
        together = reader._read_crops(grey, boxes[0], boxes[1])

    def by_box(raw: list) -> dict[tuple, str]:
        return {tuple(map(tuple, points)): "".join(ch for ch in text if ch.isalnum()) for points, text, _ in raw}

    alone_by_box, together_by_box = by_box(alone), by_box(together)
    assert alone_by_box.keys() == together_by_box.keys() and len(alone_by_box) >= 30
    same = sum(alone_by_box[box] == together_by_box[box] for box in alone_by_box)
    assert same >= 0.9 * len(alone_by_box), (alone_by_box, together_by_box)
