"""A FAISS index of L2-normalised float32 vectors keyed by region id, saved atomically.

The file on disk is replaced with a temporary file and a rename, so a kill leaves either the
old or the new index, never half of one. The catalog holds every vector too; `reconcile`
brings a stale file back in line with it on open.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class VectorStore:
    """Vectors by id with inner-product search; thread-safe for one writer and many readers."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._lock = threading.RLock()
        self._index = self._load_or_create()
        self._dirty = False

    def _new_index(self) -> faiss.IndexIDMap2:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _load_or_create(self) -> faiss.Index:
        if not self.path.exists():
            return self._new_index()
        try:
            index = faiss.read_index(str(self.path))
        except RuntimeError as exc:
            log.warning("vector file %s unreadable (%s); rebuilding from the catalog", self.path, exc)
            return self._new_index()
        if index.d != self.dim:
            log.warning("vector file %s has dimension %d, expected %d; rebuilding", self.path, index.d, self.dim)
            return self._new_index()
        return index

    @property
    def ntotal(self) -> int:
        with self._lock:
            return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        with self._lock:
            if self._index.ntotal == 0:
                return np.empty(0, dtype=np.int64)
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        with self._lock:
            self._index.add_with_ids(normalise(vectors), np.asarray(ids, dtype=np.int64))
            self._dirty = True

    def remove(self, ids: np.ndarray | list[int]) -> int:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return 0
        with self._lock:
            removed = int(self._index.remove_ids(faiss.IDSelectorBatch(ids)))
            self._dirty = self._dirty or removed > 0
            return removed

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; missing hits have id -1."""
        with self._lock:
            k = max(1, min(k, max(1, int(self._index.ntotal))))
            return self._index.search(normalise(np.atleast_2d(queries)), k)

    def reconstruct(self, region_id: int) -> np.ndarray:
        with self._lock:
            return self._index.reconstruct(int(region_id))

    def save(self) -> None:
        """Write the index atomically (temp file, fsync, rename) if it changed."""
        with self._lock:
            if not self._dirty and self.path.exists():
                return
            tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
            faiss.write_index(self._index, str(tmp))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
            self._dirty = False


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
