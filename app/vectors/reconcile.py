"""Bring the FAISS file in line with the catalog (invariant 2 of DESIGN.md).

The catalog commits every vector with its region, so it is the truth: vectors the index lacks
are added from the catalog's blobs and ids the catalog no longer has are removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from app.catalog import faces, lookups
from app.vectors.store import VectorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReconcileReport:
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class VectorSource:
    """Where a vector space's truth lives in the catalog: the ids that must be in its FAISS
    file, and their vectors."""

    ids: Callable[[Engine], np.ndarray]
    vectors: Callable[[Engine, Sequence[int], int], np.ndarray]


CLIP_VECTORS = VectorSource(lookups.vector_region_ids, lookups.region_vectors)
FACE_DESCRIPTORS = VectorSource(faces.face_region_ids, faces.face_descriptors)


def _absent(ids: np.ndarray, sorted_others: np.ndarray) -> np.ndarray:
    """Those of `ids` not in `sorted_others` (sorted), by binary search: at a million ids a
    tenth of what hashing them takes (np.unique and np.setdiff1d did, 2 s on every open)."""
    at = np.searchsorted(sorted_others, ids)
    found = np.zeros(len(ids), dtype=bool)
    inside = at < len(sorted_others)
    found[inside] = sorted_others[at[inside]] == ids[inside]
    return ids[~found]


def _repeated(sorted_ids: np.ndarray) -> np.ndarray:
    """The ids that appear more than once in `sorted_ids`."""
    return np.unique(sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]])


def difference(
    engine: Engine, store: VectorStore, source: VectorSource = CLIP_VECTORS
) -> tuple[np.ndarray, np.ndarray]:
    """(ids the index lacks, ids the index has but the catalog does not)."""
    catalog_ids = np.sort(np.asarray(source.ids(engine), dtype=np.int64))
    index_ids = np.sort(np.asarray(store.ids(), dtype=np.int64))
    if np.array_equal(catalog_ids, index_ids):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return _absent(catalog_ids, index_ids), np.unique(_absent(index_ids, catalog_ids))


def reconcile(
    engine: Engine, store: VectorStore, save: bool = True, source: VectorSource = CLIP_VECTORS
) -> ReconcileReport:
    """Fix the index in memory, and on disk too when `save` (the caller holds the writer lock)."""
    missing, orphaned = difference(engine, store, source)
    if not len(missing) and not len(orphaned):
        return ReconcileReport(0, 0)  # the same ids, each once (the catalog's are unique)
    if len(orphaned):
        store.remove(orphaned)
    if len(missing):
        store.add(missing, source.vectors(engine, missing.tolist(), store.dim))
    # Duplicated ids (possible only in a hand-edited file) would break "exactly one vector".
    dup = _repeated(np.sort(store.ids()))
    if len(dup):
        store.remove(dup)
        store.add(dup, source.vectors(engine, dup.tolist(), store.dim))
    report = ReconcileReport(added=len(missing), removed=len(orphaned))
    if report.changed and save:
        log.info("reconciled vectors: +%d -%d", report.added, report.removed)
        store.save()
    return report


def consistent(engine: Engine, store: VectorStore, source: VectorSource = CLIP_VECTORS) -> bool:
    """Every catalog vector is in the index exactly once and the index holds nothing else."""
    catalog_ids = source.ids(engine)
    index_ids = store.ids()
    if len(catalog_ids) != len(index_ids):
        return False
    return bool(np.array_equal(np.sort(catalog_ids), np.sort(index_ids)))
