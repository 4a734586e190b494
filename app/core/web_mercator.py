"""Web Mercator, the projection of every web map: longitude and latitude to a square world
whose x (west to east) and y (north to south) run from 0 to 1. The poles are infinitely far,
so latitudes past ±85.05° are drawn at the edge, as every tile server does."""

from __future__ import annotations

import numpy as np

MAX_LATITUDE = 85.0511287798  # where the square world ends (y = 0 and y = 1)


def to_world(lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """World coordinates (x, y) in [0, 1] of latitudes and longitudes in degrees."""
    lat_r = np.radians(np.clip(np.asarray(lat, np.float64), -MAX_LATITUDE, MAX_LATITUDE))
    x = (np.asarray(lon, np.float64) + 180.0) / 360.0
    y = 0.5 - np.log(np.tan(np.pi / 4 + lat_r / 2)) / (2 * np.pi)
    return x, y


def to_lat_lon(x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes in degrees of world coordinates (the inverse of `to_world`)."""
    lon = np.asarray(x, np.float64) * 360.0 - 180.0
    lat = np.degrees(2 * np.arctan(np.exp((0.5 - np.asarray(y, np.float64)) * 2 * np.pi)) - np.pi / 2)
    return lat, lon
