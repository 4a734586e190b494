"""Render docs/timeline.png (the gallery by day with the date scrubber), docs/albums.png (an
album open in the gallery, with stars, favourites and a reject on the thumbnails) and
docs/memories.png (the Memories view).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_organising_screenshots.py

Real photos (scikit-image's samples, as the duplicate tests use them) and drawn ones are dated
by exiftool over several summers, indexed through the app with the tests' tiny model, put in
albums, rated and marked through the window's own actions; "today" is 14 July 2024.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PHOTO_ORGANIZER_MODEL", "PO-Tiny")
os.environ.setdefault("PHOTO_ORGANIZER_PRETRAINED", "random")
for switch in ("DETECT", "OCR", "FACES"):
    os.environ[f"PHOTO_ORGANIZER_{switch}"] = "0"

REAL = ["astronaut.png", "coffee.png", "chelsea.png", "china.jpg", "flower.jpg", "brick.png"]


def make_photos(folder: Path) -> None:
    from tests.helpers.duplicate_corpus import real_photo
    from tests.helpers.images import photo, save_jpeg
    from tests.helpers.raw_files import exiftool

    seed = 0
    for year in (2021, 2022, 2023):
        for i, name in enumerate(REAL):
            seed += 1
            picture = real_photo(name).convert("RGB")
            picture.thumbnail((640, 480))
            path = folder / f"Summer {year}" / f"IMG_{seed:04d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            picture.save(path, quality=90)
            exiftool(path, f"-DateTimeOriginal={year}:07:{14 if i < 3 else 20} {10 + i}:00:00")
        for i in range(4):
            seed += 1
            path = save_jpeg(folder / f"Summer {year}" / f"DSC_{seed:04d}.jpg", photo(seed, (640, 480)))
            exiftool(path, f"-DateTimeOriginal={year}:07:14 {15 + i}:30:00")
    for i in range(5):  # this month's day out
        seed += 1
        path = save_jpeg(folder / "2024" / f"IMG_{seed:04d}.jpg", photo(seed, (640, 480)))
        exiftool(path, f"-DateTimeOriginal=2024:07:06 {11 + i}:00:00")


def main() -> int:
    from PySide6.QtCore import QItemSelectionModel

    from docs.screenshot_window import screenshot_window, wait

    scratch = Path(tempfile.mkdtemp(prefix="po-organising-shot-"))
    make_photos(scratch / "Pictures")

    from app.ui.window_menus import MEMORIES_TAB

    window = screenshot_window(scratch / "library", (1200, 780))

    window.show()
    wait(window.library_opened)
    window.index_paths([scratch / "Pictures"])
    wait(window.indexing_finished)
    wait(ms=1500)
    window.gallery.verticalScrollBar().setValue(0)
    wait(ms=600)
    window.grab().save(str(ROOT / "docs" / "timeline.png"))
    organising = window.controller.organising

    def ids_in(folder: str) -> list[int]:
        return [
            window.model.item(r).image_id
            for r in range(window.model.rowCount())
            if f"/{folder}/" in window.model.item(r).path
        ]

    for year in (2021, 2022, 2023):
        organising.create_album(f"Summers/{year}", ids_in(f"Summer {year}"))
        wait(window.albums_shown)
    organising.create_album("Family")
    wait(window.albums_shown)

    def select(ids: list[int]) -> None:
        selection = window.gallery.selectionModel()
        selection.clear()
        for image_id in ids:
            row = window.model.row_of(image_id)
            if row is not None:
                selection.select(window.model.index(row), QItemSelectionModel.SelectionFlag.Select)

    chosen = ids_in("Summer 2023")
    for ids, key in ((chosen[:3], "5"), (chosen[3:6], "3"), (chosen[:2], "F"), (chosen[7:8], "X")):
        select(ids)
        window.organising_actions.key_pressed(key)
        wait(window.gallery_refreshed)
    window.organising_actions.show_album("Summers/2023")
    wait(ms=1500)
    window.gallery.clearSelection()
    window.side.albums.list.setCurrentRow(window.side.albums.names().index("Summers/2023"))
    wait(ms=600)
    window.grab().save(str(ROOT / "docs" / "albums.png"))

    window.controller.memories._today = lambda: date(2024, 7, 14)
    window.views.setCurrentIndex(MEMORIES_TAB)
    wait(window.memories_shown)
    wait(ms=1500)
    window.grab().save(str(ROOT / "docs" / "memories.png"))
    cards = window.memories_panel.model.rowCount()
    print(f"docs/timeline.png, docs/albums.png, docs/memories.png ({cards} memories)")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
