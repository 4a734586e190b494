"""The process that wrote a vector file checks it whole and compares its ids with the catalog
once the write has settled, so that the next command to open the library does neither (at a
million photos, half a second of the first `status` after an index run). Too soon after the
write it leaves both to that command: a change in the same clock tick would not show."""

from __future__ import annotations

import time
import zlib

import pytest

from app.catalog import meta
from app.catalog.database import open_catalog
from app.core.lock import WriterLock
from app.core.paths import LibraryPaths
from app.vectors import file_stamp
from app.vectors import library_vectors as library_vectors_module
from app.vectors import reconcile as reconciling
from app.vectors.library_vectors import DIM_KEY, LibraryVectors
from tests.vectors.test_agreement import _add

SETTLE_NS = 100_000_000


@pytest.fixture
def reads(monkeypatch):  # type: ignore[no-untyped-def]
    """What was read: "ids" for the catalog's ids compared, "bytes" for the file read whole."""
    monkeypatch.setattr(file_stamp, "SETTLE_NS", SETTLE_NS)
    done: list[str] = []
    source = reconciling.CLIP_VECTORS
    counted = reconciling.VectorSource(lambda e: done.append("ids") or source.ids(e), source.vectors, source.stamp)
    monkeypatch.setattr(reconciling, "CLIP_VECTORS", counted)
    monkeypatch.setattr(library_vectors_module, "CLIP_VECTORS", counted)
    real_crc32 = zlib.crc32

    def crc32(data: bytes, value: int = 0) -> int:
        if len(data) > 64:  # the file's bytes, not a stamp's
            done.append("bytes")
        return real_crc32(data, value)

    monkeypatch.setattr(zlib, "crc32", crc32)
    return done


def test_a_settled_write_is_checked_by_its_writer_and_the_next_open_reads_nothing(tmp_path, reads):
    paths = LibraryPaths(tmp_path)
    engine = open_catalog(paths.catalog)
    meta.set_meta(engine, DIM_KEY, "8")
    _add(engine, 0, 20)
    lock = WriterLock(paths.lock)
    writer = LibraryVectors(engine, paths, "tiny")
    writer.open_existing(lock)  # no file yet: filled from the catalog and written now
    assert writer.store is not None and writer.store.ntotal == 20
    reads.clear()

    writer.settle()
    assert reads == [], "written a moment ago: left to the next command"
    time.sleep(2 * SETTLE_NS / 1e9)
    writer.settle()
    assert sorted(set(reads)) == ["bytes", "ids"], "settled: read whole once, and the ids compared once"
    reads.clear()

    opened = LibraryVectors(engine, paths, "tiny")
    opened.open_existing(lock)
    assert opened.store is not None and opened.store.ntotal == 20
    assert reads == [], "the next open trusts both"


def test_a_file_changed_in_memory_since_its_write_is_not_vouched_for(tmp_path, reads):
    import numpy as np

    from tests.vectors.test_agreement import _vectors

    paths = LibraryPaths(tmp_path)
    engine = open_catalog(paths.catalog)
    meta.set_meta(engine, DIM_KEY, "8")
    _add(engine, 0, 5)
    writer = LibraryVectors(engine, paths, "tiny")
    writer.open_existing(WriterLock(paths.lock))
    assert writer.store is not None
    writer.store.add(np.array([999]), _vectors(1, seed=9))  # not saved: the file is not what memory holds
    time.sleep(2 * SETTLE_NS / 1e9)
    reads.clear()
    writer.settle()
    assert reads == [] and not reconciling.agreed(engine, writer.store)
