"""Thumbnails the library should have but does not (its `thumbnails` folder moved away, a disk
cleaner, a restore from a backup that left the cache out): found by a look at each one, and made
again from the photo itself during an index run. Duplicates, the gallery and model switches read
these, so a missing one is worth a decode."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

from sqlalchemy import Engine, select

from app.catalog.schema import FileRow, ImageRow
from app.core.paths import LibraryPaths, is_content_hash
from app.ml.preprocess import InputSpec

log = logging.getLogger(__name__)


def missing_thumbnails(engine: Engine, paths: LibraryPaths) -> Iterator[tuple[str, list[str]]]:
    """(content hash, the image's paths) for each image whose thumbnail file is missing."""
    stmt = select(ImageRow.content_hash, FileRow.path).join(FileRow, FileRow.image_id == ImageRow.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(ImageRow.id)).all()
    by_hash: dict[str, list[str]] = {}
    for content_hash, path in rows:
        by_hash.setdefault(content_hash, []).append(path)
    for content_hash, files in by_hash.items():
        if is_content_hash(content_hash) and not os.path.exists(paths.thumbnail(content_hash)):
            yield content_hash, files


def count_missing_thumbnails(engine: Engine, paths: LibraryPaths) -> int:
    return sum(1 for _ in missing_thumbnails(engine, paths))


def restore_thumbnails(
    engine: Engine, paths: LibraryPaths, input_spec: InputSpec, stopped: Callable[[], bool] = lambda: False
) -> int:
    """Make each missing thumbnail again from a file that still holds the image's content;
    returns how many were made. One whose files are all gone or changed stays missing."""
    from app.indexing.decoding import DecodeError, UnreadableError, decode, read_file

    made = 0
    for content_hash, files in missing_thumbnails(engine, paths):
        if stopped():
            break
        for path in files:
            try:
                content = read_file(path)
                if content.content_hash != content_hash:
                    continue  # changed since it was indexed: the next scan deals with it
                decode(content, input_spec, paths.thumbnail(content_hash))
            except (DecodeError, UnreadableError):
                continue
            made += 1
            break
    if made:
        log.info("made %d missing thumbnails again", made)
    return made
