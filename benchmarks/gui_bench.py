"""GUI responsiveness, as JSON: time to the first window, and event-loop stalls while scrolling
a gallery of 100,000 photos from top to bottom.

    xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python benchmarks/gui_bench.py [--images 100000]
    (QT_QPA_PLATFORM=offscreen works too)

The library is synthetic: catalog rows for every image and thumbnails hard-linked from a
few hundred real JPEGs (the gallery reads them exactly as it reads real ones).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_library(folder: Path, count: int) -> None:
    from PIL import Image
    from sqlalchemy import text

    from app.catalog.database import open_catalog
    from app.core.paths import LibraryPaths

    paths = LibraryPaths(folder)
    folder.mkdir(parents=True, exist_ok=True)
    engine = open_catalog(paths.catalog)
    rng = np.random.default_rng(0)
    bases = []
    for i in range(256):
        base = folder / "bases" / f"{i}.jpg"
        base.parent.mkdir(parents=True, exist_ok=True)
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        Image.new("RGB", (341, 256), colour).save(base, quality=80)
        bases.append(base)
    hashes = [f"{i:064x}" for i in range(count)]
    for i, h in enumerate(hashes):
        target = paths.thumbnail(h)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(bases[i % len(bases)], target)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, taken_at, added_at) "
                "VALUES (:i, :h, 1, 4000, 3000, 'JPEG', :t, 0)"
            ),
            [{"i": i + 1, "h": h, "t": 1.6e9 + i * 60} for i, h in enumerate(hashes)],
        )
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/photos', 1, 0, :i)"),
            [{"p": f"/photos/IMG_{i:06d}.jpg", "i": i + 1} for i in range(count)],
        )
    engine.dispose()


def first_window_seconds(library: Path) -> dict:
    code = (
        "import sys, time; t0 = time.perf_counter()\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtCore import QTimer\n"
        "from app.ui.main_window import MainWindow\n"
        "app = QApplication(sys.argv)\n"
        f"w = MainWindow(__import__('pathlib').Path({str(library)!r}))\n"
        "w.show(); app.processEvents()\n"
        "shown = time.perf_counter() - t0\n"
        "print(shown, 'torch' in sys.modules)\n"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    total = time.perf_counter() - started
    shown, torch_loaded = out.stdout.split()
    return {
        "process_to_window_seconds": round(total, 2),
        "imports_to_window_seconds": round(float(shown), 2),
        "torch_imported_before_window": torch_loaded == "True",
    }


def scroll_stalls(library: Path, count: int) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(library)
    window.resize(1200, 800)
    clock = QElapsedTimer()
    clock.start()
    window.show()
    loaded = {}
    window.gallery_refreshed.connect(lambda: loaded.setdefault("ms", clock.elapsed()))
    while "ms" not in loaded:
        app.processEvents()
        time.sleep(0.001)
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer(interval=5, timeout=tick)
    heartbeat.start()
    bar = window.gallery.verticalScrollBar()
    started = clock.elapsed()
    step = max(1, window.gallery.viewport().height() // 2)

    last_index = window.model.index(window.model.rowCount() - 1)

    def scroll() -> None:
        # The batched layout keeps growing the scroll range; stop only when the last photo shows.
        if window.gallery.viewport().rect().intersects(window.gallery.visualRect(last_index)):
            app.quit()
            return
        bar.setValue(min(bar.maximum(), bar.value() + step))

    scroller = QTimer(interval=16, timeout=scroll)
    scroller.start()
    QTimer.singleShot(600_000, app.quit)
    app.exec()
    scrolled_s = (clock.elapsed() - started) / 1000
    heartbeat.stop()
    scroller.stop()
    window.close()
    window.deleteLater()
    app.processEvents()
    gaps_arr = np.array(gaps[1:] or [0])
    return {
        "images": count,
        "gallery_loaded_ms": loaded["ms"],
        "scroll_seconds": round(scrolled_s, 1),
        "scroll_steps": int(bar.maximum() / max(1, step)),
        "scroll_range_px": bar.maximum(),
        "max_stall_ms": int(gaps_arr.max()),
        "p99_gap_ms": float(np.percentile(gaps_arr, 99)),
        "heartbeats": len(gaps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        library = Path(scratch) / "library"
        started = time.perf_counter()
        build_library(library, args.images)
        built = time.perf_counter() - started
        result = {"platform": os.environ.get("QT_QPA_PLATFORM", ""), "library_build_seconds": round(built, 1)}
        result["first_window"] = first_window_seconds(library)
        result["scroll"] = scroll_stalls(library, args.images)
    print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
