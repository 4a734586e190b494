"""Videos through PyAV (FFmpeg ships in its wheel): what the container says (duration, when and
with which camera it was recorded), a representative frame for the thumbnail and the model, and
the frames worth searching, a few per scene.

Frames come out upright (the display matrix phones write for a video shot held upright is
applied). The representative frame is a quarter of the way in, at most 3 s: past a first frame
that is often dark or blurred, and cheap to reach (a seek to the keyframe before it). Scene
frames are found from keyframes alone (no other frame is decoded): a keyframe whose small grey
copy differs enough from the last one kept starts a new scene; at most one every `min_gap`
seconds, and `max_frames` a video. A long video is sampled at a bounded number of points
instead of at every keyframe.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from PIL import Image

from app.core.geo_points import GeoPoint, iso6709_point

log = logging.getLogger(__name__)

REPRESENTATIVE_AT = 0.25  # of the duration
REPRESENTATIVE_MAX_SECONDS = 3.0
SCENE_CHANGE = 18.0  # mean absolute difference (0-255) of 16x16 grey copies
FRAME_SIDE = 640  # scene frames: enough for the model and a thumbnail
MAX_FRAMES, MIN_GAP = 24, 3.0  # a video's scene frames: at most, and seconds apart at least
# Past LONG_VIDEO seconds, keyframes are read at LONG_VIDEO_SAMPLES points only (a 10-hour
# recording costs what a few minutes do) and kept scenes are at least 1/MAX_FRAMES of it apart.
LONG_VIDEO, LONG_VIDEO_SAMPLES = 180.0, 4 * MAX_FRAMES
FRAMES_VERSION = f"keyframe-scenes:{SCENE_CHANGE:g}:{MAX_FRAMES}:{MIN_GAP:g}:{FRAME_SIDE}:{LONG_VIDEO:g}:thumbnails"
_TURNS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


class VideoError(Exception):
    """FFmpeg could not read the file; the message says why, for the failure list."""


@dataclass
class VideoFacts:
    duration: float  # seconds
    width: int  # as shown (turned upright)
    height: int
    taken_at: float | None  # UTC seconds, from the container's creation time
    camera: str | None
    format: str  # "MP4", "MOV", ...
    place: GeoPoint | None = None  # its ISO 6709 location (QuickTime, Android)


@dataclass
class OpenedVideo:
    frame: Image.Image  # upright RGB
    facts: VideoFacts


def video_format(path: str) -> str:
    return os.path.splitext(path)[1][1:].upper()


def open_video(path: str, max_pixels: int) -> OpenedVideo:
    """The video's facts and its representative frame. Raises VideoError."""
    with _opened(path) as (container, stream):
        facts = _facts(path, container, stream)
        if facts.width * facts.height > max_pixels:
            raise VideoError(f"{facts.width}x{facts.height} pixels is over the {max_pixels // 1_000_000} MP limit")
        at = min(facts.duration * REPRESENTATIVE_AT, REPRESENTATIVE_MAX_SECONDS)
        frame = _frame_at(container, stream, at)
        if frame is None:
            raise VideoError("no picture could be decoded from it")
        facts.width, facts.height = frame.size  # as shown: turned as the video says
        return OpenedVideo(frame, facts)


def scene_frames(path: str, max_frames: int = MAX_FRAMES, min_gap: float = MIN_GAP) -> list[tuple[float, Image.Image]]:
    """(seconds, upright RGB frame at most FRAME_SIDE) for the first keyframe of each scene."""
    kept: list[tuple[float, Image.Image]] = []
    with _opened(path) as (container, stream):
        stream.codec_context.skip_frame = "NONKEY"  # keyframes only: nothing else is decoded
        duration = _facts(path, container, stream).duration
        if duration > LONG_VIDEO:  # a few keyframes spread over it, and scenes kept apart to match
            keyframes, min_gap = _sampled_keyframes(container, stream, duration), max(min_gap, duration / max_frames)
        else:
            keyframes = container.decode(stream)
        last: np.ndarray | None = None
        last_time = -min_gap
        try:
            for frame in keyframes:
                when = float(frame.time or 0.0)
                small = frame.to_ndarray(width=16, height=16, format="gray").astype(np.float32)
                changed = last is None or float(np.abs(small - last).mean()) >= SCENE_CHANGE
                if changed and when - last_time >= min_gap:
                    kept.append((when, _upright(frame, FRAME_SIDE)))
                    last, last_time = small, when
                    if len(kept) >= max_frames:
                        break
        except _av().FFmpegError:
            pass  # a damaged tail: the scenes before it stand
    return kept


