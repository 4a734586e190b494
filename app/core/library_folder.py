"""The library folder itself: made on first use, and whether this user may write it."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.errors import UserError

LIBRARY_PARTS = ("thumbnails", "analysis")  # besides the catalog: what only a library folder holds


def make_library_folder(root: Path, catalog: Path, create: bool) -> None:
    """The library folder, made when `create` and missing. A folder without a catalog is not a
    library (a photo folder, a typo) unless `create`; a catalog of 0 bytes beside what a library
    holds is a damaged library, never a new empty one."""
    try:
        if root.is_dir():
            _check_catalog(root, catalog, create)
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


def _check_catalog(root: Path, catalog: Path, create: bool) -> None:
    from app.core.errors import CatalogDamagedError

    try:
        size = catalog.stat().st_size
    except FileNotFoundError:
        if not create:
            raise UserError(
                f"no library at {root} (it holds no catalog.sqlite): check --library, or index a folder into it first"
            ) from None
        return
    if size == 0 and (not create or any((root / part).exists() for part in LIBRARY_PARTS)):
        raise CatalogDamagedError(
            f"the catalog {catalog} is empty (0 bytes): the library is damaged; "
            f"'photo-organizer doctor' says what can be recovered"
        )
