"""New content's vectors, a batch at a time, started before the last batch is committed: on
CUDA the GPU decodes (JPEGs the device can take), shapes and embeds one batch while this
thread commits the one before. Thumbnails are stored here, before the catalog names an image,
as decoding stores them elsewhere.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.catalog.records import ImageFacts
from app.core.paths import LibraryPaths
from app.indexing.byte_arena import ByteArena, Slot
from app.indexing.decoding import DecodeError, decode, save_thumbnail
from app.indexing.outcomes import Decoded, Embedded, Encoded, Failed, Outcome, OutcomeStream
from app.indexing.scanner import ScannedFile
from app.ml.device_jpeg import DeviceBatch, decode_on_device
from app.ml.embedder import ClipEmbedder, PendingVectors

NewContent = Decoded | Encoded | Embedded


@dataclass
class StartedBatch:
    """A batch on its way: the photos it commits (file and facts, in the order of their
    vectors), those that turned out not to decode at all, their vectors to come, and the
    thumbnails the device is still making."""

    rows: list[tuple[ScannedFile, ImageFacts]]
    failed: list[Failed]
    _vectors: PendingVectors | np.ndarray
    _thumbnails: list[tuple[list[Path], DeviceBatch]] = field(default_factory=list)
    _arena: ByteArena | None = None
    _slots: list[Slot] = field(default_factory=list)  # the arena's room its files hold until then

    def vectors(self) -> np.ndarray:
        """The batch's vectors, once the device is done with it and its thumbnails are
        stored (before the catalog names the images)."""
        for paths, made in self._thumbnails:
            for path, jpeg in zip(paths, made.thumbnail_files(), strict=True):
                save_thumbnail(jpeg, path)
        self._thumbnails = []
        if isinstance(self._vectors, PendingVectors):
            self._vectors = self._vectors.result()
        if self._arena is not None:
            for slot in self._slots:
                self._arena.release(slot)
            self._slots = []
        return self._vectors


class BatchEmbedding:
    def __init__(self, embedder: ClipEmbedder, paths: LibraryPaths, arena: ByteArena | None = None) -> None:
        self.embedder = embedder
        self.paths = paths
        self.arena = arena  # where decode processes put the files the device decodes

    def start(self, batch: Sequence[NewContent]) -> StartedBatch:
        embedded = [d for d in batch if isinstance(d, Embedded)]
        if embedded:  # from a cluster: only the thumbnails are left to store
            assert len(embedded) == len(batch), "a batch is decoded here or embedded elsewhere, not both"
            for e in embedded:
                save_thumbnail(e.thumbnail, self.paths.thumbnail(e.facts.content_hash))
            return StartedBatch([(e.scanned, e.facts) for e in embedded], [], np.vstack([e.vector for e in embedded]))
        decoded = [d for d in batch if isinstance(d, Decoded)]
        encoded = [d for d in batch if isinstance(d, Encoded)]
        failed: list[Failed] = []
        parts, thumbnails = [], []
        if encoded:
            made, encoded, here, failed = self._decode_on_device(encoded)
            decoded += here
            if encoded:
                parts.append(made.pixels)
                thumbnails.append(([self.paths.thumbnail(e.content.content_hash) for e in encoded], made))
        if decoded:
            parts.insert(0, self.embedder.pixels_on_device([d.image.model_input for d in decoded]))
        rows = [(d.scanned, d.image.facts) for d in decoded] + [(e.scanned, e.header.facts) for e in encoded]
        slots = [d.slot for d in batch if isinstance(d, Encoded) and d.slot is not None]
        if not rows:
            return StartedBatch([], failed, np.empty((0, self.embedder.dim), np.float32), [], self.arena, slots)
        pixels = parts[0] if len(parts) == 1 else _joined(parts)  # CPU-decoded first, as `rows`
        started = self.embedder.start_embedding(self.embedder.normalised(pixels))
        return StartedBatch(rows, failed, started, thumbnails, self.arena, slots)

    def _decode_on_device(
        self, encoded: list[Encoded]
    ) -> tuple[DeviceBatch, list[Encoded], list[Decoded], list[Failed]]:
        """Decode on the model's device; what it cannot decode is decoded here as always (and
        what Pillow cannot either is a failed file, with Pillow's reason)."""
        spec = self.embedder.input_spec
        assert spec is not None
        datas = [self._bytes_of(e) for e in encoded]
        made = decode_on_device(datas, [e.header.orientation for e in encoded], spec, self.embedder.device)
        refused = set(made.failed)
        here: list[Decoded] = []
        failed: list[Failed] = []
        for i in sorted(refused):
            e = encoded[i]
            content = dataclasses.replace(e.content, data=bytes(datas[i]))
            try:
                here.append(Decoded(e.scanned, decode(content, spec, self.paths.thumbnail(content.content_hash))))
            except DecodeError as exc:
                failed.append(Failed(e.scanned, str(exc)))
        return made, [e for i, e in enumerate(encoded) if i not in refused], here, failed

    def _bytes_of(self, encoded: Encoded) -> bytes | memoryview:
        if encoded.slot is None:
            return encoded.content.data
        assert self.arena is not None, "a file in an arena comes with the arena"
        return self.arena.view(encoded.slot)


class ReleasingUnused:
    """Outcomes as they come, with the arena's room given back at once for each file that did
    not end up there (a link, a failure, a photo its process decoded, a file that grew);
    `reserved` holds the room reserved for each file, in the order the files were handed out."""

    def __init__(self, outcomes: OutcomeStream, reserved: deque[Slot | None], arena: ByteArena) -> None:
        self._outcomes = outcomes
        self._reserved = reserved
        self._arena = arena
        self.placed = 0  # files that came through the arena
        self.as_bytes = 0  # files for the device that came as bytes (no room, or grown since the scan)

    @property
    def stopped(self) -> bool:
        return self._outcomes.stopped

    def __iter__(self) -> Iterator[Outcome]:
        for outcome in self._outcomes:
            slot = self._reserved.popleft()
            in_arena = isinstance(outcome, Encoded) and outcome.slot is not None
            self.placed += in_arena
            self.as_bytes += isinstance(outcome, Encoded) and not in_arena
            if slot is not None and not in_arena:
                self._arena.release(slot)
            yield outcome


def _joined(parts: list[Any]) -> Any:
    import torch

    return torch.cat(parts)
