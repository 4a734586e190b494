"""Reading vectors for analysis: whole photos, object crops or person crops, with their image
ids, and the words found in photos for naming clusters."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from app.catalog.change_stamps import IMAGE_VECTORS, remembered, stamps
from app.catalog.schema import RegionRow
from app.catalog.sql_helpers import id_pair_arrays, id_set


def _analysis_selection(stmt: Any, on: str) -> Any:
    stmt = stmt.where(RegionRow.vector.is_not(None))
    if on == "image":
        stmt = stmt.where(RegionRow.kind == "image")
    elif on == "object":
        stmt = stmt.where(RegionRow.kind == "object")
    elif on == "person":
        stmt = stmt.where(RegionRow.kind == "object", RegionRow.label == "person")
    else:
        raise ValueError(f"unknown region selection {on!r}")
    return stmt.order_by(RegionRow.id)


def analysis_region_ids(engine: Engine, on: str = "image") -> np.ndarray:
    """The ids `vectors_for_analysis` would return, sorted, without reading any vector."""
    with engine.connect() as conn:
        return np.sort(id_set(conn, _analysis_selection(select(RegionRow.id), on).order_by(None)))


def library_version(region_ids: np.ndarray, model_key: str) -> str:
    """The version analyses of these regions are cached under: their ids and the model."""
    digest = hashlib.sha1(model_key.encode())
    digest.update(np.sort(np.asarray(region_ids, dtype=np.int64)).tobytes())
    return digest.hexdigest()[:16]


def photos_version(engine: Engine, model_key: str, writable: bool) -> str:
    """`library_version` of the whole photos, remembered in the catalog: their ids are read
    again (at a million photos, 0.16 s) only when the whole-image vectors' change stamp moved.
    The index run that moved it makes it again (`leave_status_current`), so that the next
    `status` does not."""
    made_from = f"{model_key}|{stamps(engine, IMAGE_VECTORS)}"
    return remembered(
        engine, "analysis-version", made_from, lambda: library_version(analysis_region_ids(engine), model_key), writable
    )


def image_regions(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """(region ids, image ids) of the whole-image regions with a vector, by region id, as
    `vectors_for_analysis(engine, "image")` gives them, from two index-only scans: no vector read."""
    with engine.connect() as conn:
        with_vector = id_set(conn, _analysis_selection(select(RegionRow.id), "image").order_by(None))
        # SQLite answers this from ix_regions_image_kind (image id, kind and the row id), never
        # reading the 2 KB rows.
        ids, images = id_pair_arrays(conn, select(RegionRow.id, RegionRow.image_id).where(RegionRow.kind == "image"))
    order = np.argsort(ids, kind="stable")
    ids, images = ids[order], images[order]
    keep = np.isin(ids, with_vector)
    return ids[keep], images[keep]


READ_ROWS = 10_000  # rows read from SQLite at a time


def vectors_for_analysis(engine: Engine, on: str = "image") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(region ids, image ids, vectors) of whole images, object regions, or person regions.

    The vectors are read in batches straight into one array sized by a count made from the
    index (a million photos: 2 GB, where holding every row's bytes first took twice that)."""
    stmt = _analysis_selection(select(RegionRow.id, RegionRow.image_id, RegionRow.vector), on)
    with engine.connect() as conn:
        expected = len(id_set(conn, _analysis_selection(select(RegionRow.id), on).order_by(None)))
        # Rows straight from the driver's cursor: ids and bytes need no conversion, and making
        # a million result rows took 4 of the 6.5 s this read took.
        cursor = conn.execute(stmt).cursor
        ids, images, vectors, filled = [], [], None, 0
        for batch in iter(lambda: cursor.fetchmany(READ_ROWS), []):
            blobs = [row[2] for row in batch]
            size = len(blobs[0]) if vectors is None else 4 * vectors.shape[1]
            if any(len(blob) != size for blob in blobs):
                raise ValueError("the catalog holds vectors of two sizes (a model switch under way)")
            block = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
            if vectors is None:
                vectors = np.empty((max(expected, len(block)), block.shape[1]), np.float32)
            elif filled + len(block) > len(vectors):  # rows added since the count
                vectors = np.concatenate(
                    [vectors, np.empty((filled + len(block) - len(vectors), block.shape[1]), np.float32)]
                )
            vectors[filled : filled + len(block)] = block
            filled += len(block)
            ids.append(np.fromiter((row[0] for row in batch), np.int64, len(batch)))
            images.append(np.fromiter((row[1] for row in batch), np.int64, len(batch)))
    if vectors is None:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 0), np.float32)
    return np.concatenate(ids), np.concatenate(images), vectors[:filled]


def stored_vectors(engine: Engine, region_ids: Sequence[int]) -> dict[int, np.ndarray]:
    """region id -> its CLIP vector, for those of `region_ids` that have one (a face has not)."""
    out: dict[int, np.ndarray] = {}
    with engine.connect() as conn:
        for start in range(0, len(region_ids), 500):
            chunk = list(region_ids[start : start + 500])
            stmt = select(RegionRow.id, RegionRow.vector).where(RegionRow.id.in_(chunk), RegionRow.vector.is_not(None))
            out.update({rid: np.frombuffer(blob, dtype=np.float32) for rid, blob in conn.execute(stmt) if blob})
    return out


def texts_by_image(engine: Engine, image_ids: Sequence[int]) -> dict[int, list[str]]:
    """The words found in each of `image_ids` (those with any), from one pass over the regions
    that have words (their partial index): at a million photos, asking by image took seconds."""
    wanted = set(image_ids)
    out: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for image_id, text_value in conn.execute(
            select(RegionRow.image_id, RegionRow.text).where(RegionRow.text.is_not(None)).order_by(RegionRow.image_id)
        ):
            if image_id in wanted and text_value is not None:
                out.setdefault(int(image_id), []).append(text_value)
    return out
