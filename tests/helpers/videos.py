"""Videos for the tests, encoded by FFmpeg (through PyAV, whose wheel ships it) as phones and
cameras write them: H.264 in MP4 or QuickTime, a keyframe every second, the recording's date
(UTC creation_time, or Apple's local date with its offset), the camera, and the display
rotation a phone held upright writes."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

# (colour with a white corner mark, or a picture of the video's size; seconds)
Scene = tuple[tuple[int, int, int] | np.ndarray, float]


def write_video(
    path: Path,
    scenes: Sequence[Scene],
    size: tuple[int, int] = (320, 240),
    fps: int = 10,
    rotation: int | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"movflags": "use_metadata_tags"} if path.suffix.lower() in (".mov", ".mp4", ".m4v") else {}
    with av.open(str(path), "w", options=options) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = fps  # a keyframe every second
        if rotation is not None:
            stream.set_display_rotation(rotation)
        pts = 0
        for look, seconds in scenes:
            for _ in range(round(seconds * fps)):
                frame = av.VideoFrame.from_ndarray(_pixels(look, size), format="rgb24")
                frame.pts, frame.time_base = pts, Fraction(1, fps)
                pts += 1
                out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def _pixels(look: tuple[int, int, int] | np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if isinstance(look, np.ndarray):
        assert look.shape == (size[1], size[0], 3), "a picture scene has the video's size"
        return look
    pixels = np.empty((size[1], size[0], 3), np.uint8)
    pixels[:] = look
    pixels[: size[1] // 3, : size[0] // 3] = 255  # a corner mark: which way is up
    return pixels


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 holding only AAC sound (a voice memo saved as .mp4)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=44100)
        for i in range(round(seconds * 44100 / 1024)):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, i * 1024
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def write_timed_video(path: Path, frames: Sequence[tuple[float, tuple[int, int, int]]], size=(64, 48)) -> Path:  # noqa: ANN001
    """A video whose frames show at the given seconds (any spacing: variable frame rate, or a
    frame a minute for hours), every frame a keyframe; each frame one colour with a corner mark."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = 1
        stream.codec_context.time_base = Fraction(1, 1000)
        for seconds, colour in frames:
            frame = av.VideoFrame.from_ndarray(_pixels(colour, size), format="rgb24")
            frame.pts, frame.time_base = round(seconds * 1000), Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path
