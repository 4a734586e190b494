"""The vector file of a library's current model: opened and reconciled with the catalog,
created when the first vectors arrive (the catalog then records the model and its width), and
replaced when a model switch completes."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine

from app.catalog import meta
from app.catalog.change_stamps import stamps
from app.catalog.database import CATALOG_ID_KEY
from app.catalog.faces import any_faces
from app.core.errors import LibraryStorageError
from app.core.lock import WriterLock
from app.core.paths import LibraryPaths
from app.vectors import file_stamp
from app.vectors import reconcile as reconciling
from app.vectors.reconcile import CLIP_VECTORS, FACE_DESCRIPTORS
from app.vectors.store import VectorStore

log = logging.getLogger(__name__)

DESCRIPTOR_DIM = 128  # dlib's face descriptor (app.ml.faces; not imported here: it needs dlib)

MODEL_KEY = "model"
DIM_KEY = "dim"
PENDING_KEY = "pending_model"


class LibraryVectors:
    """Holds the open `VectorStore` (None until a library has vectors) for `model_key`, and
    the face descriptors' store (None until faces are found): two spaces, never mixed."""

    def __init__(self, engine: Engine, paths: LibraryPaths, model_key: str) -> None:
        self._engine = engine
        self._paths = paths
        self.model_key = model_key
        self.store: VectorStore | None = None
        self.faces: VectorStore | None = None

    def _new_store(self, key: str, dim: int) -> VectorStore:
        # A file left from another catalog (this one emptied or recreated) carries that
        # catalog's id and is not loaded (app.vectors.store).
        return self._refilled(VectorStore(self._paths.vectors_file(key), dim, self._catalog_id()), CLIP_VECTORS)

    def _catalog_id(self) -> str:
        return meta.get_meta(self._engine, CATALOG_ID_KEY) or ""

    def _refilled(self, store: VectorStore, source: reconciling.VectorSource) -> VectorStore:
        """`store`, filled from the catalog (in memory) should its file, read at last, not be the
        one found to agree on open."""
        store.refill = lambda found: reconciling.reconcile(self._engine, found, save=False, source=source)
        return store

    def open_existing(self, lock: WriterLock) -> None:
        """Load the files and reconcile them with the catalog; a fix is written to disk only
        when no other process is writing (else it lives in memory for this process)."""
        dim = meta.get_meta(self._engine, DIM_KEY)
        if dim is not None:
            self.store = self._new_store(self.model_key, int(dim))
        if self._paths.faces_file.exists() or any_faces(self._engine):
            self.faces = self._new_faces_store()
        stores = [(s, src) for s, src in ((self.store, CLIP_VECTORS), (self.faces, FACE_DESCRIPTORS)) if s is not None]
        if not stores:
            return
        if lock.try_acquire():
            try:
                for store, source in stores:
                    if reconciling.agreed(self._engine, store, source):
                        continue  # the file found to agree, and nothing changed since
                    made_from = stamps(self._engine, source.stamp)
                    reconciling.reconcile(self._engine, store, save=False, source=source)
                    store.save()
                    reconciling.record_agreement(self._engine, store, made_from)
            except LibraryStorageError as exc:
                # Full or unwritable: this command still works from memory; the file is fixed by
                # the next one that can write.
                log.warning("%s", exc)
            finally:
                lock.release()
        else:
            for store, source in stores:
                if not reconciling.agreed(self._engine, store, source):
                    reconciling.reconcile(self._engine, store, save=False, source=source)

    def settle(self) -> None:
        """After a run that wrote the files: each one whose last write has settled is checked
        whole and found to agree with the catalog here, by the process that wrote both, so the
        next command to open it does neither (at a million photos, half a second of the first
        `status` after a run). One written too recently to tell is left to that command."""
        for store, source in ((self.store, CLIP_VECTORS), (self.faces, FACE_DESCRIPTORS)):
            if store is None or not store.confirm_on_disk() or reconciling.agreed(self._engine, store, source):
                continue
            made_from = stamps(self._engine, source.stamp)
            missing, orphaned = reconciling.difference(self._engine, store, source)
            if not len(missing) and not len(orphaned):
                reconciling.record_agreement(self._engine, store, made_from)

    def _new_faces_store(self) -> VectorStore:
        return self._refilled(VectorStore(self._paths.faces_file, DESCRIPTOR_DIM, self._catalog_id()), FACE_DESCRIPTORS)

    def faces_store(self) -> VectorStore:
        """The face descriptors' store, created when the first faces are found."""
        if self.faces is None:
            self.faces = self._new_faces_store()
        return self.faces

    def reconcile_faces(self) -> None:
        """After faces went with their photos: the face file follows the catalog (under the lock)."""
        if self.faces is not None:
            reconciling.reconcile(self._engine, self.faces, save=True, source=FACE_DESCRIPTORS)

    def store_for(self, dim: int) -> VectorStore | None:
        """The store, created (and the model recorded) when the first `dim`-wide vectors come."""
        if self.store is None and dim > 0:
            meta.set_meta(self._engine, MODEL_KEY, self.model_key)
            meta.set_meta(self._engine, DIM_KEY, str(dim))
            self.store = self._new_store(self.model_key, dim)
        return self.store

    def switch_to(self, key: str, dim: int) -> None:
        """After a completed model switch: the new model's file, rebuilt from the catalog; the
        old model's file goes."""
        old_file: Path = self._paths.vectors_file(self.model_key)
        self.model_key = key
        self.store = self._new_store(key, dim)
        reconciling.reconcile(self._engine, self.store, save=True)
        self.store.save()
        if old_file != self._paths.vectors_file(key):
            old_file.unlink(missing_ok=True)
            file_stamp.forget(old_file)

    def fit_search_index(self, ivf_threshold: int) -> str:
        """Exact or IVF search by size (`app.vectors.index_policy`); a new IVF build is recorded
        in the catalog. Returns the kind in use."""
        from app.vectors.index_policy import fit_index

        if self.store is None:
            return "flat"
        change = fit_index(self.store, ivf_threshold)
        if change.built is not None:
            build = change.built
            meta.set_meta(
                self._engine,
                "ivf",
                f"nlist={build.nlist} nprobe={build.nprobe} recall@10={build.recall_at_10:.3f} trained_on={change.trained_on}",
            )
        return change.kind
