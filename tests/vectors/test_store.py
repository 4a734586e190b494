"""The FAISS store and its reconciliation with the catalog."""

from __future__ import annotations

import numpy as np

from app.catalog import index_writes
from app.catalog.database import open_catalog
from app.catalog.records import ImageFacts, NewImage
from app.vectors.reconcile import consistent, reconcile
from app.vectors.store import VectorStore


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_add_search_remove_save_reload(tmp_path):
    store = VectorStore(tmp_path / "v.faiss", 8)
    vecs = _vectors(5)
    store.add(np.arange(10, 15), vecs)
    scores, ids = store.search(vecs[2], 1)
    assert ids[0][0] == 12 and abs(scores[0][0] - 1.0) < 1e-5
    assert store.remove([12]) == 1
    store.save()
    again = VectorStore(tmp_path / "v.faiss", 8)
    assert sorted(again.ids().tolist()) == [10, 11, 13, 14]
    assert not list(tmp_path.glob("*.tmp*")), "the atomic save leaves no temporary file"


def test_unreadable_or_wrong_dimension_file_is_rebuilt(tmp_path):
    (tmp_path / "v.faiss").write_bytes(b"garbage")
    assert VectorStore(tmp_path / "v.faiss", 8).ntotal == 0
    other = VectorStore(tmp_path / "w.faiss", 4)
    other.add(np.array([1]), _vectors(1, 4))
    other.save()
    assert VectorStore(tmp_path / "w.faiss", 8).ntotal == 0


def test_reconcile_adds_missing_and_removes_orphans(tmp_path):
    engine = open_catalog(tmp_path / "c.sqlite")
    vecs = _vectors(3)
    rows = [
        NewImage(ImageFacts(f"h{i}", 1, 1, 1, "JPEG", None, None), f"/p/{i}.jpg", 1, 1, None, vecs[i].tobytes())
        for i in range(3)
    ]
    written, _ = index_writes.add_embedded_images(engine, rows)
    store = VectorStore(tmp_path / "v.faiss", 8)
    store.add(np.array([written[0][0], 999]), vecs[[0, 1]])  # one right, one orphan, two missing
    assert not consistent(engine, store)
    report = reconcile(engine, store)
    assert (report.added, report.removed) == (2, 1)
    assert consistent(engine, store)
    assert VectorStore(tmp_path / "v.faiss", 8).ntotal == 3, "the fixed index was saved"
    _, ids = store.search(vecs[2], 1)
    assert ids[0][0] == written[2][0]


def test_whatever_faiss_raises_on_a_file_means_a_rebuild(tmp_path, monkeypatch):
    import faiss

    store = VectorStore(tmp_path / "v.faiss", 8, "c1")
    store.add(np.arange(3), _vectors(3))
    store.save()
    assert VectorStore(tmp_path / "v.faiss", 8, "c1").ntotal == 3, "its own catalog's file loads"

    def out_of_memory(path: str) -> None:
        raise MemoryError  # what a fuzzed size field makes FAISS raise

    monkeypatch.setattr(faiss, "read_index", out_of_memory)
    again = VectorStore(tmp_path / "v.faiss", 8, "c1")
    assert again.ntotal == 0 and again.rebuilt_because is not None and "MemoryError" in again.rebuilt_because


def test_a_vector_file_of_another_catalog_is_not_loaded(tmp_path):
    store = VectorStore(tmp_path / "v.faiss", 8, "c1")
    store.add(np.arange(3), _vectors(3))
    store.save()
    other = VectorStore(tmp_path / "v.faiss", 8, "c2")
    assert other.ntotal == 0 and other.rebuilt_because == "belongs to another catalog"
