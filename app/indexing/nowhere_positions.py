"""Positions the place data names nothing for (the open sea, a desert, a flight: farther than
`geocoding.MAX_KM` from every listed place), remembered with the position and the data's
version, so that an index run does not look them up again every time. They get no place row,
so without this each run asked for them all again: at a million photos, 256,000 of them cost
2.7 s of every run, the place data loaded and their empty places written. A photo whose position
changed, or newer place data, is looked up again. The file is a cache in the library's
`analysis` folder: without it (deleted, unreadable, another version) each is looked up once more.
"""

from __future__ import annotations

import contextlib
import logging
import os

import numpy as np

from app.core.paths import LibraryPaths

log = logging.getLogger(__name__)

FILE = "nowhere-positions.npz"


class NowherePositions:
    """The remembered positions of one place data version."""

    def __init__(self, paths: LibraryPaths, version: str) -> None:
        self._path = paths.root / "analysis" / FILE
        self._version = version
        self._ids, self._latitudes, self._longitudes = np.empty(0, np.int64), np.empty(0), np.empty(0)
        try:
            with np.load(self._path, allow_pickle=False) as stored:
                if str(stored["version"]) == version:
                    self._ids = stored["ids"].astype(np.int64)
                    self._latitudes = stored["latitudes"].astype(np.float64)
                    self._longitudes = stored["longitudes"].astype(np.float64)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("cannot read %s: %s", self._path, exc)

    def known(self, ids: np.ndarray, latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
        """Which of these photos are remembered as nowhere at the very position they have now."""
        if not len(self._ids):
            return np.zeros(len(ids), dtype=bool)
        order = np.argsort(self._ids, kind="stable")
        at = order[np.minimum(np.searchsorted(self._ids, ids, sorter=order), len(order) - 1)]
        return (self._ids[at] == ids) & (self._latitudes[at] == latitudes) & (self._longitudes[at] == longitudes)

    def keep(self, ids: np.ndarray, latitudes: np.ndarray, longitudes: np.ndarray) -> None:
        """Remember exactly these (the photos named nothing, as they are now). Best effort."""
        now = (ids, latitudes, longitudes)
        if all(np.array_equal(a, b) for a, b in zip(now, (self._ids, self._latitudes, self._longitudes), strict=True)):
            return
        tmp = self._path.with_name(f"{FILE}.{os.getpid()}.tmp.npz")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            arrays = {"ids": ids, "latitudes": latitudes, "longitudes": longitudes}
            np.savez(tmp, allow_pickle=False, version=np.array(self._version), **arrays)
            os.replace(tmp, self._path)
        except OSError as exc:
            log.warning("cannot keep %s: %s", self._path, exc.strerror or exc)
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._ids, self._latitudes, self._longitudes = ids, latitudes, longitudes
