"""At the end of an indexing run: the sidecars beside the library's photos that another app
changed (or put there) since this library last read them are read again (`take_changed`). One
listing per folder finds them; only changed sidecars are opened, never the photos."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from app.catalog.sidecar_reading import seen_under, take_changed
from app.catalog.xmp_faces import apply_xmp_faces
from app.core.xmp_read import read_file_xmp


def read_changed_sidecars(engine: Engine, roots: Sequence[Path | str]) -> int:
    """How many photos' sidecars were read again."""
    seen = seen_under(engine, [str(r) for r in roots])
    by_folder: dict[str, list[str]] = {}
    for path in seen:
        by_folder.setdefault(os.path.dirname(path), []).append(path)
    read = 0
    for folder, paths in by_folder.items():
        try:
            with os.scandir(folder) as entries:
                sidecars = {e.name.lower(): e.stat().st_mtime_ns for e in entries if e.name.lower().endswith(".xmp")}
        except OSError:
            continue  # a folder gone or unreadable: the indexing run said so already
        if not sidecars:
            continue
        for path in paths:
            name = os.path.basename(path)
            stamps = [sidecars.get(f"{name}.xmp".lower()), sidecars.get(f"{os.path.splitext(name)[0]}.xmp".lower())]
            newest = max((s for s in stamps if s is not None), default=None)
            content_hash, seen_ns = seen[path]
            if newest is None or newest == seen_ns:
                continue
            take_changed(engine, path, content_hash, read_file_xmp(path, b""), newest)
            read += 1
    if read:
        apply_xmp_faces(engine)
    return read
