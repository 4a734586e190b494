"""Scoring candidate pairs in two looks: a coarse first look that a pair the full prints call
alike (0.8, the loosest grouping threshold) always passes, and a second look that gives such
pairs exactly their full scores, whether the coarse prints were made in threads or processes."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from app.analysis import pair_scoring
from app.analysis.duplicate_pixels import (
    COARSE_SIDE,
    PixelPrints,
    brightness_change,
    colour_change,
    pixel_match,
    pixel_print,
)
from tests.helpers.duplicate_corpus import real_photo

PHOTOS = ("chelsea.png", "coffee.png", "grass.png", "gravel.png", "motorcycle_left.png", "motorcycle_right.png")


def _thumbnail(image: Image.Image) -> Image.Image:
    small = image.copy()
    small.thumbnail((256, 256))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=85)
    return Image.open(io.BytesIO(buffer.getvalue()))


def _variants(photo: Image.Image) -> list[Image.Image]:
    """Edits that keep a photo the same photo: crops (up to 10%), a shift, exposure and contrast,
    a low-quality re-encode, a resize, and a brightness gradient (the hardest for coarse copies)."""
    w, h = photo.size
    gradient = (np.asarray(photo) * np.linspace(0.6, 1.0, w)[None, :, None]).astype(np.uint8)
    return [
        photo,
        photo.crop((int(0.1 * w), int(0.1 * h), w, h)),
        photo.crop((int(0.05 * w), int(0.05 * h), w - int(0.05 * w), h - int(0.05 * h))),
        photo.crop((6, 4, w, h)),
        ImageEnhance.Brightness(photo).enhance(0.7),
        ImageEnhance.Contrast(photo).enhance(1.4),
        _thumbnail(photo).convert("RGB").resize((w // 2, h // 2)),
        Image.fromarray(gradient),
    ]


@pytest.fixture(scope="module")
def thumbnails(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("thumbnails")
    paths = []
    for name in PHOTOS:
        for k, variant in enumerate(_variants(real_photo(name))):
            path = folder / f"{name}-{k}.jpg"
            _thumbnail(variant).save(path, quality=90)
            paths.append(path)
    return paths


def test_every_pair_the_full_prints_call_alike_passes_the_first_look(thumbnails):
    full, coarse = [], []
    for path in thumbnails:
        with Image.open(path) as image:
            full.append(pixel_print(image))
        with Image.open(path) as image:
            coarse.append(pixel_print(image, COARSE_SIDE))
    alike = unrelated = 0
    for i, j in itertools.combinations(range(len(thumbnails)), 2):
        if pixel_match(full[i], full[j]) >= 0.8:
            alike += 1
            assert pixel_match(coarse[i], coarse[j]) >= pair_scoring.COARSE_LEAST + 0.1, (thumbnails[i], thumbnails[j])
        elif thumbnails[i].name.split("-")[0] != thumbnails[j].name.split("-")[0]:
            unrelated += pixel_match(coarse[i], coarse[j]) < pair_scoring.COARSE_LEAST
    assert alike > 60
    assert unrelated >= 0.9 * len(PHOTOS) * (len(PHOTOS) - 1) / 2 * 64, "most other photos go no further"


@pytest.mark.parametrize("in_processes", [False, True])
def test_alike_pairs_get_their_full_scores_and_missing_prints_none(thumbnails, monkeypatch, in_processes):
    if in_processes:
        monkeypatch.setattr(pair_scoring, "PROCESSES_ABOVE", 0)
    monkeypatch.setattr(pair_scoring, "BATCH", 7)  # many batches, looked at ahead
    files = {k + 1: path for k, path in enumerate(thumbnails)}
    missing = len(files) + 1  # a photo whose thumbnail is gone
    files[missing] = thumbnails[0].parent / "gone.jpg"
    rng = np.random.default_rng(5)
    a, b = np.array(list(itertools.combinations(sorted(files), 2))).T
    pick = rng.random(len(a)) < 0.5
    a, b = a[pick], b[pick]
    photos = rng.permutation(np.union1d(a, b))
    prints = PixelPrints(files.get)
    try:
        pixels, brightness, colour, unchecked = pair_scoring.score_pairs(prints, photos, a, b)
    finally:
        prints.close()
    assert unchecked.tolist() == [missing]
    assert np.all(np.isnan(pixels[(a == missing) | (b == missing)]))

    def full(image_id: int):  # type: ignore[no-untyped-def]
        with Image.open(files[image_id]) as image:
            return pixel_print(image)

    second_looks = 0
    for i in np.flatnonzero((a != missing) & (b != missing)):
        x, y = full(int(a[i])), full(int(b[i]))
        expected = pixel_match(x, y)
        if pixels[i] >= pair_scoring.COARSE_LEAST:
            second_looks += 1
            assert pixels[i] == pytest.approx(expected, abs=1e-5)
            assert brightness[i] == pytest.approx(brightness_change(x, y), abs=1e-5)
            assert colour[i] == pytest.approx(colour_change(x, y), abs=1e-5)
        else:
            assert expected < 0.8, "a pair left at its coarse score could never be grouped"
    assert second_looks > 30
