"""The FAISS store and its reconciliation with the catalog."""

from __future__ import annotations

import time

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

    def out_of_memory(path: str, flags: int = 0) -> None:
        raise MemoryError  # what a fuzzed size field makes FAISS raise

    monkeypatch.setattr(faiss, "read_index", out_of_memory)
    again = VectorStore(tmp_path / "v.faiss", 8, "c1")
    assert again.ids().tolist() == [], "read when its vectors are needed (its header gives the count)"
    assert again.ntotal == 0 and again.rebuilt_because is not None and "MemoryError" in again.rebuilt_because


def test_a_vector_file_of_another_catalog_is_not_loaded(tmp_path):
    store = VectorStore(tmp_path / "v.faiss", 8, "c1")
    store.add(np.arange(3), _vectors(3))
    store.save()
    other = VectorStore(tmp_path / "v.faiss", 8, "c2")
    assert other.ntotal == 0 and other.rebuilt_because == "belongs to another catalog"


def test_a_file_found_sound_is_not_read_whole_again_until_it_changes(tmp_path, monkeypatch):
    """The CRC-32 of the whole file is checked once; a stamp then vouches for the file while
    its stat is the same, and any write to it (its change time moves, whatever its
    modification time says) has it checked whole again."""
    import os
    import time
    import zlib

    from app.vectors import file_stamp

    # A tick as long as a coarse file system's, so that a stalled machine cannot make the stamp
    # written right after the file look settled.
    monkeypatch.setattr(file_stamp, "settle_ns", lambda identity: file_stamp.SETTLE_NS)
    path = tmp_path / "v.faiss"
    store = VectorStore(path, 8, "c1")
    store.add(np.arange(50), _vectors(50))
    store.save()
    reads = []
    real_crc32 = zlib.crc32
    monkeypatch.setattr(zlib, "crc32", lambda data, value=0: reads.append(len(data)) or real_crc32(data, value))

    assert VectorStore(path, 8, "c1").ntotal == 50
    assert reads, "a stamp written in the same moment as the file is not trusted yet: read whole"
    monkeypatch.setattr(file_stamp, "settle_ns", lambda identity: 0)  # as if opened a while later
    VectorStore(path, 8, "c1")  # stamps it, now settled
    reads.clear()
    assert VectorStore(path, 8, "c1").ntotal == 50
    assert reads == [], "unchanged since found sound: not read whole"

    time.sleep(0.05)
    before = path.stat()
    with open(path, "r+b") as fh:  # random bytes among the vectors, same size and mtime
        fh.seek(before.st_size // 2)
        fh.write(np.random.default_rng(1).bytes(64))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    damaged = VectorStore(path, 8, "c1")
    assert damaged.ntotal == 0 and damaged.rebuilt_because == "is damaged (checksum mismatch)"


def test_a_large_library_keeps_its_vectors_in_eight_bits_where_recall_holds(monkeypatch):
    import faiss

    from app.vectors import ivf

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(60, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 60, 10_000)] + rng.normal(scale=0.35, size=(10_000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(10_000, dtype=np.int64) + 100
    built = ivf.build_ivf(ids, vectors)
    index = faiss.downcast_index(built.index)
    assert isinstance(index, faiss.IndexIVFScalarQuantizer) and index.sq.qtype == faiss.ScalarQuantizer.QT_8bit
    assert built.recall_at_10 >= ivf.RECALL_TARGET
    assert index.code_size == 64, "a byte a dimension, a quarter of float32"
    assert np.abs(index.reconstruct(100 + 7) - vectors[7]).max() < 0.02
    _scores, found = index.search(vectors[42:43], 1)
    assert found[0][0] == 142

    monkeypatch.setattr(ivf, "RECALL_TARGET", 1.01)  # out of 8 bits' reach: float16 instead
    fallback = faiss.downcast_index(ivf.build_ivf(ids, vectors).index)
    assert fallback.sq.qtype == faiss.ScalarQuantizer.QT_fp16


def test_a_read_only_view_searches_as_the_file_read_whole_and_is_read_whole_before_a_change(tmp_path):
    """A search-only process maps the file; adding or removing vectors reads it whole first
    (FAISS aborts the process on a write to a mapped index), flat and IVF alike."""
    from app.vectors.ivf import build_ivf

    vecs = _vectors(3000, 16, seed=4)
    for kind in ("flat", "ivf"):
        path = tmp_path / f"{kind}.faiss"
        store = VectorStore(path, 16, "c1")
        store.add(np.arange(1, 3001), vecs)
        if kind == "ivf":
            assert store.swap_in(build_ivf(np.arange(1, 3001), vecs).index, 3000)
        store.save()
        whole, viewed = VectorStore(path, 16, "c1"), VectorStore(path, 16, "c1")
        viewed.load(view=True)
        assert viewed._viewed and viewed.kind == kind
        for queries, allowed in ((vecs[:4], None), (vecs[:4], np.arange(1, 3001, 3)), (vecs[7], None)):
            found, expected = viewed.search(queries, 10, allowed), whole.search(queries, 10, allowed)
            assert np.array_equal(found[1], expected[1]) and np.allclose(found[0], expected[0])
        assert np.allclose(viewed.reconstruct(7), whole.reconstruct(7))
        assert viewed.remove([5, 6]) == 2 and not viewed._viewed, "read whole, then changed"
        viewed.add(np.array([9001]), _vectors(1, 16, seed=9))
        viewed.save()
        again = VectorStore(path, 16, "c1")
        assert again.ntotal == 2999 and 9001 in again.ids() and 5 not in again.ids()


def test_a_file_replaced_since_it_was_checked_is_read_whole_not_viewed(tmp_path):
    store = VectorStore(tmp_path / "v.faiss", 8, "c1")
    store.add(np.arange(3), _vectors(3))
    store.save()
    opened = VectorStore(tmp_path / "v.faiss", 8, "c1")
    time.sleep(0.01)
    store.add(np.array([7]), _vectors(1, seed=2))
    store.save()  # another process saves after this one opened
    opened.load(view=True)
    assert not opened._viewed and sorted(opened.ids().tolist()) == [0, 1, 2, 7]
