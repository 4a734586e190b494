"""Opening a photo or its folder in the desktop's own apps, whatever bytes its path holds."""

from __future__ import annotations

import os
from urllib.parse import quote_from_bytes

from PySide6.QtCore import QUrl


def local_file_url(path: str) -> QUrl:
    """A file URL for any path, bytes that are not UTF-8 included (percent-encoded as bytes)."""
    return QUrl.fromEncoded(b"file://" + quote_from_bytes(os.fsencode(path)).encode("ascii"))