def _sampled_keyframes(container: Any, stream: Any, duration: float) -> Iterator[Any]:
    """The keyframe at or before each of LONG_VIDEO_SAMPLES points spread over the video, in
    order, each once: bounded work however long the video is."""
    if stream.time_base is None:
        return
    last_time = None
    for k in range(LONG_VIDEO_SAMPLES):
        container.seek(int(duration * k / LONG_VIDEO_SAMPLES / stream.time_base), stream=stream, backward=True)
        frame = next(iter(container.decode(stream)), None)
        if frame is not None and frame.time != last_time:
            last_time = frame.time
            yield frame


def video_place(path: str) -> GeoPoint | None:
    """Where the video says it was recorded, from its container alone. Raises VideoError."""
    with _opened(path) as (container, stream):
        return _facts(path, container, stream).place


def frame_at(path: str, seconds: float) -> Image.Image | None:
    """The upright frame at `seconds` (at most FRAME_SIDE, as scene frames are), or None when
    the video cannot be read now."""
    try:
        with _opened(path) as (container, stream):
            frame = _frame_at(container, stream, seconds)
    except VideoError as exc:
        log.warning("no frame at %.1f s of %s: %s", seconds, path, exc)
        return None
    if frame is not None and max(frame.size) > FRAME_SIDE:
        scale = FRAME_SIDE / max(frame.size)
        size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
        frame = frame.resize(size, Image.Resampling.BILINEAR)  # as scene frames are made
    return frame


class _opened:
    """The container and its first video stream, closed however the block ends."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.container: Any = None

    def __enter__(self) -> tuple[Any, Any]:
        av = _av()
        try:
            self.container = av.open(self.path, metadata_errors="replace")
        except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise VideoError(f"not a video FFmpeg can read ({_reason(exc)})") from None
        streams = self.container.streams.video
        if not streams:
            self.container.close()
            raise VideoError("holds no video stream")
        stream = streams[0]
        if stream.codec_context is None:
            self.container.close()
            raise VideoError("its video is in a codec the bundled FFmpeg cannot decode")
        stream.thread_type = "AUTO"
        return self.container, stream

    def __exit__(self, *exc: object) -> None:
        self.container.close()


def _av() -> Any:
    try:
        import av
    except ImportError:
        raise VideoError("videos need the av package (pip install av)") from None
    return av


def _facts(path: str, container: Any, stream: Any) -> VideoFacts:
    duration = 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000  # AV_TIME_BASE
    width, height = stream.codec_context.width, stream.codec_context.height
    meta = {k.lower(): v for k, v in {**container.metadata, **stream.metadata}.items()}
    place = iso6709_point(meta.get("com.apple.quicktime.location.iso6709") or meta.get("location"))
    return VideoFacts(max(0.0, duration), width, height, _recorded_at(meta), _camera(meta), video_format(path), place)


def _frame_at(container: Any, stream: Any, at: float) -> Image.Image | None:
    av = _av()
    try:
        if at > 0 and stream.time_base is not None:
            container.seek(int(at / stream.time_base), stream=stream, backward=True)
        found = None
        for frame in container.decode(stream):
            found = frame
            if frame.time is None or frame.time >= at:
                break
        return _upright(found, None) if found is not None else None
    except av.FFmpegError:
        return None


def _upright(frame: Any, max_side: int | None) -> Image.Image:
    image = frame.to_image()  # RGB
    turn = _TURNS.get(int(getattr(frame, "rotation", 0) or 0) % 360)
    if turn is not None:
        image = image.transpose(turn)
    if max_side is not None and max(image.size) > max_side:
        scale = max_side / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return image


_APPLE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2}:?\d{2}|Z)?$")


def _recorded_at(meta: dict[str, str]) -> float | None:
    """When it was recorded: Apple's local date with its offset, else the container's UTC
    creation time (a camera without a clock writes none, or 1904-01-01: not a date)."""
    for key in ("com.apple.quicktime.creationdate", "creation_time"):
        found = _APPLE_DATE.match(str(meta.get(key, "")).strip())
        if found is None:
            continue
        zone = found.group(2) or "Z"
        zone = "+00:00" if zone == "Z" else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
        try:
            moment = datetime.fromisoformat(found.group(1) + zone).timestamp()
        except ValueError:
            continue
        if moment > 86400 * 365:  # after 1971: the QuickTime epoch (1904) is "no date"
            return moment
    return None


def _camera(meta: dict[str, str]) -> str | None:
    make = str(meta.get("com.apple.quicktime.make") or meta.get("com.android.manufacturer") or "").strip()
    model = str(meta.get("com.apple.quicktime.model") or meta.get("com.android.model") or "").strip()
    if model and make and model.lower().startswith(make.lower()):
        return model
    return " ".join(p for p in (make, model) if p) or None


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "strerror", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
