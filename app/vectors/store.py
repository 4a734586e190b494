"""A FAISS index of L2-normalised float32 vectors keyed by region id, saved atomically.

The file on disk is replaced with a temporary file and a rename, so a kill leaves either the
old or the new index, never half of one. The catalog holds every vector too; `reconcile`
brings a stale file back in line with it on open.

Each file ends with a footer naming the catalog it belongs to and a CRC-32 of the index
bytes. A file that is damaged (a fuzzed header, random bytes among the vectors), that has no
footer (written by an older version), or that belongs to another catalog (a stale file beside
a new or emptied catalog) is never parsed: the index is rebuilt from the catalog instead.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from app.core.storage import storage_error
from app.core.unit_vectors import unit_rows
from app.vectors import file_stamp
from app.vectors.file_header import vector_file_facts
from app.vectors.ivf import IvfBuild, build_ivf

log = logging.getLogger(__name__)


_FOOTER = struct.Struct("<12s32sIQ")  # magic, catalog id (hex), CRC-32 of the index bytes, their length
_MAGIC = b"PO-VECTORS\x00\x01"
_CHUNK = 1 << 24


class VectorStore:
    """Vectors by id with inner-product search; thread-safe for one writer and many readers."""

    def __init__(self, path: Path, dim: int, catalog_id: str = "") -> None:
        self.path = path
        self.dim = dim
        self.catalog_id = catalog_id
        self._lock = threading.RLock()
        # Why the file on disk was not used (None: it was, or there was none): doctor says it.
        self.rebuilt_because: str | None = None
        self._file_identity: list[int] | None = None  # of the file last read or written
        # Called when the file, read at last, is not the one checked on open (replaced since,
        # or unreadable after all): the library fills the store from the catalog again.
        self.refill: Callable[[VectorStore], object] | None = None
        self._dirty = False
        self._id_cache: np.ndarray | None = None
        self._peeked: tuple[int, int] | None = None  # (ntotal, nlist) of the file, not yet read
        self._peek_lock = threading.Lock()
        self._viewed = False  # the index held is a read-only memory map of the file (`load`)
        # FAISS's type stubs do not know IndexIDMap2's members or the IVF search parameters.
        self._held: Any = self._new_index() if not path.exists() else None
        if self._held is None and (problem := self._check_file()) is not None:
            self._rebuilt(problem)
        # Otherwise the file is read on first use (`_index`): `status`, and a library whose
        # file agrees with its catalog (`reconcile.agreed`), need none of its vectors.

    def load(self, view: bool = False) -> None:
        """Read the file now, if it is not read yet (a worker warming up for the first search).
        `view`: map it read-only instead, for a process that only searches (a command-line
        search: 0.05 s against 0.3 s at a million photos); whatever changes the vectors reads
        it whole first (FAISS aborts the process on a write to a mapped index)."""
        with self._lock:
            if self._held is None:
                self._read(view)

    def _writable(self) -> Any:
        """The index, read whole first where it is a read-only view of the file."""
        with self._lock:
            if self._viewed:
                self._held, self._viewed = None, False
            return self._index

    def _new_index(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _rebuilt(self, problem: str) -> None:
        log.warning("vector file %s %s; rebuilding it from the catalog", self.path, problem)
        self.rebuilt_because = problem
        self._held, self._dirty, self._id_cache = self._new_index(), True, None
        self._viewed = False

    @property
    def _index(self) -> Any:
        with self._lock:
            if self._held is None:
                self._read()
            return self._held

    @_index.setter
    def _index(self, index: Any) -> None:
        with self._lock:
            self._held, self._viewed = index, False

    def _read(self, view: bool = False) -> None:
        """Read the file checked on open; one replaced since is checked first, and one that is
        not the file checked (or cannot be read) is refilled from the catalog. `view`: map the
        file checked on open read-only (one to be refilled is read whole)."""
        checked = self._file_identity
        try:
            now = file_stamp.identity(os.stat(self.path))
        except OSError:
            now = None
        # The very file checked on open is not checked twice; any other file is, whole.
        same = now is not None and now == checked
        problem = None if same else self._check_file()
        view = view and same
        index = None
        if problem is None:
            try:
                index = faiss.read_index(str(self.path), faiss.IO_FLAG_MMAP_IFC if view else 0)
            except Exception as exc:  # RuntimeError, MemoryError: whatever a damaged file raises
                problem = f"unreadable ({type(exc).__name__}: {str(exc)[:200]})"
        if index is not None and index.d != self.dim:
            problem = f"dimension {index.d}, expected {self.dim}"
        if problem is not None:
            self._rebuilt(problem)
        else:
            self._held, self._viewed = index, view
        if (problem is not None or self._file_identity != checked) and self.refill is not None:
            self.refill(self)

    def _facts(self) -> tuple[int, int]:
        """(ntotal, nlist) without reading the vectors when they are not read yet, nor waiting
        for a read under way on another thread (a search reads them while it encodes its words):
        a view of the file through a memory map."""
        if self._held is None:
            with self._peek_lock:
                if self._peeked is None:
                    self._peeked = self._peek()
            if self._held is None and self._peeked is not None:
                return self._peeked
        with self._lock:
            if self._held is None:  # no view of it: read whole (that finds and says the problem)
                self._read()
            return int(self._held.ntotal), _lists_of(self._held)

    def _peek(self) -> tuple[int, int] | None:
        """The file's (ntotal, nlist) from its header, else through a memory map: never written
        (FAISS aborts the process on a write to one). None where it cannot be viewed."""
        if (facts := vector_file_facts(self.path, self.dim)) is not None:
            return facts
        try:
            view = faiss.read_index(str(self.path), faiss.IO_FLAG_MMAP_IFC)
        except Exception:  # noqa: BLE001 - read whole by the caller: that finds and says the problem
            return None
        facts = (int(view.ntotal), _lists_of(view)) if view.d == self.dim else None
        del view
        return facts

    def _check_file(self) -> str | None:
        """What is wrong with the file on disk, before FAISS parses a byte of it (None: nothing)."""
        problem, identity = file_problem(self.path, self.catalog_id)
        if identity is not None:
            self._file_identity = identity
        return problem

    def confirm_on_disk(self) -> bool:
        """Whether the file on disk is the one this store holds, checked whole (once: a stamp
        says so after) now that its last change has settled (`file_stamp.settle_ns`), so the
        next process to open it reads none of it. False where it changed in memory since, was
        written too recently to tell (that process checks it), or is another file now. The
        file is read outside the store's lock: searches go on meanwhile."""
        with self._lock:
            held = None if self._dirty else self._file_identity
        if held is None or not file_stamp.settled(held, time.time_ns()):
            return False
        problem, identity = file_problem(self.path, self.catalog_id)
        with self._lock:
            return problem is None and identity == held == (None if self._dirty else self._file_identity)

    @property
    def file_identity(self) -> list[int] | None:
        """The identity (`file_stamp.identity`) of the file this store holds exactly as it is in
        memory; None when it was changed in memory since, or rebuilt, or never on disk."""
        with self._lock:
            return None if self._dirty else self._file_identity

    @property
    def ntotal(self) -> int:
        return self._facts()[0]

    @property
    def kind(self) -> str:
        """Either "flat" (exact) or "ivf" (inverted lists trained on the library)."""
        return "ivf" if self._facts()[1] else "flat"

    @property
    def nlist(self) -> int:
        """The IVF index's number of lists (0 for exact search)."""
        return self._facts()[1]

    @property
    def encoded(self) -> bool:
        """Whether an IVF index keeps its vectors in fewer bits than float32 (flat: True)."""
        ivf = self._ivf
        return ivf is None or isinstance(faiss.downcast_index(ivf), faiss.IndexIVFScalarQuantizer)

    @property
    def _ivf(self) -> Any:
        try:
            return faiss.extract_index_ivf(self._index)
        except RuntimeError:
            return None

    def ids(self) -> np.ndarray:
        """Every id stored. A file not read yet is mapped for them, not read: comparing them
        with the catalog's needs no vector (a flat file of 100,000 is 200 MB)."""
        with self._lock:
            if self._held is None:
                self._read(view=True)
            if self._index.ntotal == 0:
                return np.empty(0, dtype=np.int64)
            ivf = self._ivf
            if ivf is None:
                return faiss.vector_to_array(self._index.id_map).astype(np.int64)
            lists = ivf.invlists
            parts = [
                faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                for i in range(ivf.nlist)
                if lists.list_size(i)
            ]
            return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    def all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of everything stored."""
        with self._lock:
            ids = self.ids()
            if self._ivf is None and len(ids):
                return ids, self._index.index.reconstruct_n(0, self._index.ntotal)
            return ids, np.vstack([self._index.reconstruct(int(i)) for i in ids]) if len(ids) else np.empty(
                (0, self.dim), np.float32
            )

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        with self._lock:
            self._writable().add_with_ids(unit_rows(vectors), np.asarray(ids, dtype=np.int64))
            self._dirty = True
            self._id_cache = None

    def remove(self, ids: np.ndarray | list[int]) -> int:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return 0
        with self._lock:
            # IVF's hashtable direct map only accepts an IDSelectorArray; flat takes both.
            removed = int(self._writable().remove_ids(faiss.IDSelectorArray(ids)))
            self._id_cache = None
            self._dirty = self._dirty or removed > 0
            return removed

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row, only among `allowed` ids if given; missing hits are -1."""
        with self._lock:
            k = max(1, min(k, max(1, int(self._index.ntotal))))
            queries = unit_rows(np.atleast_2d(queries))
            ivf = self._ivf
            if allowed is None and ivf is None and len(queries) == 1:
                return self._flat_search_one(queries[0], k)
            if allowed is None:
                return self._index.search(queries, k)
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params: Any
            if ivf is not None:
                params = faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)  # type: ignore[call-arg]
            else:
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            return self._index.search(queries, k, params=params)

    def _flat_search_one(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """One query against the flat index through BLAS (both cores): FAISS scans a single
        query on one thread, 15 ms at 100k x 512 here against 9.6 ms for this. Zero-copy view
        of FAISS's own storage; the caller holds the lock, so it cannot be reallocated."""
        n = int(self._index.ntotal)
        flat: Any = faiss.downcast_index(self._index.index)
        matrix = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim)
        scores = matrix @ query
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        if self._id_cache is None or len(self._id_cache) != n:
            self._id_cache = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        return scores[top][None, :].astype(np.float32), self._id_cache[top][None, :]

    def reconstruct(self, region_id: int) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.reconstruct(int(region_id)))

    def reconstruct_many(self, region_ids: list[int]) -> np.ndarray:
        with self._lock:
            if not region_ids:
                return np.empty((0, self.dim), dtype=np.float32)
            return np.vstack([self._index.reconstruct(int(i)) for i in region_ids])

    def build_ivf(self) -> IvfBuild:
        """Train an IVF index on the stored vectors (slow; runs without blocking searches)."""
        ids, vectors = self.all_vectors()
        return build_ivf(ids, vectors)

    def swap_in(self, index: faiss.Index, expected_ntotal: int) -> bool:
        """Replace the live index if nothing changed since its build; saves it."""
        with self._lock:
            if self._index.ntotal != expected_ntotal:
                return False
            self._index = index
            self._dirty = True
            self._id_cache = None
            self.save()
            return True

    def to_flat(self) -> None:
        """Go back to exact search (for a library that shrank below the IVF size)."""
        ids, vectors = self.all_vectors()
        flat = self._new_index()
        if len(ids):
            flat.add_with_ids(vectors, ids)
        with self._lock:
            self._index = flat
            self._dirty = True
            self._id_cache = None
            self.save()

    def save(self) -> None:
        """Write the index atomically (temp file with its footer, fsync, rename) if it changed.
        The library's storage failing raises LibraryStorageError; the old file stays."""
        with self._lock:
            if not self._dirty and self.path.exists():
                return
            tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
            try:
                faiss.write_index(self._index, str(tmp))
                with open(tmp, "r+b") as fh:
                    crc, length = 0, 0
                    for chunk in iter(lambda: fh.read(_CHUNK), b""):
                        crc = zlib.crc32(chunk, crc)
                        length += len(chunk)
                    fh.write(_FOOTER.pack(_MAGIC, self.catalog_id.encode("ascii"), crc, length))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
                written = os.stat(self.path)
                file_stamp.stamp(self.path, crc, written)  # read back whole above: sound
                self._file_identity = file_stamp.identity(written)
            except (OSError, RuntimeError) as exc:  # FAISS reports a failed write as RuntimeError
                with contextlib.suppress(OSError):
                    tmp.unlink()
                error = exc if isinstance(exc, OSError) else OSError(errno.EIO, str(exc).strip().splitlines()[-1][:200])
                if isinstance(exc, RuntimeError) and _disk_full(self.path.parent):
                    error = OSError(errno.ENOSPC, "no space left on device")
                raise storage_error(self.path.parent, error) from None
            _fsync_dir(self.path.parent)
            self._dirty = False


