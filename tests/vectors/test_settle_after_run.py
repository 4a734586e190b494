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
def reads(monkeypatch, counted_reads):  # type: ignore[no-untyped-def]
    """`counted_reads`, with every write settled `SETTLE_NS` after it, whatever the file system."""
    monkeypatch.setattr(file_stamp, "settle_ns", lambda identity: SETTLE_NS)
    return counted_reads


@pytest.fixture
def counted_reads(monkeypatch):  # type: ignore[no-untyped-def]
    """What was read: "ids" for the catalog's ids compared, "bytes" for the file read whole."""
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


def _written(tmp_path, count: int):  # type: ignore[no-untyped-def]
    """A catalog of `count` vectors and the vector file its writer filled from it and wrote just
    now: (engine, paths, lock, writer)."""
    paths = LibraryPaths(tmp_path)
    engine = open_catalog(paths.catalog)
    meta.set_meta(engine, DIM_KEY, "8")
    _add(engine, 0, count)
    lock = WriterLock(paths.lock)
    writer = LibraryVectors(engine, paths, "tiny")
    writer.open_existing(lock)  # no file yet: filled from the catalog and written now
    return engine, paths, lock, writer


def test_a_settled_write_is_checked_by_its_writer_and_the_next_open_reads_nothing(tmp_path, reads):
    engine, paths, lock, writer = _written(tmp_path, 20)
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

    engine, _paths, _lock, writer = _written(tmp_path, 5)
    assert writer.store is not None
    writer.store.add(np.array([999]), _vectors(1, seed=9))  # not saved: the file is not what memory holds
    time.sleep(2 * SETTLE_NS / 1e9)
    reads.clear()
    writer.settle()
    assert reads == [] and not reconciling.agreed(engine, writer.store)


def test_a_file_system_that_keeps_nanoseconds_settles_a_write_within_a_tenth_of_a_second(tmp_path, counted_reads):
    """The index run that saves a million photos' vectors in its last seconds checks them
    itself (the next `status` took 1.97 s instead of 0.93 s while every write waited 2 s)."""
    engine, paths, lock, writer = _written(tmp_path, 20)
    assert writer.store is not None and writer.store.file_identity is not None
    if file_stamp.settle_ns(writer.store.file_identity) != file_stamp.FINE_SETTLE_NS:
        pytest.skip(f"{tmp_path}'s file system keeps times coarser than a millisecond")
    time.sleep(1.5 * file_stamp.FINE_SETTLE_NS / 1e9)  # well within the 2 s a coarse one waits
    counted_reads.clear()
    writer.settle()
    assert sorted(set(counted_reads)) == ["bytes", "ids"], "settled: checked whole by the writer"
    counted_reads.clear()
    LibraryVectors(engine, paths, "tiny").open_existing(lock)
    assert counted_reads == [], "the next open trusts both"


@pytest.mark.parametrize(
    ("modified_ns", "changed_ns", "fine"),
    [
        (1_700_000_000_123_456_789, 1_700_000_000_123_456_789, True),  # ext4, tmpfs, btrfs, xfs
        (1_700_000_000_000_000_000, 1_700_000_000_000_000_100, True),  # one of them shows it
        (1_700_000_000_000_000_000, 1_700_000_001_000_000_000, False),  # whole seconds
        (1_700_000_000_000_000_000, 1_700_000_002_010_000_000, False),  # FAT's 2 s and 10 ms
    ],
)
def test_only_a_write_on_a_file_system_that_keeps_nanoseconds_settles_sooner(modified_ns, changed_ns, fine):
    identity = [100, modified_ns, changed_ns, 7, 8]
    wait = file_stamp.FINE_SETTLE_NS if fine else file_stamp.SETTLE_NS
    assert file_stamp.settle_ns(identity) == wait
    assert not file_stamp.settled(identity, changed_ns + wait)
    assert file_stamp.settled(identity, changed_ns + wait + 1)
    assert file_stamp.settled(identity, changed_ns + 150_000_000) == fine
