"""A vector file found to agree with the catalog is trusted, without reading a million ids from
each side, only while neither has changed since: any write to the catalog's vectors, any
write to the file, a kill between the two, or a change in memory has the ids compared again."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sqlalchemy import text

from app.catalog import index_writes, meta
from app.catalog.database import open_catalog
from app.catalog.records import ImageFacts, NewImage
from app.core.lock import WriterLock
from app.core.paths import LibraryPaths
from app.vectors import file_stamp
from app.vectors import reconcile as reconciling
from app.vectors.library_vectors import DIM_KEY, LibraryVectors


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _add(engine, first: int, count: int) -> list[int]:
    vecs = _vectors(count, seed=first)
    rows = [
        NewImage(
            ImageFacts(f"h{first + i}", 1, 1, 1, "JPEG", None, None), f"/p/{first + i}.jpg", 1, 1, None, v.tobytes()
        )
        for i, v in enumerate(vecs)
    ]
    written, _ = index_writes.add_embedded_images(engine, rows)
    return [region_id for region_id, *_rest in written]


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A catalog with 20 vectors and its vector file, found to agree once; ids read are counted."""
    # as if each open came a while after the last write
    monkeypatch.setattr(file_stamp, "settle_ns", lambda identity: 0)
    paths = LibraryPaths(tmp_path)
    engine = open_catalog(paths.catalog)
    meta.set_meta(engine, DIM_KEY, "8")
    _add(engine, 0, 20)
    reads: list[str] = []
    source = reconciling.CLIP_VECTORS
    counted = reconciling.VectorSource(lambda e: reads.append("ids") or source.ids(e), source.vectors, source.stamp)
    monkeypatch.setattr(reconciling, "CLIP_VECTORS", counted)
    import app.vectors.library_vectors as library_vectors

    monkeypatch.setattr(library_vectors, "CLIP_VECTORS", counted)
    lock = WriterLock(paths.lock)

    def open_vectors() -> LibraryVectors:
        time.sleep(0.01)  # a clock tick between a write and the next look at it
        vectors = LibraryVectors(engine, paths, "tiny")
        vectors.open_existing(lock)
        return vectors

    first = open_vectors()
    assert first.store is not None and first.store.ntotal == 20 and reads == ["ids"]
    reads.clear()
    return engine, open_vectors, reads


def test_an_unchanged_library_opens_without_reading_an_id(library):
    engine, open_vectors, reads = library
    vectors = open_vectors()
    assert reads == [] and vectors.store is not None and vectors.store.ntotal == 20
    assert reconciling.consistent(engine, vectors.store, reconciling.CLIP_VECTORS) and reads == []


def test_vectors_added_to_the_catalog_alone_are_found_and_added(library):
    """A kill after the catalog's commit, before the file was saved."""
    engine, open_vectors, reads = library
    added = _add(engine, 100, 3)
    vectors = open_vectors()
    assert reads == ["ids"] and vectors.store is not None
    assert set(added) <= set(vectors.store.ids().tolist()) and vectors.store.ntotal == 23
    reads.clear()
    assert open_vectors().store.ntotal == 23 and reads == [], "found to agree again"


def test_a_file_written_behind_the_catalogs_back_is_compared_again(library):
    """A kill after the file was saved, before the catalog's commit (or any other writer)."""
    engine, open_vectors, reads = library
    vectors = open_vectors()
    store = vectors.store
    assert store is not None
    store.add(np.array([999]), _vectors(1, seed=9))
    assert store.file_identity is None, "changed in memory: not the file any more"
    store.save()
    reads.clear()
    again = open_vectors()
    assert reads == ["ids"] and again.store is not None and 999 not in again.store.ids().tolist()


def test_a_change_to_anything_but_vectors_keeps_the_agreement_and_a_vector_dropped_ends_it(library):
    engine, open_vectors, reads = library
    with engine.begin() as conn:
        conn.execute(text("UPDATE images SET camera = 'X'"))  # not a vector: the file still agrees
    open_vectors()
    assert reads == []
    with engine.begin() as conn:
        conn.execute(text("UPDATE regions SET vector = NULL WHERE id = (SELECT MIN(id) FROM regions)"))
    vectors = open_vectors()
    assert reads == ["ids"] and vectors.store is not None and vectors.store.ntotal == 19


def _catalog_ids(engine) -> list[int]:
    from app.catalog import lookups

    return sorted(lookups.vector_region_ids(engine).tolist())


def test_an_agreed_file_is_read_only_when_its_vectors_are_needed(library, monkeypatch):
    import faiss

    engine, open_vectors, reads = library
    opened: list[int] = []
    real = faiss.read_index
    monkeypatch.setattr(faiss, "read_index", lambda path, flags=0: opened.append(flags) or real(path, flags))
    vectors = open_vectors()
    store = vectors.store
    assert store is not None and opened == [], "opening a library that agrees reads no vector"
    assert (store.ntotal, store.kind, store.nlist) == (20, "flat", 0)
    assert opened == [], "what status says comes from the file's header"
    query = _vectors(1, seed=0)
    _scores, ids = store.search(query, 1)
    assert opened == [0] and int(ids[0][0]) in _catalog_ids(engine), "a search reads it whole, once"
    store.search(query, 1)
    assert len(opened) == 1 and reads == []


def test_a_file_replaced_after_opening_is_checked_and_the_store_filled_from_the_catalog(library):
    from app.vectors.store import VectorStore

    engine, open_vectors, reads = library
    vectors = open_vectors()
    store = vectors.store
    assert store is not None
    time.sleep(0.01)
    other = VectorStore(store.path, 8, store.catalog_id)  # another process writes 5 stray vectors
    other.add(np.arange(5000, 5005), _vectors(5, seed=3))
    other.save()
    assert sorted(store.ids().tolist()) == _catalog_ids(engine), "the stray file was not trusted"
    assert reads == ["ids"]


def test_a_file_unreadable_when_read_at_last_is_rebuilt_from_the_catalog(library, monkeypatch):
    import faiss

    engine, open_vectors, _reads = library
    vectors = open_vectors()
    store = vectors.store
    assert store is not None

    def out_of_memory(path: str, flags: int = 0) -> None:
        raise MemoryError

    monkeypatch.setattr(faiss, "read_index", out_of_memory)
    assert sorted(store.ids().tolist()) == _catalog_ids(engine)
    assert store.rebuilt_because is not None and "MemoryError" in store.rebuilt_because
