"""The region pass: objects and lines of text inside photos, after the whole-image pass.

Whole-image vectors come first so a new folder is searchable at once; this second pass then
walks the images whose object or text regions are missing or were made by another detector /
OCR version. Photos are read again on the decode pool (at most 1280 px, JPEG draft mode) while
this thread runs the detector, OCR and the CLIP towers in small batches. Each batch is one
transaction that replaces the redone kinds' regions and marks the images done, so a kill costs
only the batch in flight and a re-run neither repeats nor duplicates anything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Engine

from app.catalog.faces import NewFace
from app.catalog.regions import NewRegion, RegionsDone, RegionWork, images_needing_regions, replace_regions
from app.core.errors import ModelUnavailableError
from app.indexing.decoding import DecodeError, crop_box, decode_for_regions, read_file
from app.indexing.lookahead import InOrder
from app.indexing.report import IndexProgress
from app.ml.detector import Detection, ObjectDetector
from app.ml.embedder import ClipEmbedder
from app.ml.ocr import TextLine, TextReader
from app.ml.preprocess import to_model_input
from app.ml.region_models import RegionModels

if TYPE_CHECKING:
    from app.ml.faces import FaceModels
from app.vectors.store import VectorStore

log = logging.getLogger(__name__)

REGION_SIDE = 1280  # OCR reads words a few percent of the photo high; more pixels cost more


@dataclass
class RegionReport:
    images: int = 0
    objects: int = 0
    texts: int = 0
    faces: int = 0
    detect_seconds: float = 0.0
    ocr_seconds: float = 0.0
    face_seconds: float = 0.0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def regions(self) -> int:
        return self.objects + self.texts


@dataclass
class _Loaded:
    work: RegionWork
    pixels: np.ndarray | None  # None: unreadable now (the image is marked done with no regions)
    changed: bool = False  # the file no longer holds this image: leave it for the next scan


class RegionRun:
    """One region pass over every image that needs it; create, then call `run` once."""

    def __init__(
        self,
        engine: Engine,
        embedder: ClipEmbedder,
        models: RegionModels,
        store_for: Callable[[int], VectorStore | None],
        detect: bool = True,
        ocr: bool = True,
        progress: Callable[[IndexProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        paused: threading.Event | None = None,
        workers: int = 2,
        save_interval_seconds: float = 20.0,
        faces: bool = False,
        faces_store: Callable[[], VectorStore] | None = None,
    ) -> None:
        self.engine = engine
        self.embedder = embedder
        self.models = models
        self._store_for = store_for
        self.detect, self.ocr = detect, ocr
        self.find_faces = faces and faces_store is not None
        self._faces_store = faces_store
        self._progress = progress or (lambda _p: None)
        self._should_stop = should_stop or (lambda: False)
        self.paused = paused or threading.Event()
        self.workers = max(1, workers)
        self.save_interval = save_interval_seconds
        self.report = RegionReport()
        self._detector: ObjectDetector | None = None
        self._reader: TextReader | None = None
        self._objects_by: str | None = None
        self._text_by: str | None = None
        self._faces_by: str | None = None
        self._face_models: FaceModels | None = None
        self._faces_changed = False
        self._started = time.perf_counter()

    def run(self) -> RegionReport:
        started = time.perf_counter()
        self._objects_by = self.models.detector_version() if self.detect else None
        self._text_by = self.models.reader_version() if self.ocr else None
        self._faces_by = self.models.faces_version() if self.find_faces else None
        work = images_needing_regions(self.engine, self._objects_by, self._text_by, self._faces_by)
        if work:
            work = self._load_models(work)
        if work:
            self._process(work)
        self.report.seconds = round(time.perf_counter() - started, 3)
        return self.report

    def _load_models(self, work: list[RegionWork]) -> list[RegionWork]:
        if any(w.objects for w in work):
            try:
                self._detector = self.models.detector()
            except ModelUnavailableError as exc:
                self.report.warnings.append(str(exc))
        if any(w.text for w in work):
            try:
                self._reader = self.models.reader()
            except ModelUnavailableError as exc:
                self.report.warnings.append(str(exc))
        if any(w.faces for w in work):
            try:
                self._face_models = self.models.faces()
            except ModelUnavailableError as exc:
                self.report.warnings.append(str(exc))
        return [
            w
            for w in work
            if (w.objects and self._detector) or (w.text and self._reader) or (w.faces and self._face_models)
        ]

    def _process(self, work: list[RegionWork]) -> None:
        self.embedder.load()
        batch_size = 32 if self.embedder.device.startswith("cuda") else 4
        lookahead = 2 * batch_size + self.workers
        batch: list[_Loaded] = []
        last_save = time.monotonic()
        self._started = time.perf_counter()
        self._emit(0, len(work))
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="regions") as pool:
            try:

                def submit(item: RegionWork) -> Future[_Loaded]:
                    return pool.submit(_load, item)

                with InOrder(submit, work, lookahead, self.paused, self._should_stop) as loaded:
                    for item in loaded:
                        batch.append(item)
                        if len(batch) >= batch_size or loaded.exhausted:
                            self._finish(batch)
                            batch = []
                            self._emit(self.report.images, len(work))
                            if time.monotonic() - last_save >= self.save_interval:
                                self._save()
                                last_save = time.monotonic()
                    self.report.cancelled = loaded.stopped
            finally:
                self._save()

    # --- one batch ---------------------------------------------------------------------------------

    def _finish(self, batch: list[_Loaded]) -> None:
        ready = [b for b in batch if b.pixels is not None]
        regions: list[NewRegion] = []
        vectors: list[np.ndarray] = []
        for new, vecs in (self._objects(ready), self._texts(ready)):
            regions += new
            vectors += vecs
        done = [
            RegionsDone(
                b.work.image_id,
                self._objects_by if b.work.objects and self._detector is not None else None,
                self._text_by if b.work.text and self._reader is not None else None,
                self._faces_by if b.work.faces and self._face_models is not None else None,
            )
            for b in batch
            if not b.changed
        ]
        faces, descriptors = self._faces(ready)
        replaced = replace_regions(self.engine, done, regions, faces)
        added = replaced.added
        store = self._store_for(self.embedder.dim)
        if store is not None:
            store.remove(replaced.removed)
            if added:
                store.add(np.array([i for _, i in added], dtype=np.int64), np.vstack([vectors[p] for p, _ in added]))
        if (replaced.faces_removed or replaced.faces_added) and self._faces_store is not None:
            self._faces_changed = True
            face_store = self._faces_store()
            face_store.remove(replaced.faces_removed)
            if replaced.faces_added:
                ids = np.array([i for _, i in replaced.faces_added], dtype=np.int64)
                face_store.add(ids, descriptors[[p for p, _ in replaced.faces_added]])
        self.report.faces += len(replaced.faces_added)
        for p, _ in added:
            if regions[p].kind == "object":
                self.report.objects += 1
            else:
                self.report.texts += 1
        self.report.images += len(batch)

    def _objects(self, ready: list[_Loaded]) -> tuple[list[NewRegion], list[np.ndarray]]:
        todo = [b for b in ready if b.work.objects and self._detector is not None]
        if not todo:
            return [], []
        assert self._detector is not None and self.embedder.input_spec is not None
        t0 = time.perf_counter()
        found = self._detector.detect([b.pixels for b in todo])  # type: ignore[misc]
        t1 = time.perf_counter()
        crops, meta = [], []
        for b, detections in zip(todo, found, strict=True):
            assert b.pixels is not None
            for d in detections:
                crops.append(to_model_input(crop_box(b.pixels, d.bbox), self.embedder.input_spec))
                meta.append((b.work.image_id, d))
        vectors = self.embedder.embed_arrays(crops) if crops else np.empty((0, 0), np.float32)
        self.report.detect_seconds += t1 - t0
        self.report.embed_seconds += time.perf_counter() - t1
        return [_object_region(image_id, d, vectors[i]) for i, (image_id, d) in enumerate(meta)], list(vectors)

    def _texts(self, ready: list[_Loaded]) -> tuple[list[NewRegion], list[np.ndarray]]:
        todo = [b for b in ready if b.work.text and self._reader is not None]
        if not todo:
            return [], []
        assert self._reader is not None
        t0 = time.perf_counter()
        found = self._reader.read([b.pixels for b in todo])  # type: ignore[misc]
        t1 = time.perf_counter()
        meta = [(b.work.image_id, line) for b, lines in zip(todo, found, strict=True) for line in lines]
        vectors = (
            self.embedder.embed_region_texts([line.text for _, line in meta]) if meta else np.empty((0, 0), np.float32)
        )
        self.report.ocr_seconds += t1 - t0
        self.report.embed_seconds += time.perf_counter() - t1
        return [_text_region(image_id, line, vectors[i]) for i, (image_id, line) in enumerate(meta)], list(vectors)

    def _faces(self, ready: list[_Loaded]) -> tuple[list[NewFace], np.ndarray]:
        todo = [b for b in ready if b.work.faces and self._face_models is not None]
        if not todo:
            return [], np.empty((0, 128), np.float32)
        assert self._face_models is not None
        t0 = time.perf_counter()
        faces: list[NewFace] = []
        descriptors: list[np.ndarray] = []
        for b in todo:
            assert b.pixels is not None
            found, described = self._face_models.faces(b.pixels)
            for face, descriptor in zip(found, described, strict=True):
                faces.append(NewFace(b.work.image_id, face.bbox, round(face.score, 4), descriptor.tobytes()))
                descriptors.append(descriptor)
        self.report.face_seconds += time.perf_counter() - t0
        return faces, np.vstack(descriptors) if descriptors else np.empty((0, 128), np.float32)

    def _save(self) -> None:
        store = self._store_for(0)
        if store is not None:
            store.save()
        if self._faces_store is not None and self._faces_changed:
            self._faces_store().save()

    def _emit(self, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self._started
        rate = done / elapsed if done and elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else None
        self._progress(IndexProgress("regions", done, total, self.report.regions, round(rate, 2), eta))


def _load(work: RegionWork) -> _Loaded:
    """Read the photo again (decode pool); its hash proves it is still the same image."""
    try:
        content = read_file(work.path)
        if content.content_hash != work.content_hash:
            return _Loaded(work, None, changed=True)
        return _Loaded(work, decode_for_regions(content, REGION_SIDE))
    except DecodeError as exc:
        log.warning("no regions for %s: %s", work.path, exc)
        return _Loaded(work, None)
    except Exception:  # one file's bug must not stop the pass
        log.exception("unexpected error reading %s for regions", work.path)
        return _Loaded(work, None)


def _object_region(image_id: int, d: Detection, vector: np.ndarray) -> NewRegion:
    # The detector's own class name goes in `text` (shown as "object: dog"); only OCR text is
    # indexed for keyword search.
    return NewRegion(
        image_id, "object", d.label, d.bbox, round(d.score, 4), d.name, vector.astype(np.float32).tobytes()
    )


def _text_region(image_id: int, line: TextLine, vector: np.ndarray) -> NewRegion:
    return NewRegion(image_id, "text", None, line.bbox, line.confidence, line.text, vector.astype(np.float32).tobytes())
