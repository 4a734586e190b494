"""Render docs/places.png: the Places view of a few trips' photos.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_places_screenshot.py

Photos are stamped with GPS and dates by exiftool as cameras write them (a few cities on four
continents, a day's photos scattered around each), a few more without GPS are taken between
them (their place is estimated from their event), all indexed through the app with the tests'
tiny model. The window is grabbed on the Places view, framed on Europe.
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

TRIPS = [  # city, latitude, longitude, photos, the trip's first day
    ("Lisbon", 38.7223, -9.1393, 14, "2023:07:14"),
    ("Porto", 41.1496, -8.6110, 6, "2023:07:17"),
    ("Paris", 48.8566, 2.3522, 22, "2022:04:09"),
    ("Rome", 41.9028, 12.4964, 11, "2022:10:01"),
    ("Reykjavík", 64.1466, -21.9426, 8, "2021:08:20"),
    ("Berlin", 52.5200, 13.4050, 5, "2024:03:02"),
    ("Barcelona", 41.3874, 2.1686, 9, "2024:05:11"),
    ("New York", 40.7128, -74.0060, 16, "2019:12:27"),
    ("Tokyo", 35.6762, 139.6503, 12, "2018:04:02"),
    ("Cape Town", -33.9249, 18.4241, 4, "2017:02:14"),
    ("Sydney", -33.8688, 151.2093, 7, "2016:11:05"),
]


def make_trips(folder: Path) -> None:
    import numpy as np

    from tests.helpers.images import photo, save_jpeg
    from tests.helpers.raw_files import exiftool

    rng = np.random.default_rng(7)
    seed = 0
    for city, lat, lon, count, day in TRIPS:
        trip = folder / f"{day[:4]} {city}"
        for i in range(count):
            seed += 1
            path = save_jpeg(trip / f"IMG_{seed:04d}.jpg", photo(seed, (480, 360)))
            dlat, dlon = rng.normal(0, 0.02, 2)
            exiftool(
                path,
                f"-DateTimeOriginal={day} {9 + i // 4:02d}:{(i % 4) * 15:02d}:00",
                f"-GPSLatitude={abs(lat + dlat)}",
                f"-GPSLatitudeRef={'N' if lat >= 0 else 'S'}",
                f"-GPSLongitude={abs(lon + dlon)}",
                f"-GPSLongitudeRef={'E' if lon >= 0 else 'W'}",
            )
        for i in range(2):  # from a camera without GPS, the same morning
            seed += 1
            path = save_jpeg(trip / f"DSC_{seed:04d}.jpg", photo(seed, (480, 360)))
            exiftool(path, f"-DateTimeOriginal={day} 09:{20 + i * 10:02d}:00")


def main() -> int:

    from app.core.web_mercator import to_world
    from docs.screenshot_window import screenshot_window, wait

    scratch = Path(tempfile.mkdtemp(prefix="po-places-shot-"))
    make_trips(scratch / "Pictures")

    from app.ui.window_menus import PLACES_TAB

    window = screenshot_window(scratch / "library", (1200, 760))

    window.show()
    wait(window.library_opened)
    window.index_paths([scratch / "Pictures"])
    wait(window.indexing_finished)
    window.views.setCurrentIndex(PLACES_TAB)
    wait(window.places_shown)
    panel = window.places_panel
    for item in panel._items():
        if item.text(0) in ("Portugal", "Lisbon", "France", "Italy"):
            item.setExpanded(True)
    x, y = to_world(47.0, 4.0)
    panel.map.set_view((float(x), float(y)), 4.3)
    for _frame in range(20):  # as many frames as the new tiles take
        wait(ms=50)
    panel.map.repaint()
    window.grab().save(str(ROOT / "docs" / "places.png"))
    print(f"docs/places.png: {panel.summary.text()}; a frame took {panel.map.last_frame_ms:.1f} ms")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
