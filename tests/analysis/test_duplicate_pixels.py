"""Pixel evidence for duplicates: the same photo matches through re-encoding, resizing and a 5%
crop; a shape drawn twice on differently coloured backgrounds of equal brightness (a look-alike
that grey copies alone would call the same) differs by its colours."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from app.analysis.duplicate_pixels import brightness_change, colour_change, pixel_match, pixel_print
from tests.helpers.duplicate_corpus import real_photo


def _reencoded(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def test_the_same_photo_matches_through_reencoding_resizing_and_cropping():
    photo = real_photo("chelsea.png")
    w, h = photo.size
    original = pixel_print(photo)
    for other in (
        _reencoded(photo, 40),
        photo.resize((w // 2, h // 2)),
        photo.crop((int(w * 0.05), int(h * 0.05), w, h)),
    ):
        found = pixel_print(other)
        assert pixel_match(original, found) >= 0.99
        assert brightness_change(original, found) < 0.02 and colour_change(original, found) < 0.02
    other_view = pixel_print(real_photo("motorcycle_right.png"))
    assert pixel_match(pixel_print(real_photo("motorcycle_left.png")), other_view) < 0.9


def test_a_look_alike_in_other_colours_is_told_apart_by_them():
    def drawn(background: tuple[int, int, int], shift: int) -> Image.Image:
        image = Image.new("RGB", (256, 256), background)
        ImageDraw.Draw(image).polygon([(128 + shift, 40), (40 + shift, 200), (216 + shift, 200)], fill=(40, 70, 215))
        return image

    a, b = pixel_print(drawn((180, 170, 205), 0)), pixel_print(drawn((205, 168, 160), 6))
    assert brightness_change(a, b) < 0.05, "as bright: grey copies alone cannot tell them apart"
    assert colour_change(a, b) > 0.06
