"""The work a Ray cluster's workers do for an indexing run: reading and decoding in plain tasks,
embedding (and the region pass) in actors that load their models once.

Rows travel as pickled outcomes (`app.indexing.outcomes`): they are heterogeneous (a link, a
failure, a decoded photo with its thumbnail), hold paths that need not be UTF-8, and only this
code reads them, so a table schema would add nothing but conversions. Nothing here writes to
the library: workers may be other machines; the driver commits everything.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.catalog.regions import RegionWork
from app.core.errors import ModelUnavailableError
from app.core.settings import Settings
from app.indexing.decoding import lower_priority
from app.indexing.outcomes import Decoded, Embedded, Outcome, prepare_elsewhere
from app.indexing.region_finder import RegionFinder, load_for_regions
from app.indexing.scanner import ScannedFile
from app.ml.embedder import ClipEmbedder
from app.ml.preprocess import InputSpec
from app.ml.region_models import RegionModels
from app.ml.spec import ModelSpec

log = logging.getLogger(__name__)

Batch = dict[str, np.ndarray]
DECODE_NICENESS = 10
COLUMN = "outcome"


class ContentHashes:
    """The catalog's content hashes, compact enough to ship to every worker (32 bytes each,
    sorted, looked up by bisection): millions of them stay tens of megabytes."""

    def __init__(self, hex_digests: Sequence[str]) -> None:
        self._sorted = np.array(sorted(bytes.fromhex(h) for h in hex_digests), dtype="S32")

    def __contains__(self, hex_digest: object) -> bool:
        if not isinstance(hex_digest, str) or not self._sorted.size:
            return False
        key = np.array(bytes.fromhex(hex_digest), dtype="S32")
        at = int(np.searchsorted(self._sorted, key))
        return at < self._sorted.size and self._sorted[at] == key

    def __len__(self) -> int:
        return int(self._sorted.size)


def pack(items: Sequence[object]) -> Batch:
    return {COLUMN: np.array([pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in items], dtype=object)}


def row(item: object) -> dict[str, bytes]:
    return {COLUMN: pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)}


def unpack(batch: Batch) -> list[Any]:
    return [pickle.loads(raw) for raw in batch[COLUMN]]


def read_and_decode(batch: Batch, input_spec: InputSpec, known: ContentHashes) -> Batch:
    """A task: read, hash and decode each scanned file (known content only hashed). Like the
    local decoding threads it yields the cores to the model and fills its idle moments."""
    _below_the_model()
    items: list[ScannedFile] = unpack(batch)
    return pack([prepare_elsewhere(item, known, input_spec) for item in items])


_worker_niceness: int | None = None


def _below_the_model() -> None:
    """Decoding yields to the model actors, whatever niceness the cluster gives its workers."""
    global _worker_niceness
    if not hasattr(os, "getpriority"):
        return
    if _worker_niceness is None:  # as the worker started: later tasks must not lower it further
        _worker_niceness = os.getpriority(os.PRIO_PROCESS, 0)
    lower_priority(min(19, _worker_niceness + DECODE_NICENESS))


class Embedding:
    """An actor: the CLIP model, loaded once, embedding every decoded photo of a batch."""

    def __init__(self, model: ModelSpec, device: str) -> None:
        self.embedder = ClipEmbedder(model, device).load()

    def __call__(self, batch: Batch) -> Batch:
        outcomes: list[Outcome] = unpack(batch)
        decoded = [o for o in outcomes if isinstance(o, Decoded)]
        vectors = self.embedder.embed_arrays([d.image.model_input for d in decoded])
        embedded = iter(
            Embedded(d.scanned, d.image.facts, vectors[i], d.thumbnail or b"") for i, d in enumerate(decoded)
        )
        return pack([next(embedded) if isinstance(o, Decoded) else o for o in outcomes])


def missing_paths(paths: Sequence[str]) -> list[str]:
    """Of `paths`, those this machine cannot see (a probe run once on every node)."""
    return [p for p in paths if not os.path.exists(p)]


class RegionFinding:
    """An actor: the region pass's models (each loaded on first need), reading each photo again
    and finding its objects, lines of text and faces."""

    def __init__(self, settings: Settings, model: ModelSpec, device: str) -> None:
        self.embedder = ClipEmbedder(model, device).load()
        self.models = RegionModels(settings, lambda: self.embedder.device)
        self.finder = RegionFinder(self.embedder, None, None, None)
        self._tried: set[str] = set()
        self._warnings: list[str] = []

    def __call__(self, batch: Batch) -> Batch:
        works: list[RegionWork] = unpack(batch)
        self._load_models(works)
        found = self.finder.find([load_for_regions(w) for w in works])
        if found and self._warnings:
            found[0].warnings, self._warnings = self._warnings, []
        return pack(found)

    def _load_models(self, works: list[RegionWork]) -> None:
        wanted = {
            "objects": any(w.objects for w in works),
            "text": any(w.text for w in works),
            "faces": any(w.faces for w in works),
        }
        loaders = {"objects": self.models.detector, "text": self.models.reader, "faces": self.models.faces}
        loaded: dict[str, Any] = {}
        for kind, load in loaders.items():
            if wanted[kind] and kind not in self._tried:
                self._tried.add(kind)
                try:
                    loaded[kind] = load()
                except ModelUnavailableError as exc:
                    self._warnings.append(str(exc))
        if loaded:
            f = self.finder
            self.finder = RegionFinder(
                self.embedder,
                loaded.get("objects", f.detector),
                loaded.get("text", f.reader),
                loaded.get("faces", f.face_models),
            )
