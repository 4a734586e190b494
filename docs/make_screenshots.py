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
    from PySide6.QtWidgets import QApplication

    from docs.screenshot_window import wait
    from tests.helpers.images import save_jpeg, word_photo
    from tests.helpers.shapes import train_shapes_model, write_test_set

    scratch = Path(tempfile.mkdtemp(prefix="po-shots-"))
    model = train_shapes_model(scratch / "model")
    os.environ["PHOTO_ORGANIZER_MODEL"] = f"local-dir:{model}"
    photos = scratch / "Pictures"
    write_test_set(photos, per_class=4, seed=2024, size=256)
    from tests.helpers.dated_photos import shoot_five_events

    shoot_five_events(photos / "Camera")  # five events over four days, by their EXIF dates
    for i, word in enumerate(("BAKERY", "PHARMACY")):  # shop fronts: found by the word on the sign
        save_jpeg(photos / "street" / f"shop{i}.jpg", word_photo(word, seed=40 + i, size=(640, 480))[0])
    os.environ["PHOTO_ORGANIZER_OCR"] = "1"  # EasyOCR's weights ship with the app
    os.environ["PHOTO_ORGANIZER_DETECT"] = "0"  # detector weights cannot be downloaded here

    from app.ui.main_window import MainWindow

    app = QApplication(sys.argv)
    app.setOrganizationName("photo-organizer-screenshots")
    from PySide6.QtCore import QSettings

    QSettings().clear()  # start from the default layout, whatever an earlier run left
    window = MainWindow(scratch / "library")
    window.resize(1200, 780)
    out = ROOT / "docs"

    def shot(name: str) -> None:
        wait(ms=1500)  # thumbnails load in the background
        window.grab().save(str(out / f"{name}.png"))

    window.show()
    wait(window.library_opened)
    shot("empty")
    window.index_paths([photos])
    wait(window.indexing_finished)
    window.controller.organise.refresh_clusters()
    wait(window.clusters_refreshed)
    shot("gallery")

    window.search_box.setText("red circle")
    window.search_bar.request_search()
    wait(window.search_finished)
    shot("search")

    window.search_bar.list_button.setChecked(True)
    window.search_box.setText("bakery")
    window.search_bar.request_search()
    wait(window.search_finished)
    shot("text-search")

    window.search_bar.list_button.setChecked(False)
    window.clear_search()
    window.views.setCurrentIndex(1)
    shot("clusters")
    window.clusters_panel.by_events.click()
    shot("events")
    window.clusters_panel.by_similarity.click()

    window.show_map()
    wait(window.map_ready)
    shot("map")

    # Names: a name taught from four photos (the Names list, the one-line report, then a search
    # for it in a sentence).
    kites = sorted(str(p) for p in photos.glob("yellow-triangle-*.png"))
    window.views.setCurrentIndex(0)
    window.controller.names.teach("the kite", kites)
    wait(window.names_refreshed)
    report = window.status_label.text()
    window.search_box.setText("the kite")
    window.search_bar.request_search()
    wait(window.search_finished)
    window.say(report)
    shot("names")

    # Duplicates: real photos with copies, re-encodes and a burst (the tests' corpus).
    from tests.helpers.duplicate_corpus import build_corpus

    window.clear_search()
    corpus = build_corpus(scratch / "Duplicates")
    window.index_paths([corpus.root])
    wait(window.indexing_finished)
    window.views.setCurrentIndex(4)
    wait(window.duplicates_shown)
    same = next(i for i, c in enumerate(window.duplicates_panel.cards) if c.tier == "same")
    window.controller.duplicates.choose(same)
    shot("duplicates")

    # People: real photos of two real people (the face_recognition package's test photos, from
    # the package registry), a group photo of both and photos of nobody; faces switched on as
    # Settings does, and one person named.
    from dataclasses import replace

    window.clear_search()

    from tests.helpers.faces import people_folder

    library = window.library
    assert library is not None
    window.controller.use_settings(replace(library.settings, find_faces=True))
    window.index_paths([people_folder(scratch / "People")])
    wait(window.indexing_finished)
    wait(window.people_refreshed, ms=0) if not window.people_panel.model.rowCount() else None
    first = window.people_panel.model.card(0)
    if first is not None:
        window.controller.people.name(first.id, "Barack")
        wait(window.people_refreshed)
        window.controller.people.open_person(first.id)
        wait(window.person_opened)
    window.views.setCurrentIndex(3)
    shot("people")
    window.close()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