def file_problem(path: Path, catalog_id: str) -> tuple[str | None, list[int] | None]:
    """(what is wrong with the vector file at `path`, None: nothing; its identity as opened,
    `file_stamp.identity`, None where it cannot be opened). Its whole checksum is read unless
    a settled stamp vouches for the file (which it then stamps)."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            identity = file_stamp.identity(st)
            size = st.st_size
            if size < _FOOTER.size:
                return "too short to be a vector file", identity
            fh.seek(size - _FOOTER.size)
            magic, stored_id, crc, length = _FOOTER.unpack(fh.read(_FOOTER.size))
            if magic != _MAGIC:
                return "has no checksum (written by an older version, or damaged)", identity
            if stored_id.rstrip(b"\x00").decode("ascii", "replace") != catalog_id:
                return "belongs to another catalog", identity
            if length != size - _FOOTER.size:
                return "is truncated or padded", identity
            if file_stamp.is_stamped(path, crc, st):
                return None, identity  # read whole and found sound before, and not changed since
            fh.seek(0)
            actual, left = 0, length
            while left:
                chunk = fh.read(min(_CHUNK, left))
                if not chunk:
                    return "is truncated", identity
                actual = zlib.crc32(chunk, actual)
                left -= len(chunk)
            if actual != crc:
                return "is damaged (checksum mismatch)", identity
            file_stamp.stamp(path, crc, st)
            return None, identity
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})", None


def _lists_of(index: Any) -> int:
    """The IVF lists of an index (0: exact search)."""
    try:
        return int(faiss.extract_index_ivf(index).nlist)
    except RuntimeError:
        return 0


def _disk_full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < (1 << 20) or (st.f_files > 0 and st.f_favail == 0)


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
