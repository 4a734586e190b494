"""Real image files for tests, made with Pillow: ordinary photos, odd but valid ones, and
broken or hostile ones."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A textured colour picture, distinct per seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(0, 255, 3)
    fx, fy = rng.uniform(0.005, 0.05, 2)
    wave = (np.sin(xx * fx + rng.uniform(0, 6)) + np.cos(yy * fy)) * 60
    noise = rng.normal(0, 12, (h, w, 3))
    arr = np.clip(base + wave[..., None] + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB")


def save_jpeg(path: Path, image: Image.Image, **kw: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90, **kw)
    return path


def exif_with(
    orientation: int | None = None, date: str | None = None, camera: tuple[str, str] | None = None
) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if camera is not None:
        exif[271], exif[272] = camera
    if date is not None:
        exif.get_ifd(0x8769)[36867] = date
    return exif


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header announces width x height pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 64)
    data += struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    path.write_bytes(data)
    return path


def make_valid_set(folder: Path) -> dict[str, Path]:
    """Odd but valid images, keyed by what is odd about them."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    out["plain"] = save_jpeg(folder / "plain.jpg", photo(1))
    out["exif"] = save_jpeg(
        folder / "camera.jpg",
        photo(2, (400, 300)),
        exif=exif_with(date="2021:07:14 10:30:00", camera=("Canon", "Canon EOS 80D")).tobytes(),
    )
    out["rotated"] = save_jpeg(folder / "rotated.jpg", photo(3, (300, 200)), exif=exif_with(orientation=6).tobytes())
    out["progressive"] = save_jpeg(folder / "progressive.jpg", photo(4), progressive=True)
    cmyk = photo(5).convert("CMYK")
    cmyk.save(folder / "cmyk.jpg", "JPEG")
    out["cmyk"] = folder / "cmyk.jpg"
    arr16 = (np.linspace(0, 65535, 200 * 150).reshape(150, 200)).astype(np.uint16)
    Image.fromarray(arr16).save(folder / "sixteen.png")
    out["16bit"] = folder / "sixteen.png"
    pal = photo(6).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    pal.info["transparency"] = 0
    pal.save(folder / "palette.png", transparency=0)
    out["palette_alpha"] = folder / "palette.png"
    frames = [photo(7 + i, (120, 90)) for i in range(3)]
    frames[0].save(folder / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    out["animated"] = folder / "animated.gif"
    Image.new("RGB", (1, 1), (200, 10, 10)).save(folder / "one.png")
    out["1x1"] = folder / "one.png"
    save_jpeg(folder / "panorama.jpg", photo(11, (12000, 400)))
    out["panorama"] = folder / "panorama.jpg"
    photo(12).save(folder / "web.webp", "WEBP")
    out["webp"] = folder / "web.webp"
    photo(13).save(folder / "bitmap.bmp", "BMP")
    out["bmp"] = folder / "bitmap.bmp"
    photo(14).save(folder / "scan.tiff", "TIFF")
    out["tiff"] = folder / "scan.tiff"
    out["non_ascii"] = save_jpeg(folder / "été à Zürich 東京.jpg", photo(15))
    rgba = photo(16).convert("RGBA")
    rgba.putalpha(128)
    rgba.save(folder / "alpha.png")
    out["rgba"] = folder / "alpha.png"
    return out


def make_broken_set(folder: Path) -> dict[str, Path]:
    """Broken and hostile files that must be reported, never crash the run."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    (folder / "empty.jpg").write_bytes(b"")
    out["empty"] = folder / "empty.jpg"
    buf = io.BytesIO()
    photo(21, (640, 480)).save(buf, "JPEG", quality=90)
    (folder / "truncated.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 3])
    out["truncated"] = folder / "truncated.jpg"
    (folder / "notes.jpg").write_text("this is not a photo, just text\n" * 20)
    out["text"] = folder / "notes.jpg"
    (folder / "noise.png").write_bytes(np.random.default_rng(5).bytes(4096))
    out["random"] = folder / "noise.png"
    out["bomb"] = png_header_only(folder / "bomb.png", 100_000, 100_000)
    loop = folder / "loop.jpg"
    os.symlink("loop.jpg", loop)
    out["symlink_loop"] = loop
    return out


def word_photo(
    word: str, seed: int, size: tuple[int, int] = (1600, 1200), height: float = 0.12
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A textured picture with `word` in large dark letters on a light sign, like a shop front;
    returns the picture and the word's box (relative x0, y0, x1, y1)."""
    from PIL import ImageDraw, ImageFont

    image = photo(seed, size)
    w, h = size
    rng = np.random.default_rng(seed)
    font = ImageFont.load_default(size=int(h * height))
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), word, font=font)
    x = int(rng.uniform(0.05, 0.95) * (w - (right - left)))
    y = int(rng.uniform(0.1, 0.8) * (h - (bottom - top)))
    pad = int(h * 0.03)
    draw.rectangle((x + left - pad, y + top - pad, x + right + pad, y + bottom + pad), fill=(238, 232, 215))
    draw.text((x, y), word, fill=(25, 20, 20), font=font)
    return image, ((x + left) / w, (y + top) / h, (x + right) / w, (y + bottom) / h)
