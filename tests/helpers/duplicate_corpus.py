"""A corpus of real photos with known duplicate answers.

The photos are real ones that ship with packages the app already installs (scikit-image's
sample data, scikit-learn's sample images). From them: exact copies (the same bytes in another
folder), the same photo in another file (re-encoded at several qualities, resized to 50%,
converted to PNG, EXIF stripped, cropped by 5%, rotated 90 degrees with the EXIF tag that turns
it upright again), bursts (shots of one moment: small shifts and exposure changes, 0.2-1 s
apart, same camera) and hard negatives (two views of one scene, a cat and a similar texture,
unrelated photos that look alike), and a burst whose camera data was stripped (numbered names).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

SKIMAGE = (
    "astronaut.png",
    "camera.png",
    "chelsea.png",
    "coffee.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "motorcycle_right.png",
)
SKIMAGE_TEXTURES = ("grass.png", "gravel.png", "brick.png")
SKLEARN = ("china.jpg", "flower.jpg")
CAMERA = ("Canon", "Canon EOS 80D")


def real_photo(name: str) -> Image.Image:
    """A real sample photo, as RGB."""
    import skimage
    import sklearn

    for package, names in ((skimage, SKIMAGE + SKIMAGE_TEXTURES), (sklearn, SKLEARN)):
        if name in names:
            folder = Path(package.__file__).parent / ("data" if package is skimage else "datasets/images")
            return Image.open(folder / name).convert("RGB")
    raise KeyError(name)


def exif_bytes(when: str, subsec: str | None = None, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[271], exif[272] = CAMERA
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[36867] = when
    if subsec is not None:
        sub[0x9291] = subsec
    return exif.tobytes()


@dataclass
class Corpus:
    """The files, and the answer: groups of paths per tier (each a set), and pairs that must
    never be grouped as the same photo."""

    root: Path
    exact: list[set[str]] = field(default_factory=list)
    same: list[set[str]] = field(default_factory=list)
    burst: list[set[str]] = field(default_factory=list)
    never_same: list[tuple[str, str]] = field(default_factory=list)
    originals: dict[str, str] = field(default_factory=dict)  # group's original (the keeper to expect)


def _save(path: Path, image: Image.Image, **kw: object) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kw)
    return str(path)


def _jpeg_bytes(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def build_corpus(root: Path) -> Corpus:
    corpus = Corpus(root)
    day = "2024:05:1{}"
    # Tier 2: each original with several other files of the same photo (tier 1: one exact copy).
    variants = {
        "astronaut.png": ("q70", "half", "png", "rotated"),
        "chelsea.png": ("q40", "crop", "stripped"),
        "china.jpg": ("q70", "half", "crop"),
        "flower.jpg": ("png", "stripped", "rotated"),
        "motorcycle_left.png": ("q40", "half"),
    }
    for n, (name, kinds) in enumerate(variants.items()):
        image = real_photo(name)
        when = f"{day.format(n)} 10:00:00"
        stem = Path(name).stem
        original = _save(root / "camera" / f"{stem}.jpg", image, quality=95, exif=exif_bytes(when, "00"))
        group = {original}
        corpus.originals[original] = original
        for kind in kinds:
            target = root / "copies" / f"{stem}-{kind}"
            if kind in ("q70", "q40"):
                group.add(_save(target.with_suffix(".jpg"), image, quality=int(kind[1:]), exif=exif_bytes(when, "00")))
            elif kind == "half":
                half = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
                group.add(_save(target.with_suffix(".jpg"), half, quality=85, exif=exif_bytes(when, "00")))
            elif kind == "png":
                group.add(_save(target.with_suffix(".png"), _jpeg_bytes(image, 95)))
            elif kind == "stripped":
                group.add(_save(target.with_suffix(".jpg"), image, quality=88))
            elif kind == "crop":
                w, h = image.size
                cropped = image.crop((int(w * 0.05), int(h * 0.05), w, h))  # 5% off the top and left
                group.add(_save(target.with_suffix(".jpg"), cropped, quality=90, exif=exif_bytes(when, "00")))
            elif kind == "rotated":
                # Stored turned by 90 degrees with the tag (6) that turns it upright again.
                stored = image.transpose(Image.Transpose.ROTATE_90)
                group.add(
                    _save(target.with_suffix(".jpg"), stored, quality=92, exif=exif_bytes(when, "00", orientation=6))
                )
        corpus.same.append(group)
    first = sorted(corpus.same[0])[0]
    copy = root / "backup" / Path(first).name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(Path(first).read_bytes())
    corpus.exact.append({first, str(copy)})

    # Tier 3: bursts of one moment, made from photos that are not in the library otherwise.
    rng = np.random.default_rng(7)
    for n, name in enumerate(("coffee.png", "rocket.jpg")):
        image = real_photo(name)
        w, h = image.size
        shots = set()
        for i, (seconds, subsec) in enumerate(((0, "10"), (0, "45"), (1, "20"), (1, "85"))):
            dx, dy = rng.uniform(0.01, 0.03, 2) * (w, h)
            frame = image.crop((int(dx), int(dy), int(dx + w * 0.95), int(dy + h * 0.95)))
            exposure = np.clip(np.asarray(frame, np.float32) * rng.uniform(0.85, 1.15), 0, 255).astype(np.uint8)
            when = f"2024:06:0{n + 1} 15:30:{12 + seconds:02d}"
            shots.add(
                _save(
                    root / "burst" / f"IMG_{4000 + 10 * n + i}.jpg",
                    Image.fromarray(exposure),
                    quality=92,
                    exif=exif_bytes(when, subsec),
                )
            )
        corpus.burst.append(shots)

    # A burst without capture times (its camera data stripped): told by the numbered names.
    image = real_photo("camera.png")
    w, h = image.size
    shots = set()
    for i in range(3):
        dx, dy = rng.uniform(0.01, 0.03, 2) * (w, h)
        frame = image.crop((int(dx), int(dy), int(dx + w * 0.95), int(dy + h * 0.95)))
        shots.add(_save(root / "burst" / f"DSC0{5000 + i}.jpg", frame, quality=90))
    corpus.burst.append(shots)

    # Hard negatives: another view of a scene in the library, textures alike, a look-alike cat.
    right = _save(
        root / "other" / "motorcycle_right.jpg",
        real_photo("motorcycle_right.png"),
        quality=95,
        exif=exif_bytes("2024:07:01 09:00:00", "00"),
    )
    left = next(p for p in corpus.originals if "motorcycle_left" in p)
    corpus.never_same.append((left, right))
    textures = [_save(root / "other" / f"{Path(t).stem}.jpg", real_photo(t), quality=90) for t in SKIMAGE_TEXTURES]
    corpus.never_same += [(a, b) for i, a in enumerate(textures) for b in textures[i + 1 :]]
    return corpus
