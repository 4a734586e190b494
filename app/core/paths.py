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

from app.core.errors import UntrustedDataError, UserError

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

    @property
    def faces_file(self) -> Path:
        """The face descriptors' FAISS file (a vector space of its own, whatever the CLIP model)."""
        return self.root / "faces.faiss"

    def thumbnail(self, content_hash: str) -> Path:
        """Where the thumbnail of this content lives. The hash comes from the catalog, which
        may be someone else's: anything but 64 hex digits is refused, so no catalog can make
        the app read or write outside the library (`../../x`)."""
        if not is_content_hash(content_hash):
            raise UntrustedDataError(f"the catalog holds a malformed content hash {content_hash[:80]!r}")
        return self.thumbnails / content_hash[:2] / f"{content_hash}.jpg"

    def frame_thumbnail(self, content_hash: str, seconds: float) -> Path:
        """Where the thumbnail of a video's frame at `seconds` lives (beside the video's own)."""
        return frame_thumbnail(self.thumbnail(content_hash), seconds)


def frame_thumbnail(thumbnail: Path, seconds: float) -> Path:
    """The thumbnail of a video's frame at `seconds`, given the video's own thumbnail."""
    return thumbnail.with_name(f"{thumbnail.stem}@{round(seconds * 1000)}.jpg")


_CONTENT_HASH = re.compile(r"[0-9a-f]{64}")


def is_content_hash(value: object) -> bool:
    """A SHA-256 in lower-case hex, as the indexer writes them."""
    return isinstance(value, str) and _CONTENT_HASH.fullmatch(value) is not None


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def display_path(path: str) -> str:
    """A path as one readable line: control characters (a newline in a name) and bytes that
    are not UTF-8 appear as escapes (\\n, \\xff), everything else as it is."""
    if not _UNPRINTABLE.search(path):
        return path

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if 0xDC80 <= code <= 0xDCFF:
            return f"\\x{code - 0xDC00:02x}"
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(match.group()) or (
            f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        )

    return _UNPRINTABLE.sub(escape, path)


def is_under(path: str, root: str) -> bool:
    """Whether `path` is `root` or inside it (by the path's text; nothing is resolved)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def absolute_path(path: Path | str) -> str:
    """A path the person named, absolute (`~` expanded, nothing resolved); an empty one is
    refused with a clear message."""
    if not str(path).strip():
        raise UserError("an empty path was given; name a folder or a photo")
    return os.path.abspath(Path(path).expanduser())
