"""Drawn shapes saved as JPEGs with EXIF dates: five events over four days, with a burst, a
long lunch break, a change of subject without a pause, and a night past midnight."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import numpy as np

from tests.helpers.images import exif_with
from tests.helpers.shapes import draw


def at(text: str) -> float:
    """Local time, as the app reads EXIF dates."""
    return time.mktime(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").timetuple())


def series(start: str, count: int, every: float) -> list[float]:
    return [at(start) + i * every for i in range(count)]


def shoot(folder: Path, colour: str, shape: str, times: list[float], rng: np.random.Generator) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for moment in times:
        path = folder / f"{colour}-{shape}-{len(list(folder.glob('*.jpg'))):03d}.jpg"
        taken = datetime.fromtimestamp(moment).strftime("%Y:%m:%d %H:%M:%S")
        draw(colour, shape, rng, 128).save(path, "JPEG", quality=92, exif=exif_with(date=taken))
        paths.append(str(path))
    return paths


def shoot_five_events(folder: Path) -> list[list[str]]:
    """The photos of each event, oldest event first."""
    rng = np.random.default_rng(5)
    morning = series("2024-05-11 10:00:00", 8, 120) + series("2024-05-11 10:20:00", 4, 1)  # with a burst
    return [
        shoot(folder, "red", "circle", morning, rng),
        shoot(folder, "blue", "square", series("2024-05-11 15:30:00", 6, 180), rng),  # after lunch
        shoot(folder, "yellow", "triangle", series("2024-05-13 09:00:00", 6, 120), rng),
        shoot(folder, "green", "circle", series("2024-05-13 09:12:00", 6, 120), rng),  # no pause
        shoot(folder, "green", "triangle", series("2024-05-14 22:00:00", 4, 3600), rng),  # past midnight
    ]
