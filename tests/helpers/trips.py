"""A trip's photos as a phone writes them: dates and GPS stamped by exiftool (two in Lisbon, one
in Porto, one in Sydney), and one from a camera without GPS taken between the Lisbon two (its
place is estimated from its event)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.images import photo, save_jpeg
from tests.helpers.raw_files import exiftool

SHOTS = {  # name: (latitude, longitude, taken)
    "lisbon tram.jpg": (38.7223, -9.1393, "2023:07:14 10:00:00"),
    "lisbon castle.jpg": (38.7139, -9.1334, "2023:07:14 10:20:00"),
    "porto bridge.jpg": (41.1400, -8.6110, "2023:07:16 18:00:00"),
    "sydney opera.jpg": (-33.8568, 151.2153, "2024:01:02 09:00:00"),
}
NO_GPS = "lisbon cafe.jpg"


def write_trip(folder: Path) -> Path:
    for i, (name, (lat, lon, taken)) in enumerate(SHOTS.items()):
        path = save_jpeg(folder / name, photo(40 + i, (320, 240)))
        exiftool(
            path,
            f"-DateTimeOriginal={taken}",
            f"-GPSLatitude={abs(lat)}",
            f"-GPSLatitudeRef={'N' if lat >= 0 else 'S'}",
            f"-GPSLongitude={abs(lon)}",
            f"-GPSLongitudeRef={'E' if lon >= 0 else 'W'}",
        )
    exiftool(save_jpeg(folder / NO_GPS, photo(60, (320, 240))), "-DateTimeOriginal=2023:07:14 10:10:00")
    return folder
