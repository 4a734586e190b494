"""Render screenshots of each view on a small real library, under Xvfb, into docs/.

    xvfb-run -a -s "-screen 0 1400x1000x24" env QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py

Builds Pillow-drawn photos, trains the tiny test CLIP on drawn shapes (about a minute) so
search and clusters mean something, indexes them through the app, and grabs the window.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tests.helpers.shapes import train_shapes_model, write_test_set

    scratch = Path(tempfile.mkdtemp(prefix="po-shots-"))
    model = train_shapes_model(scratch / "model")
    os.environ["PHOTO_ORGANIZER_MODEL"] = f"local-dir:{model}"
    photos = scratch / "Pictures"
    write_test_set(photos, per_class=4, seed=2024, size=256)

    from app.ui.main_window import MainWindow

    app = QApplication(sys.argv)
    app.setOrganizationName("photo-organizer-screenshots")
    window = MainWindow(scratch / "library")
    window.resize(1200, 780)
    window.show()
    out = ROOT / "docs"
    steps: list = []

    def shot(name: str) -> None:
        window.grab().save(str(out / f"{name}.png"))

    def next_step() -> None:
        if steps:
            steps.pop(0)()

    def empty_then_index() -> None:
        shot("empty")
        window.indexing_finished.connect(lambda _r: QTimer.singleShot(300, wait_clusters))
        window.index_paths([photos])

    def wait_clusters() -> None:
        window.clusters_refreshed.connect(lambda: QTimer.singleShot(1500, gallery))
        window.refresh_clusters()

    def gallery() -> None:
        shot("gallery")
        window.search_finished.connect(lambda: QTimer.singleShot(1500, searched))
        window.search_box.setText("red circle")
        window._run_search()

    def searched() -> None:
        shot("search")
        window.clear_search()
        window.cluster_list.setCurrentRow(2)
        QTimer.singleShot(1500, clusters)

    def clusters() -> None:
        shot("clusters")
        window.cluster_list.setCurrentRow(0)
        window.map_ready.connect(lambda: QTimer.singleShot(1500, mapped))
        window.show_map()

    def mapped() -> None:
        shot("map")
        app.quit()

    steps.append(empty_then_index)
    window.library_opened.connect(lambda: QTimer.singleShot(500, next_step))
    QTimer.singleShot(300_000, app.quit)
    app.exec()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
