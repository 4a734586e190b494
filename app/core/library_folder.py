"""The library folder itself: made on first use, and whether this user may write it."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.errors import UserError


def make_library_folder(root: Path, create: bool) -> None:
    try:
        if root.is_dir():
            return
        if root.exists():
            raise UserError(f"library path {root} is not a folder")
        if not create:
            raise UserError(f"no library at {root} (index a folder first)")
        root.mkdir(parents=True)
    except OSError as exc:
        raise UserError(f"cannot create the library folder {root}: {exc.strerror or exc}") from None


def library_writable(root: Path, catalog: Path) -> bool:
    """Whether this user may write the library (a root user may, except on read-only media)."""
    if not os.access(root, os.W_OK | os.X_OK):
        return False
    return not catalog.exists() or os.access(catalog, os.W_OK)
