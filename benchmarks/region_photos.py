"""The kinds of photo the region pass meets, for region_bench.py: camera JPEGs with a large sign,
with a small sign and without text; real photos without text (the sample photos that ship with
scikit-image and scikit-learn, and portraits); large PNG wallpapers with and without a caption;
screenshots. Text put in a photo is recorded, so a benchmark can tell which words were read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from benchmarks.synthetic_photos import make_camera_jpegs

WORDS = ("BAKERY", "PHARMACY", "STATION", "HOTEL", "MUSEUM", "GARAGE", "LIBRARY", "MARKET")
REAL = ("astronaut.png", "chelsea.png", "coffee.png", "china.jpg", "flower.jpg", "motorcycle_left.png", "grass.png")
PORTRAITS = ("obama.jpg", "obama2.jpg", "biden.jpg")
CAPTIONS = ("STAY CURIOUS", "GOOD MORNING", "NORTHERN LIGHTS", "KEEP GOING")
SCREEN_LINES = ("Inbox (3)", "Meeting moved to Thursday", "Invoice 2041 paid", "Boarding pass: gate B12")


def sign(image: Image.Image, word: str, height: float, at: tuple[float, float] = (0.2, 0.33)) -> Image.Image:
    """`word` in dark letters on a light sign, `height` of the photo high."""
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(8, int(image.height * height)))
    x, y = int(image.width * at[0]), int(image.height * at[1])
    x0, y0, x1, y1 = draw.textbbox((x, y), word, font=font)
    pad = max(2, int(image.height * height / 6))
    draw.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), fill=(236, 230, 214))
    draw.text((x, y), word, fill=(30, 25, 25), font=font)
    return image


def wallpaper(seed: int, size: tuple[int, int] = (5120, 2880)) -> Image.Image:
    """A smooth, large, photo-like picture (a real photo blown up, with grain), as wallpapers are."""
    from tests.helpers.duplicate_corpus import real_photo

    base = real_photo(REAL[seed % len(REAL)]).resize(size, Image.Resampling.BICUBIC)
    grain = np.random.default_rng(seed).normal(0, 4, (size[1], size[0], 1))
    return Image.fromarray(np.clip(np.asarray(base, dtype=np.float32) + grain, 0, 255).astype(np.uint8))


def screenshot(seed: int) -> Image.Image:
    """A 1920x1080 desktop: a title bar, a side list and lines of body text at screen size."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (1920, 1080), (246, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1920, 48), fill=(52, 58, 70))
    draw.text((24, 10), f"Mail - {SCREEN_LINES[seed % 4]}", fill=(240, 240, 240), font=ImageFont.load_default(size=24))
    body = ImageFont.load_default(size=20)
    for row in range(18):
        line = SCREEN_LINES[int(rng.integers(len(SCREEN_LINES)))]
        draw.text((40, 80 + row * 52), line, fill=(30, 30, 30), font=body)
        draw.text((700, 80 + row * 52), f"{row + 9}:{seed * 7 % 60:02d}", fill=(90, 90, 90), font=body)
    return image


def make_kinds(root: Path, per_kind: int) -> tuple[dict[str, Path], dict[str, str]]:
    """kind -> folder of `per_kind` photos, and path -> the words put in that photo."""
    from tests.helpers.duplicate_corpus import real_photo
    from tests.helpers.faces import face_photos

    camera = make_camera_jpegs(root / "camera-source", 3 * per_kind)
    words: dict[str, str] = {}

    def fill(kind: str, suffix: str, text: Callable[[int], str | None], image: Callable[[int], Image.Image]) -> Path:
        folder = root / kind.replace(" ", "-").replace(",", "")
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_kind):
            path = folder / f"{i:03d}{suffix}"
            if text(i):
                words[str(path)] = str(text(i))
            if not path.exists():
                image(i).convert("RGB").save(path, "PNG" if suffix == ".png" else "JPEG", quality=90)
        return folder

    def real(i: int) -> Image.Image:
        names = REAL + PORTRAITS
        name = names[i % len(names)]
        return Image.open(face_photos()[name]) if name in PORTRAITS else real_photo(name)

    def word(i: int) -> str:
        return WORDS[i % len(WORDS)]

    def small_word(i: int) -> str:
        return WORDS[(i + 3) % len(WORDS)]

    def caption(i: int) -> str:
        return CAPTIONS[i % len(CAPTIONS)]

    def title(i: int) -> str:
        return SCREEN_LINES[i % len(SCREEN_LINES)]

    def none(_i: int) -> None:
        return None

    kinds = {
        "camera, large sign": fill(
            "camera, large sign", ".jpg", word, lambda i: sign(Image.open(camera[i]), word(i), 0.08)
        ),
        "camera, small sign": fill(
            "camera, small sign",
            ".jpg",
            small_word,
            lambda i: sign(Image.open(camera[per_kind + i]), small_word(i), 0.02, (0.6, 0.6)),
        ),
        "camera, no text": fill("camera, no text", ".jpg", none, lambda i: Image.open(camera[2 * per_kind + i])),
        "real photo, no text": fill("real photo, no text", ".jpg", none, real),
        "large PNG, no text": fill("large PNG, no text", ".png", none, wallpaper),
        "large PNG, caption": fill(
            "large PNG, caption", ".png", caption, lambda i: sign(wallpaper(i + 3), caption(i), 0.05, (0.3, 0.75))
        ),
        "screenshot": fill("screenshot", ".png", title, screenshot),
    }
    return kinds, words
