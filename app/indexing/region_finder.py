"""What the region pass finds in a batch of photos (objects, lines of text, faces), computed
apart from committing it, so the same code runs in the library's process or on a cluster's
actors (`app.indexing.ray_stages.RegionFinding`).

A video's scene frames are regions of kind "frame" at their time. Faces and text are looked for
in a few of them (`FRAMES_LOOKED_AT`, spread over the video: a per-video budget), each found at
its frame's time; one face per person and one line per text is kept for the whole video, so a
person filmed for a minute counts once, as in a photo. Objects are found in the video's
representative frame, as in a photo."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from app.catalog.faces import NewFace
from app.catalog.regions import NewRegion, RegionWork
from app.core.media_kinds import is_video
from app.indexing.decoding import DecodeError, crop_box, decode_for_regions, read_file, thumbnail_jpeg, thumbnail_of
from app.indexing.video_files import FRAMES_VERSION, VideoError, scene_frames
from app.ml.detector import Detection, ObjectDetector
from app.ml.embedder import ClipEmbedder
from app.ml.ocr import TextLine, TextReader
from app.ml.preprocess import to_model_input

if TYPE_CHECKING:
    from app.ml.faces import FaceModels

log = logging.getLogger(__name__)

REGION_SIDE = 1280  # OCR reads words a few percent of the photo high; more pixels cost more
FRAMES_LOOKED_AT = 6  # a video's scene frames searched for faces and text
SAME_FACE = 0.5  # descriptor distance under which two faces of one video are the same person


def region_batch_size(device: str) -> int:
    """Photos the region pass's models take at once on `device` (here, or on a cluster's actors)."""
    return 32 if device.startswith("cuda") else 4


@dataclass
class _Picture:
    """Pixels to look in: a photo (time None) or one frame of a video."""

    loaded: Loaded
    time: float | None
    pixels: np.ndarray


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
    frame_thumbnails: list[tuple[float, bytes]] = field(default_factory=list)  # (seconds, JPEG)
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
        scenes = self._scenes(ready, found, seconds)
        pictures = [picture for b in ready for picture in _pictures(b, scenes.get(id(b)))]
        self._objects(ready, found, seconds)
        self._texts(pictures, found, seconds)
        self._faces(pictures, found, seconds)
        self._frames([b for b in ready if b.work.frames and id(b) in scenes], scenes, found, seconds)
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

    def _texts(self, pictures: list[_Picture], found: dict[int, FoundRegions], seconds: dict[str, float]) -> None:
        todo = [p for p in pictures if p.loaded.work.text and self.reader is not None]
        if not todo:
            return
        assert self.reader is not None
        t0 = time.perf_counter()
        read = self.reader.read([p.pixels for p in todo])
        t1 = time.perf_counter()
        meta: list[tuple[_Picture, TextLine]] = []
        seen: set[tuple[int, str]] = set()  # a video's line of text, once (where it is first seen)
        for picture, lines in zip(todo, read, strict=True):
            for line in lines:
                key = (id(picture.loaded), " ".join(line.text.casefold().split()))
                if picture.time is None or key not in seen:
                    seen.add(key)
                    meta.append((picture, line))
        if meta:
            vectors = self.embedder.embed_region_texts([line.text for _, line in meta])
            for i, (p, line) in enumerate(meta):
                found[id(p.loaded)].regions.append(_text_region(p.loaded.work.image_id, line, vectors[i], p.time))
        seconds["ocr"] += t1 - t0
        seconds["embed"] += time.perf_counter() - t1

    def _faces(self, pictures: list[_Picture], found: dict[int, FoundRegions], seconds: dict[str, float]) -> None:
        todo = [p for p in pictures if p.loaded.work.faces and self.face_models is not None]
        if not todo:
            return
        assert self.face_models is not None
        t0 = time.perf_counter()
        for p in todo:
            faces, described = self.face_models.faces(p.pixels)
            for face, descriptor in zip(faces, described, strict=True):
                found[id(p.loaded)].faces.append(
                    NewFace(p.loaded.work.image_id, face.bbox, round(face.score, 4), descriptor.tobytes(), p.time)
                )
        for f in found.values():
            if is_video(f.work.path):
                f.faces = _one_face_per_person(f.faces)
        seconds["faces"] += time.perf_counter() - t0

    def _scenes(
        self, ready: list[Loaded], found: dict[int, FoundRegions], seconds: dict[str, float]
    ) -> dict[int, list[tuple[float, Image.Image]]]:
        """Each video's scene frames (seconds, upright RGB frame), for the videos that need
        frames, faces or text; a video FFmpeg cannot read now gets a warning and none."""
        todo = [b for b in ready if is_video(b.work.path) and (b.work.frames or b.work.text or b.work.faces)]
        scenes: dict[int, list[tuple[float, Image.Image]]] = {}
        t0 = time.perf_counter()
        for b in todo:
            try:
                frames = scene_frames(b.work.path)
            except VideoError as exc:
                found[id(b)].warnings.append(f"no frames from {b.work.path}: {exc}")
                continue
            scenes[id(b)] = frames
            found[id(b)].frame_thumbnails = [(when, thumbnail_jpeg(thumbnail_of(image))) for when, image in frames]
        seconds["frames"] += time.perf_counter() - t0
        return scenes

    def _frames(
        self,
        todo: list[Loaded],
        scenes: dict[int, list[tuple[float, Image.Image]]],
        found: dict[int, FoundRegions],
        seconds: dict[str, float],
    ) -> None:
        """A video's scene frames, each a region of kind "frame" at its time, embedded as photos."""
        assert self.embedder.input_spec is not None
        t0 = time.perf_counter()
        frames = [
            (b, when, to_model_input(pixels, self.embedder.input_spec)) for b in todo for when, pixels in scenes[id(b)]
        ]
        t1 = time.perf_counter()
        if frames:
            vectors = self.embedder.embed_arrays([f[2] for f in frames])
            for (b, when, _pixels), vector in zip(frames, vectors, strict=True):
                found[id(b)].regions.append(_frame_region(b.work.image_id, when, vector))
        seconds["frames"] += t1 - t0
        seconds["embed"] += time.perf_counter() - t1


