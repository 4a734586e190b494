"""What preparing one scanned file can come to, on whichever worker prepared it: a link to
content the catalog has, new content decoded (or, on a cluster, decoded and embedded), a
failure of the file or of the environment, or the library's own storage failing."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.catalog.records import ImageFacts
from app.core.errors import LibraryStorageError
from app.core.paths import LibraryPaths
from app.indexing.byte_arena import Slot, copy_into
from app.indexing.decoding import (
    DecodedImage,
    DecodeError,
    FileContent,
    ImageHeader,
    UnreadableError,
    decode,
    decode_elsewhere,
    jpeg_for_device,
    read_file,
)
from app.indexing.scanner import ScannedFile
from app.ml.preprocess import InputSpec

log = logging.getLogger(__name__)


@dataclass
class Link:
    scanned: ScannedFile
    image_id: int


@dataclass
class Known:
    """Content the catalog has, found by a worker that knows its hash but not its image id."""

    scanned: ScannedFile
    content_hash: str


@dataclass
class Decoded:
    scanned: ScannedFile
    image: DecodedImage
    thumbnail: bytes | None = None  # decoded away from the library: the JPEG it is to store


@dataclass
class Encoded:
    """New content whose pixels the model's device decodes (a JPEG it can take whole): the
    file's bytes travel as read, with what its header told."""

    scanned: ScannedFile
    content: FileContent  # its data empty where the bytes wait in the run's arena, at `slot`
    header: ImageHeader
    slot: Slot | None = None


@dataclass
class Embedded:
    """New content decoded and embedded away from the library: its thumbnail is the JPEG the
    library's process writes before it commits."""

    scanned: ScannedFile
    facts: ImageFacts
    vector: np.ndarray
    thumbnail: bytes


@dataclass
class Failed:
    scanned: ScannedFile
    reason: str
    retry: bool = False  # the environment failed, not the file: kept, and tried again next run


@dataclass
class StorageFailed:
    """The library's own storage failed (a thumbnail could not be written): the run stops."""

    scanned: ScannedFile
    error: LibraryStorageError


Outcome = Link | Known | Decoded | Encoded | Embedded | Failed | StorageFailed


class OutcomeStream(Protocol):
    """Outcomes as a run's workers hand them over; `stopped` says whether a stop ended them."""

    @property
    def stopped(self) -> bool: ...

    def __iter__(self) -> Iterator[Outcome]: ...


def prepare(
    item: ScannedFile,
    known_hashes: Mapping[str, int],
    input_spec: InputSpec,
    paths: LibraryPaths,
    device_decodes_jpeg: bool = False,
    slot: Slot | None = None,
) -> Outcome:
    """Read once, hash, and decode only content the catalog does not have yet; where the
    model's device decodes JPEGs, one it can take comes back with its header, and its bytes
    (in the run's arena, at `slot`, where one was given and it fits)."""

    def outcome(scanned: ScannedFile, content: FileContent) -> Outcome:
        image_id = known_hashes.get(content.content_hash)
        if image_id is not None:
            return Link(scanned, image_id)
        header = jpeg_for_device(content) if device_decodes_jpeg else None
        if header is not None:
            placed = copy_into(slot, content.data) if slot is not None else None
            if placed is not None:
                return Encoded(scanned, dataclasses.replace(content, data=b""), header, placed)
            return Encoded(scanned, content, header)
        return Decoded(scanned, decode(content, input_spec, paths.thumbnail(content.content_hash)))

    return _prepared(item, outcome)


def prepare_elsewhere(item: ScannedFile, known_hashes: Container[str], input_spec: InputSpec) -> Outcome:
    """`prepare` on a machine that cannot write the library (a cluster's worker): the thumbnail
    travels with the outcome, and known content is told by its hash alone."""

    def outcome(scanned: ScannedFile, content: FileContent) -> Outcome:
        if content.content_hash in known_hashes:
            return Known(scanned, content.content_hash)
        image, thumbnail = decode_elsewhere(content, input_spec)
        return Decoded(scanned, image, thumbnail)

    return _prepared(item, outcome)


def _prepared(item: ScannedFile, outcome: Callable[[ScannedFile, FileContent], Outcome]) -> Outcome:
    try:
        content = read_file(item.path)
        scanned = ScannedFile(item.path, content.size, content.mtime_ns or item.mtime_ns, content.ctime_ns)
        return outcome(scanned, content)
    except DecodeError as exc:
        return Failed(item, str(exc))
    except UnreadableError as exc:
        return Failed(item, str(exc), retry=True)
    except LibraryStorageError as exc:
        return StorageFailed(item, exc)
    except Exception as exc:  # a bug in one file's path must not stop the run
        log.exception("unexpected error indexing %s", item.path)
        return Failed(item, f"unexpected error: {type(exc).__name__}: {exc}")
