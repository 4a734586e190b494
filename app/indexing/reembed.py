"""Re-embedding a library with another model from its thumbnail cache.

Each region is rebuilt from the 256 px thumbnail (whole image; object crops by their box) or
from its text, never from the original photo unless the thumbnail is gone; a video's frame
from that frame of the video. Progress is kept in
the catalog batch by batch, so a kill resumes where it stopped; the old vectors serve searches
until the switch completes in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image
from sqlalchemy import Engine

from app.catalog import meta, model_switch
from app.catalog.model_switch import RegionToReembed
from app.core.errors import UntrustedDataError
from app.core.paths import LibraryPaths
from app.indexing.decoding import DecodeError, decode, read_file, to_rgb
from app.indexing.report import IndexProgress
from app.indexing.video_files import frame_at
from app.ml.embedder import ClipEmbedder
from app.ml.preprocess import to_model_input

log = logging.getLogger(__name__)


def reembed(
    engine: Engine,
    paths: LibraryPaths,
    embedder: ClipEmbedder,
    progress: Callable[[IndexProgress], None],
    should_stop: Callable[[], bool],
    batch_size: int = 64,
) -> int | None:
    """Embed every region with `embedder` into pending vectors; returns how many, or None if stopped."""
    embedder.load()
    left, total = model_switch.count_reembed_left(engine)
    done_before = total - left
    made = 0
    with ThreadPoolExecutor(thread_name_prefix="reembed") as pool:
        while True:
            if should_stop():
                return None
            todo = model_switch.regions_to_reembed(engine, batch_size)
            if not todo:
                return made
            images = [r for r in todo if r.kind != "text" or not r.text]
            texts = [r for r in todo if r.kind == "text" and r.text]
            arrays = list(pool.map(lambda r: _region_pixels(r, paths, embedder), images))
            rows: list[tuple[int, bytes]] = []
            kept = [(r, a) for r, a in zip(images, arrays, strict=True) if a is not None]
            if kept:
                vectors = embedder.embed_arrays([a for _, a in kept])
                rows += [(r.region_id, v.tobytes()) for (r, _), v in zip(kept, vectors, strict=True)]
            if texts:
                vectors = embedder.embed_region_texts([r.text or "" for r in texts])
                rows += [(r.region_id, v.tobytes()) for r, v in zip(texts, vectors, strict=True)]
            # A region whose pixels are gone for good keeps a zero vector rather than blocking
            # the switch forever; it simply never ranks.
            lost = [r for r, a in zip(images, arrays, strict=True) if a is None]
            rows += [(r.region_id, np.zeros(embedder.dim, dtype=np.float32).tobytes()) for r in lost]
            model_switch.add_pending_vectors(engine, rows)
            made += len(rows)
            progress(IndexProgress("re-embedding", done_before + made, total, made))


def _region_pixels(region: RegionToReembed, paths: LibraryPaths, embedder: ClipEmbedder) -> np.ndarray | None:
    spec = embedder.input_spec
    assert spec is not None
    if region.kind == "frame":  # a video's scene: its own frame, not the video's thumbnail
        frame = frame_at(region.path, region.time or 0.0) if region.path else None
        return to_model_input(frame, spec) if frame is not None else None
    try:
        thumb_path = paths.thumbnail(region.content_hash)
    except UntrustedDataError as exc:
        log.warning("not re-embedding region %d: %s", region.region_id, exc)
        return None
    image: Image.Image | None = None
    try:
        with Image.open(thumb_path) as opened:
            image = to_rgb(opened.convert("RGB"))
    except (OSError, ValueError):
        image = None
    if image is None:
        if not region.path:
            return None
        try:
            # Rebuilds the thumbnail as a side effect, so the next switch is cheap again.
            decoded = decode(read_file(region.path), spec, thumb_path)
        except DecodeError:
            log.warning("cannot re-embed %s: thumbnail and original both unreadable", region.path)
            return None
        if region.kind == "image":
            return decoded.model_input
        with Image.open(thumb_path) as opened:
            image = opened.convert("RGB")
    if region.kind != "image":
        x0, y0, x1, y1 = region.bbox
        w, h = image.size
        box = (int(x0 * w), int(y0 * h), max(int(x0 * w) + 1, int(x1 * w)), max(int(y0 * h) + 1, int(y1 * h)))
        image = image.crop(box)
    return to_model_input(image, spec)


def switch_model(
    engine: Engine,
    paths: LibraryPaths,
    embedder: ClipEmbedder,
    progress: Callable[[IndexProgress], None],
    should_stop: Callable[[], bool],
    batch_size: int = 64,
) -> int | None:
    """Under the writer lock: re-embed every region with `embedder`'s model into pending
    vectors (resuming a switch to the same model), then make it the library's model in one
    transaction. Returns how many regions were re-embedded, or None if stopped."""
    from app.vectors.library_vectors import DIM_KEY, MODEL_KEY, PENDING_KEY

    key = embedder.spec.key
    if meta.get_meta(engine, PENDING_KEY) != key:
        model_switch.clear_pending_vectors(engine)
        meta.set_meta(engine, PENDING_KEY, key)
    made = reembed(engine, paths, embedder, progress, should_stop, batch_size)
    if made is not None:
        model_switch.complete_model_switch(engine, key, embedder.dim, MODEL_KEY, DIM_KEY, PENDING_KEY)
    return made