def _pictures(loaded: Loaded, scenes: list[tuple[float, Image.Image]] | None) -> list[_Picture]:
    """Where to look for faces and text: a photo's pixels; of a video's scene frames, at most
    FRAMES_LOOKED_AT spread from its first to its last (its representative frame when it has none)."""
    assert loaded.pixels is not None
    if not scenes:
        return [_Picture(loaded, None, loaded.pixels)]
    picked: list[int] | range = range(len(scenes))
    if len(scenes) > FRAMES_LOOKED_AT:
        last = len(scenes) - 1
        picked = sorted({round(i * last / (FRAMES_LOOKED_AT - 1)) for i in range(FRAMES_LOOKED_AT)})
    return [_Picture(loaded, scenes[i][0], np.asarray(scenes[i][1])) for i in picked]


def _one_face_per_person(faces: list[NewFace]) -> list[NewFace]:
    """A video's faces, one per person: the clearest of those within SAME_FACE of each other."""
    kept: list[tuple[NewFace, np.ndarray]] = []
    for face in sorted(faces, key=lambda f: -f.score):
        descriptor = np.frombuffer(face.descriptor, np.float32)
        if all(float(np.linalg.norm(descriptor - other)) >= SAME_FACE for _, other in kept):
            kept.append((face, descriptor))
    return sorted((face for face, _ in kept), key=lambda f: (f.time or 0.0, f.bbox))


def _frame_region(image_id: int, when: float, vector: np.ndarray) -> NewRegion:
    whole = (0.0, 0.0, 1.0, 1.0)
    return NewRegion(image_id, "frame", None, whole, 1.0, None, vector.astype(np.float32).tobytes(), round(when, 3))


def _object_region(image_id: int, d: Detection, vector: np.ndarray) -> NewRegion:
    # The detector's own class name goes in `text` (shown as "object: dog"); only OCR text is
    # indexed for keyword search.
    return NewRegion(
        image_id, "object", d.label, d.bbox, round(d.score, 4), d.name, vector.astype(np.float32).tobytes()
    )


def _text_region(image_id: int, line: TextLine, vector: np.ndarray, when: float | None) -> NewRegion:
    vector_bytes = vector.astype(np.float32).tobytes()
    return NewRegion(image_id, "text", None, line.bbox, line.confidence, line.text, vector_bytes, when)
