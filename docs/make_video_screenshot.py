"""Render docs/video.png: a video found by its moment, playing there in the viewer, under Xvfb.

    xvfb-run -a -s "-screen 0 1400x1000x24" env QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_video_screenshot.py

A phone video is encoded by FFmpeg from three real photos (scikit-image's coffee, cat and
astronaut, as the duplicate tests use them), four seconds each, beside a few photos. It is
indexed through the app with the tests' tiny model, searched by an example photo of the
astronaut, and the first result is opened: the viewer plays the video from the moment found.
The screen itself is grabbed (a video surface is not in a widget's own grab).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PHOTO_ORGANIZER_MODEL", "PO-Tiny")
os.environ.setdefault("PHOTO_ORGANIZER_PRETRAINED", "random")
for switch in ("DETECT", "OCR", "FACES"):
    os.environ[f"PHOTO_ORGANIZER_{switch}"] = "0"


def main() -> int:
    import numpy as np
    from PIL import Image

    from docs.screenshot_window import screenshot_window, wait
    from tests.helpers.duplicate_corpus import real_photo
    from tests.helpers.images import photo, save_jpeg
    from tests.helpers.videos import write_video

    scratch = Path(tempfile.mkdtemp(prefix="po-video-shot-"))
    size = (640, 360)

    def framed(name: str) -> np.ndarray:
        picture = real_photo(name).convert("RGB")
        picture.thumbnail(size)
        frame = Image.new("RGB", size, (20, 20, 20))
        frame.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
        return np.asarray(frame)

    phone = scratch / "Phone"
    scenes = [(framed(n), 4.0) for n in ("coffee.png", "chelsea.png", "astronaut.png")]
    recorded = {"creation_time": "2024-06-01T16:15:00Z"}
    write_video(phone / "VID_20240601_181500.mp4", scenes, size=size, fps=10, metadata=recorded)
    for i in range(5):
        save_jpeg(phone / f"IMG_{2001 + i}.jpg", photo(60 + i, (640, 480)))
    example = scratch / "astronaut.png"
    real_photo("astronaut.png").convert("RGB").save(example)

    window = screenshot_window(scratch / "library", (1200, 780))

    window.show()
    wait(window.library_opened)
    window.index_paths([phone])
    wait(window.indexing_finished)
    window.search_actions.search_by_image(example)
    wait(window.search_finished)
    hit = window.model.item(0)
    assert hit is not None and hit.time is not None, "the video's moment is the first result"
    viewer = window.gallery_actions.open_viewer(0)
    viewer.resize(1100, 640)
    viewer.show()
    wait(ms=2500)  # it plays from the moment found
    player = viewer.player
    if player is not None:
        player.play_or_pause()  # paused, so the picture holds still
    wait(ms=800)
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    top_left = viewer.frameGeometry().topLeft()
    grabbed = screen.grabWindow(0, top_left.x(), top_left.y(), viewer.frameGeometry().width(), viewer.height())
    grabbed.save(str(ROOT / "docs" / "video.png"))
    print(f"docs/video.png: {hit.why} in {Path(hit.path).name}")
    viewer.close()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
