"""Where a library keeps its files.

A library is one folder: the SQLite catalog, the FAISS vector files (one per model), the
thumbnail cache and a lock file. Nothing is ever written outside it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

LIBRARY_ENV = "PHOTO_ORGANIZER_LIBRARY"


def default_library_dir() -> Path:
    env = os.environ.get(LIBRARY_ENV)
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("photo-organizer", appauthor=False)) / "library"


@dataclass(frozen=True)
class LibraryPaths:
    """The files inside one library folder."""

    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def lock(self) -> Path:
        return self.root / "writer.lock"

    @property
    def thumbnails(self) -> Path:
        return self.root / "thumbnails"

    def vectors_file(self, model_key: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_key).strip("_")[:120]
        return self.root / f"vectors-{safe}.faiss"

    def thumbnail(self, content_hash: str) -> Path:
        return self.thumbnails / content_hash[:2] / f"{content_hash}.jpg"
