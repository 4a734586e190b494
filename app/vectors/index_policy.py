"""Which kind of index a library's vectors live in: exact (flat) while small, IVF trained on
the library past a size, retrained once the library outgrows its lists, and exact again when
it shrinks well below the size (half, so a library near the line does not flip back and forth)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.vectors.ivf import IvfBuild, needs_retraining
from app.vectors.store import VectorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexChange:
    """What `fit_index` did: the kind now in use, and the IVF build it swapped in, if any."""

    kind: str
    built: IvfBuild | None = None
    trained_on: int = 0


def wanted_action(kind: str, ntotal: int, nlist: int, ivf_threshold: int, encoded: bool = True) -> str:
    """'train', 'flat' or 'keep' for an index of `kind` holding `ntotal` vectors; an IVF index
    that keeps whole float32 vectors (`encoded` False: made by an older version) is trained
    again in fewer bits (`ivf.ENCODINGS`)."""
    if kind == "ivf" and not encoded and ntotal >= ivf_threshold // 2:
        return "train"
    if kind == "flat" and ntotal >= ivf_threshold:
        return "train"
    if kind == "ivf" and ntotal < ivf_threshold // 2:
        return "flat"
    if kind == "ivf" and needs_retraining(nlist, ntotal):
        return "train"
    return "keep"


def fit_index(store: VectorStore, ivf_threshold: int) -> IndexChange:
    """Bring the store's index in line with its size. IVF is trained on a snapshot of the
    vectors and swapped in only if nothing was added meanwhile (searches go on during it)."""
    action = wanted_action(store.kind, store.ntotal, store.nlist, ivf_threshold, store.encoded)
    if action == "flat":
        store.to_flat()
    elif action == "train":
        if store.kind == "ivf" and not store.encoded:
            log.info("training IVF again to keep its %d vectors in fewer bits", store.ntotal)
        elif store.kind == "ivf":
            log.info("retraining IVF: %d vectors outgrew %d lists", store.ntotal, store.nlist)
        expected = store.ntotal
        build = store.build_ivf()
        if store.swap_in(build.index, expected):
            return IndexChange(store.kind, build, expected)
    return IndexChange(store.kind)
