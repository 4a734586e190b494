"""How many vectors a FAISS file holds and in how many IVF lists, from its first bytes.

`status` and a search's "are there any photos" need only these two numbers. Even a memory-mapped
view of a million-vector file costs 50-70 ms (FAISS builds the id map of a flat index, and the
list sizes of an IVF one); the header holds both numbers at fixed places, as FAISS's own
`read_index_header` reads them: the type (four letters), then dimension (int32), count (int64),
two unused int64s, whether trained (one byte), the metric (int32, then a float argument for the
metrics above inner product and L2). An IVF index's list count (int64) follows its header; an
id map's header is followed by the index it wraps. The kinds of file this app writes are read
here; any other returns None, and the caller asks FAISS.
"""

from __future__ import annotations

import struct
from pathlib import Path

_HEADER = struct.Struct("<4siq")  # type, dimension, count
_HEADER_BYTES = 37  # type 4, dimension 4, count 8, two unused 16, trained 1, metric 4
_ID_MAPS = (b"IxM2", b"IxMp")
_FLAT = (b"IxFI", b"IxF2")  # inner product, L2
_IVF = (b"IwFl", b"IwSq")  # IndexIVFFlat, IndexIVFScalarQuantizer


def vector_file_facts(path: Path, dim: int) -> tuple[int, int] | None:
    """(count, IVF lists; 0 for an exact index) of the FAISS file at `path`, or None where its
    header is not one of the kinds this app writes, or not of `dim` dimensions."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return None
    top = _header(head, 0)
    if top is None:
        return None
    kind, top_dim, count, end = top
    if kind in _ID_MAPS:
        inner = _header(head, end)
        if inner is None or inner[2] != count:
            return None
        kind, top_dim, _count, end = inner
    if top_dim != dim or count < 0:
        return None
    if kind in _FLAT:
        return count, 0
    if kind in _IVF and len(head) >= end + 8:
        (lists,) = struct.unpack_from("<q", head, end)
        return (count, int(lists)) if lists > 0 else None
    return None


def _header(head: bytes, at: int) -> tuple[bytes, int, int, int] | None:
    """(type, dimension, count, where the header ends) of the index header at `at`."""
    if len(head) < at + _HEADER_BYTES:
        return None
    kind, dim, count = _HEADER.unpack_from(head, at)
    (metric,) = struct.unpack_from("<i", head, at + 33)
    return kind, dim, count, at + _HEADER_BYTES + (4 if metric > 1 else 0)
