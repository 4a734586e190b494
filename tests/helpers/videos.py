"""Videos for the tests, encoded by FFmpeg (through PyAV, whose wheel ships it) as phones and
cameras write them: H.264 in MP4 or QuickTime, a keyframe every second, the recording's date
(UTC creation_time, or Apple's local date with its offset), the camera, and the display
rotation a phone held upright writes."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

Scene = tuple[tuple[int, int, int], float]  # (colour, seconds)


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
        for colour, seconds in scenes:
            for _ in range(round(seconds * fps)):
                pixels = np.empty((size[1], size[0], 3), np.uint8)
                pixels[:] = colour
                pixels[: size[1] // 3, : size[0] // 3] = 255  # a corner mark: which way is up
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                frame.pts, frame.time_base = pts, Fraction(1, fps)
                pts += 1
                out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path
