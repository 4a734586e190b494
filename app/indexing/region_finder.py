"""What the region pass finds in a batch of photos (objects, lines of text, faces), computed
apart from committing it, so the same code runs in the library's process or on a cluster's
actors (`app.indexing.ray_stages.RegionFinding`)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.catalog.faces import NewFace
from app.catalog.regions import NewRegion, RegionWork
from app.indexing.decoding import DecodeError, crop_box, decode_for_regions, read_file
from app.indexing.video_files import FRAMES_VERSION, VideoError, scene_frames
from app.ml.detector import Detection, ObjectDetector
from app.ml.embedder import ClipEmbedder
from app.ml.ocr import TextLine, TextReader
from app.ml.preprocess import to_model_input

if TYPE_CHECKING:
    from app.ml.faces import FaceModels

log = logging.getLogger(__name__)

REGION_SIDE = 1280  # OCR reads words a few percent of the photo high; more pixels cost more


def region_batch_size(device: str) -> int:
    """Photos the region pass's models take at once on `device` (here, or on a cluster's actors)."""
    return 32 if device.startswith("cuda") else 4


@dataclass
class Loaded:
    work: RegionWork
    pixels: np.ndarray | None  # None: unreadable now (the image is marked done with no regions)
    changed: bool = False  # the file no longer holds this image: leave it for the next scan


@dataclass
class FoundRegions:
    """One photo's finished region work: its regions and faces (vectors and descriptors as
    bytes) and the versions that made each kind, None for a kind not done."""

    work: RegionWork
    changed: bool
    objects_by: str | None
    text_by: str | None
    faces_by: str | None
    frames_by: str | None = None
    regions: list[NewRegion] = field(default_factory=list)
    faces: list[NewFace] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # this photo's share of the batch
    warnings: list[str] = field(default_factory=list)


def load_for_regions(work: RegionWork) -> Loaded:
    """Read the photo again; its hash proves it is still the same image."""
    try:
        content = read_file(work.path)
        if content.content_hash != work.content_hash:
            return Loaded(work, None, changed=True)
        return Loaded(work, decode_for_regions(content, REGION_SIDE))
    except DecodeError as exc:
        log.warning("no regions for %s: %s", work.path, exc)
        return Loaded(work, None)
    except Exception:  # one file's bug must not stop the pass
        log.exception("unexpected error reading %s for regions", work.path)
        return Loaded(work, None)


class RegionFinder:
    """The loaded models of a region pass; `find` runs them over a batch of photos."""

    def __init__(
        self,
        embedder: ClipEmbedder,
        detector: ObjectDetector | None,
        reader: TextReader | None,
        face_models: FaceModels | None,
    ) -> None:
        self.embedder = embedder
        self.detector, self.reader, self.face_models = detector, reader, face_models
        self.objects_by = detector.version if detector is not None else None
        self.text_by = reader.version if reader is not None else None
        self.faces_by = face_models.version if face_models is not None else None

    def find(self, batch: list[Loaded]) -> list[FoundRegions]:
        found = {
            id(b): FoundRegions(
                b.work,
                b.changed,
                self.objects_by if b.work.objects else None,
                self.text_by if b.work.text else None,
                self.faces_by if b.work.faces else None,
                FRAMES_VERSION if b.work.frames else None,
            )
            for b in batch
        }
        ready = [b for b in batch if b.pixels is not None]
        seconds = {"detect": 0.0, "ocr": 0.0, "faces": 0.0, "embed": 0.0, "frames": 0.0}
        self._objects(ready, found, seconds)
        self._texts(ready, found, seconds)
        self._faces(ready, found, seconds)
        self._frames(ready, found, seconds)
        for f in found.values():
            f.seconds = {k: v / len(batch) for k, v in seconds.items()}
        return list(found.values())

    def _objects(self, ready: list[Loaded], found: dict[int, FoundRegions], seconds: dict[str, float]) -> None:
        todo = [b for b in ready if b.work.objects and self.detector is not None]
        if not todo:
            return
        assert self.detector is not None and self.embedder.input_spec is not None
        t0 = time.perf_counter()
        detected = self.detector.detect([b.pixels for b in todo])  # type: ignore[misc]
        t1 = time.perf_counter()
        crops, meta = [], []
        for b, detections in zip(todo, detected, strict=True):
            assert b.pixels is not None
            for d in detections:
                crops.append(to_model_input(crop_box(b.pixels, d.bbox), self.embedder.input_spec))
                meta.append((b, d))
        vectors = self.embedder.embed_arrays(crops) if crops else np.empty((0, 0), np.float32)
        for i, (b, d) in enumerate(meta):
            found[id(b)].regions.append(_object_region(b.work.image_id, d, vectors[i]))
        seconds["detect"] += t1 - t0
        seconds["embed"] += time.perf_counter() - t1

    def _texts(self, ready: list[Loaded], found: dict[int, FoundRegions], seconds: dict[str, float]) -> None:
        todo = [b for b in ready if b.work.text and self.reader is not None]
        if not todo:
            return
        assert self.reader is not None
        t0 = time.perf_counter()
        read = self.reader.read([b.pixels for b in todo])  # type: ignore[misc]
        t1 = time.perf_counter()
        meta = [(b, line) for b, lines in zip(todo, read, strict=True) for line in lines]
        if meta:
            vectors = self.embedder.embed_region_texts([line.text for _, line in meta])
            for i, (b, line) in enumerate(meta):
                found[id(b)].regions.append(_text_region(b.work.image_id, line, vectors[i]))
        seconds["ocr"] += t1 - t0
        seconds["embed"] += time.perf_counter() - t1

    def _faces(self, ready: list[Loaded], found: dict[int, FoundRegions], seconds: dict[str, float]) -> None:
        todo = [b for b in ready if b.work.faces and self.face_models is not None]
        if not todo:
            return
        assert self.face_models is not None
        t0 = time.perf_counter()
        for b in todo:
            assert b.pixels is not None
            faces, described = self.face_models.faces(b.pixels)
            for face, descriptor in zip(faces, described, strict=True):
                found[id(b)].faces.append(
                    NewFace(b.work.image_id, face.bbox, round(face.score, 4), descriptor.tobytes())
                )
        seconds["faces"] += time.perf_counter() - t0

    def _frames(self, ready: list[Loaded], found: dict[int, FoundRegions], seconds: dict[str, float]) -> None:
        """A video's scene frames, each a region of kind "frame" at its time, embedded as photos."""
        todo = [b for b in ready if b.work.frames]
        if not todo:
            return
        assert self.embedder.input_spec is not None
        t0 = time.perf_counter()
        frames: list[tuple[Loaded, float, np.ndarray]] = []
        for b in todo:
            try:
                frames += [
                    (b, t, to_model_input(image, self.embedder.input_spec)) for t, image in scene_frames(b.work.path)
                ]
            except VideoError as exc:
                found[id(b)].warnings.append(f"no frames from {b.work.path}: {exc}")
        t1 = time.perf_counter()
        if frames:
            vectors = self.embedder.embed_arrays([f[2] for f in frames])
            for (b, when, _pixels), vector in zip(frames, vectors, strict=True):
                found[id(b)].regions.append(_frame_region(b.work.image_id, when, vector))
        seconds["frames"] += t1 - t0
        seconds["embed"] += time.perf_counter() - t1


def _frame_region(image_id: int, when: float, vector: np.ndarray) -> NewRegion:
    whole = (0.0, 0.0, 1.0, 1.0)
    return NewRegion(image_id, "frame", None, whole, 1.0, None, vector.astype(np.float32).tobytes(), round(when, 3))


def _object_region(image_id: int, d: Detection, vector: np.ndarray) -> NewRegion:
    # The detector's own class name goes in `text` (shown as "object: dog"); only OCR text is
    # indexed for keyword search.
    return NewRegion(
        image_id, "object", d.label, d.bbox, round(d.score, 4), d.name, vector.astype(np.float32).tobytes()
    )


def _text_region(image_id: int, line: TextLine, vector: np.ndarray) -> NewRegion:
    return NewRegion(image_id, "text", None, line.bbox, line.confidence, line.text, vector.astype(np.float32).tobytes())
