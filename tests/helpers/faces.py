"""Real photos of real people for the face tests: the `face_recognition` source distribution on
the package registry carries them (tests/test_images: three photos of one person, one of
another, two partial faces). Fetched once with pip and cached; never committed."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDIST = "face_recognition==1.3.0"
NAMES = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg", "obama_partial_face2.jpg")


def cache_dir() -> Path:
    return Path(os.environ.get("PHOTO_ORGANIZER_TEST_CACHE", Path.home() / ".cache" / "photo-organizer-tests"))


def face_photos() -> dict[str, Path]:
    """name -> path of each test photo, downloading the source distribution on first use."""
    folder = cache_dir() / "face_recognition_test_images"
    if not all((folder / name).is_file() for name in NAMES):
        with tempfile.TemporaryDirectory() as scratch:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    SDIST,
                    "-d",
                    scratch,
                ],
                check=True,
                timeout=600,
            )
            (archive,) = Path(scratch).glob("face_recognition-*.tar.gz")
            folder.mkdir(parents=True, exist_ok=True)
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    name = Path(member.name).name
                    if "/tests/test_images/" in member.name and name in NAMES:
                        extracted = tar.extractfile(member)
                        assert extracted is not None
                        (folder / name).write_bytes(extracted.read())
    return {name: folder / name for name in NAMES}


def people_folder(folder: Path) -> Path:
    """Five portraits of two people, a group photo of both, and three photos of nobody."""
    import shutil

    from PIL import Image

    from tests.helpers.images import photo, save_jpeg

    folder.mkdir(parents=True, exist_ok=True)
    sources = face_photos()
    for name in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg"):
        shutil.copy(sources[name], folder / name)
    left, right = (Image.open(sources[n]).convert("RGB") for n in ("obama2.jpg", "biden.jpg"))
    group = Image.new("RGB", (left.width + right.width + 40, max(left.height, right.height)), (200, 200, 200))
    group.paste(left, (0, 0))
    group.paste(right, (left.width + 40, 0))
    group.save(folder / "group.jpg", quality=92)
    for i in range(3):  # photos without anyone in them
        save_jpeg(folder / f"landscape{i}.jpg", photo(40 + i, (640, 480)))
    return folder
