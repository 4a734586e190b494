"""Bring the FAISS file in line with the catalog (invariant 2 of DESIGN.md).

The catalog commits every vector with its region, so it is the truth: vectors the index lacks
are added from the catalog's blobs and ids the catalog no longer has are removed.

Comparing the ids reads a million of them from each side. Once they were found to agree, the
catalog remembers it (`record_agreement`): that file, as the file system describes it, with the
catalog's change stamp of its vectors. While neither has changed since, they still agree
(`agreed`), and nothing is read. Any write to the vectors in the catalog draws a new stamp in
the same transaction, and any write to the file changes its identity, so a kill between the
two is always seen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from app.catalog import faces, lookups, meta
from app.catalog.change_stamps import FACES, VECTORS, stamps
from app.vectors import file_stamp
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
    stamp: str  # the change stamp of these ids (`app.catalog.change_stamps`)


CLIP_VECTORS = VectorSource(lookups.vector_region_ids, lookups.region_vectors, VECTORS)
FACE_DESCRIPTORS = VectorSource(faces.face_region_ids, faces.face_descriptors, FACES)


def _agreement_key(store: VectorStore) -> str:
    return f"agreed:{store.path.name}"


def agreed(engine: Engine, store: VectorStore, source: VectorSource = CLIP_VECTORS) -> bool:
    """Whether `store` is the very file found to agree with the catalog, and neither has
    changed since (no id read)."""
    identity = store.file_identity
    if identity is None:
        return False
    try:
        record = json.loads(meta.get_meta(engine, _agreement_key(store)) or "null")
    except ValueError:
        return False
    return (
        isinstance(record, dict)
        and record.get("file") == identity
        and record.get("stamp") == stamps(engine, source.stamp)
        and file_stamp.settled(identity, record.get("written_ns"))
    )


def forget_agreement(engine: Engine, store: VectorStore) -> None:
    """The file is not to be taken to agree: the next command that opens it compares the ids
    (and fixes the file when it can write). Best effort."""
    with contextlib.suppress(OperationalError):
        meta.delete_meta(engine, _agreement_key(store))


def record_agreement(engine: Engine, store: VectorStore, made_from: str) -> None:
    """Remember that the file `store` holds agrees with the catalog as it was when its stamps
    read `made_from` (read before the ids were compared)."""
    identity = store.file_identity
    if identity is not None:
        record = {"file": identity, "stamp": made_from, "written_ns": time.time_ns()}
        with contextlib.suppress(OperationalError):  # full or busy: the ids are compared again next time
            meta.set_meta(engine, _agreement_key(store), json.dumps(record))


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


def consistent(
    engine: Engine, store: VectorStore, source: VectorSource = CLIP_VECTORS, trust_agreement: bool = True
) -> bool:
    """Every catalog vector is in the index exactly once and the index holds nothing else.
    `trust_agreement`: a file remembered to agree, neither side changed since, is taken to
    (`agreed`); `doctor` compares the ids whatever is remembered."""
    if trust_agreement and agreed(engine, store, source):
        return True
    catalog_ids = source.ids(engine)
    index_ids = store.ids()
    if len(catalog_ids) != len(index_ids):
        return False
    return bool(np.array_equal(np.sort(catalog_ids), np.sort(index_ids)))
