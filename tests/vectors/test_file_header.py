"""A vector file's count and IVF lists read from its header are FAISS's own, for every kind of
file the store writes (exact with ids, IVF of whole vectors, IVF in 8 bits and in float16,
empty); anything else is left to FAISS."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from app.vectors.file_header import vector_file_facts
from app.vectors.ivf import ENCODINGS, build_ivf, trained_ivf
from app.vectors.store import VectorStore


def _vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _faiss_facts(path) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    index = faiss.read_index(str(path))
    try:
        return int(index.ntotal), int(faiss.extract_index_ivf(index).nlist)
    except RuntimeError:
        return int(index.ntotal), 0


@pytest.mark.parametrize("encoding", [None, *(code for _name, code in ENCODINGS)])
def test_an_ivf_files_header_says_what_faiss_reads(tmp_path, encoding):
    vectors = _vectors(3000, 16)
    index = trained_ivf(vectors, 37, 4, np.random.default_rng(0), 0, encoding)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    index.add_with_ids(vectors, np.arange(5, 3005))
    faiss.write_index(index, str(tmp_path / "ivf.faiss"))
    assert vector_file_facts(tmp_path / "ivf.faiss", 16) == _faiss_facts(tmp_path / "ivf.faiss") == (3000, 37)
    assert vector_file_facts(tmp_path / "ivf.faiss", 32) is None, "another model's dimension"


def test_the_stores_own_files_flat_ivf_and_empty(tmp_path):
    store = VectorStore(tmp_path / "v.faiss", 16, "catalog")
    store.save()
    assert vector_file_facts(tmp_path / "v.faiss", 16) == _faiss_facts(tmp_path / "v.faiss") == (0, 0)
    vectors = _vectors(2500, 16, seed=1)
    store.add(np.arange(1, 2501), vectors)
    store.save()
    assert vector_file_facts(tmp_path / "v.faiss", 16) == _faiss_facts(tmp_path / "v.faiss") == (2500, 0)
    built = build_ivf(np.arange(1, 2501), vectors)
    assert store.swap_in(built.index, 2500)
    store.save()
    facts = vector_file_facts(tmp_path / "v.faiss", 16)
    assert facts == _faiss_facts(tmp_path / "v.faiss") and facts[1] == built.nlist > 0
    again = VectorStore(tmp_path / "v.faiss", 16, "catalog")
    assert (again.ntotal, again.nlist, again.kind) == (2500, built.nlist, "ivf")


def test_other_files_are_left_to_faiss(tmp_path):
    hnsw = faiss.IndexHNSWFlat(8, 4)
    hnsw.add(_vectors(10, 8))
    faiss.write_index(hnsw, str(tmp_path / "hnsw.faiss"))
    (tmp_path / "garbage.faiss").write_bytes(b"IxM2" + b"\x00" * 20)
    (tmp_path / "empty.faiss").write_bytes(b"")
    for name in ("hnsw.faiss", "garbage.faiss", "empty.faiss", "missing.faiss"):
        assert vector_file_facts(tmp_path / name, 8) is None, name
