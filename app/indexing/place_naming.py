"""After an index run: read the GPS of images indexed before GPS was read (their header only),
then name the places of every image whose position has no name yet or was named by other data.
Both are idempotent and cheap when nothing is new (one query each)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PIL import Image
from sqlalchemy import Engine, select, update

from app.catalog.places import NamedPlace, positions_to_name, write_places
from app.catalog.schema import FileRow, ImageRow
from app.core.errors import ModelUnavailableError
from app.core.geo_points import GeoPoint, exif_point
from app.core.media_kinds import is_raw, is_video
from app.core.paths import LibraryPaths
from app.indexing.nowhere_positions import NowherePositions

log = logging.getLogger(__name__)


def name_places(
    engine: Engine, paths: LibraryPaths, stopped: Callable[[], bool] = lambda: False
) -> tuple[int, str | None]:
    """(images whose place was named now, a warning when the place data is missing). Positions
    the data named nothing for before, unchanged since, are not asked again (`NowherePositions`)."""
    from app.indexing.geocoding import data_version, geocoder

    read_missing_gps(engine, stopped)
    try:
        version = data_version()
        ids, latitudes, longitudes = positions_to_name(engine, version)
        nowhere = NowherePositions(paths, version)
        known = nowhere.known(ids, latitudes, longitudes)
        ask = ~known
        named = geocoder() if ask.any() else None  # loaded only when there is something to name
    except ModelUnavailableError as exc:
        return 0, str(exc)
    places, cleared = [], []
    if named is not None:
        asked = zip(ids[ask].tolist(), named.names(latitudes[ask], longitudes[ask]), strict=True)
        for image_id, place in asked:
            if place is None:
                cleared.append(image_id)
            else:
                places.append(NamedPlace(image_id, place.city, place.region, place.country, place.country_code))
        write_places(engine, places, cleared, named.version)
    still = known | np.isin(ids, np.asarray(cleared, np.int64))
    nowhere.keep(ids[still], latitudes[still], longitudes[still])
    return len(places), None


def read_missing_gps(engine: Engine, stopped: Callable[[], bool] = lambda: False) -> int:
    """Read the GPS of images indexed before it was read, from one of their files' header;
    returns how many were read (a file gone now is tried again next time)."""
    first_path = select(FileRow.path).where(FileRow.image_id == ImageRow.id).limit(1).scalar_subquery()
    with engine.connect() as conn:
        todo = conn.execute(select(ImageRow.id, first_path).where(ImageRow.gps_read.is_(None))).all()
    done = 0
    for image_id, path in todo:
        if stopped():
            break
        if path is None:
            continue
        try:
            point = gps_of_file(path)
        except (FileNotFoundError, PermissionError):
            continue  # gone or unreadable now: next time
        values: dict[str, float | int | None] = {"gps_read": 1, "latitude": None, "longitude": None, "altitude": None}
        if point is not None:
            values.update(latitude=point.latitude, longitude=point.longitude, altitude=point.altitude)
        with engine.begin() as conn:
            conn.execute(update(ImageRow).where(ImageRow.id == image_id).values(**values))
        done += 1
    return done


def gps_of_file(path: str) -> GeoPoint | None:
    """A file's GPS from its header (a video's container, a RAW's TIFF structure, a photo's
    EXIF), nothing decoded. Raises FileNotFoundError or PermissionError when it cannot be read now."""
    if is_video(path):
        from app.indexing.video_files import VideoError, video_place

        try:
            return video_place(path)
        except VideoError:
            return None
    if is_raw(path):
        from app.indexing.decoding import DecodeError, read_facts, read_file

        try:
            return read_facts(read_file(path)).place
        except DecodeError:
            return None
    import app.indexing.decoding  # noqa: F401  # registers the HEIF opener

    try:
        with Image.open(path) as image:
            return exif_point(image.getexif())
    except (FileNotFoundError, PermissionError):
        raise
    except Exception:  # not an image Pillow reads, or damaged EXIF: no place
        log.debug("no GPS read from %s", path, exc_info=True)
        return None
