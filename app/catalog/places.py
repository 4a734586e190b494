"""Places in the catalog: each image's place names (from its GPS, or estimated), what still needs
naming, the places with their counts, and the images at a place by any of its names."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, delete, func, insert, or_, select

from app.catalog.change_stamps import IMAGE_VECTORS, POSITIONS, TIMES, remembered, stamps
from app.catalog.schema import ImageRow, PlaceRow
from app.catalog.sql_helpers import chunks, id_set


@dataclass(frozen=True)
class NamedPlace:
    image_id: int
    city: str
    region: str
    country: str
    country_code: str
    estimated: bool = False


@dataclass
class PlaceSummary:
    """One city's photos: how many (estimated ones included), whether any is estimated, where
    (the mean of their positions; estimated photos have none of their own), and which."""

    country: str
    region: str
    city: str
    count: int = 0
    estimated: int = 0  # how many of `count` are estimated
    lat: float | None = None
    lon: float | None = None
    image_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "country": self.country,
            "region": self.region,
            "city": self.city,
            "count": self.count,
            "estimated": self.estimated,
            "lat": None if self.lat is None else round(self.lat, 5),
            "lon": None if self.lon is None else round(self.lon, 5),
            "image_ids": self.image_ids,
        }


def positions_to_name(engine: Engine, version: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image ids, latitudes, longitudes) of images with a position whose place is missing, was
    named by other data, or was only estimated."""
    stmt = (
        select(ImageRow.id, ImageRow.latitude, ImageRow.longitude)
        .outerjoin(PlaceRow, PlaceRow.image_id == ImageRow.id)
        .where(ImageRow.latitude.is_not(None), ImageRow.longitude.is_not(None))
        .where(or_(PlaceRow.image_id.is_(None), PlaceRow.by != version, PlaceRow.estimated != 0))
        .order_by(ImageRow.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    ids = np.array([r[0] for r in rows], np.int64)
    return ids, np.array([r[1] for r in rows], np.float64), np.array([r[2] for r in rows], np.float64)


def write_places(engine: Engine, places: Sequence[NamedPlace], cleared: Sequence[int], version: str) -> None:
    """Replace the places of `places`' images, and drop those of `cleared` (no place now)."""
    with engine.begin() as conn:
        for chunk in chunks([p.image_id for p in places] + list(cleared)):
            conn.execute(delete(PlaceRow).where(PlaceRow.image_id.in_(chunk)))
        if places:
            conn.execute(
                insert(PlaceRow),
                [
                    {
                        "image_id": p.image_id,
                        "city": p.city,
                        "region": p.region,
                        "country": p.country,
                        "country_code": p.country_code,
                        "estimated": int(p.estimated),
                        "by": version,
                    }
                    for p in places
                ],
            )


def place_summaries(engine: Engine) -> list[PlaceSummary]:
    """Every city with photos, by country, region and city name."""
    stmt = select(
        PlaceRow.country,
        PlaceRow.region,
        PlaceRow.city,
        PlaceRow.estimated,
        PlaceRow.image_id,
        ImageRow.latitude,
        ImageRow.longitude,
    ).join(ImageRow, ImageRow.id == PlaceRow.image_id)
    found: dict[tuple[str, str, str], PlaceSummary] = {}
    sums: dict[tuple[str, str, str], list[float]] = {}
    with engine.connect() as conn:
        for country, region, city, estimated, image_id, lat, lon in conn.execute(stmt):
            key = (country, region, city)
            place = found.setdefault(key, PlaceSummary(country, region, city))
            place.count += 1
            place.estimated += int(bool(estimated))
            place.image_ids.append(image_id)
            if lat is not None and lon is not None and not estimated:
                total = sums.setdefault(key, [0.0, 0.0, 0.0, 0.0])
                total[0] += float(np.cos(np.radians(lon)))  # longitudes averaged as angles
                total[1] += float(np.sin(np.radians(lon)))
                total[2] += lat
                total[3] += 1
    for key, (cos_sum, sin_sum, lat_sum, n) in sums.items():
        found[key].lat = lat_sum / n
        found[key].lon = float(np.degrees(np.arctan2(sin_sum, cos_sum)))
    for place in found.values():
        place.image_ids.sort()
    return sorted(found.values(), key=lambda p: (p.country.casefold(), p.region.casefold(), p.city.casefold()))


def place_names(engine: Engine) -> list[tuple[str, bool]]:
    """Every city, region and country the library's photos were taken in (True: a country or
    a region), for reading places in a query's words. Estimates only copy names of places
    named from GPS, so the names are remembered while those do not change (every search reads
    them: at a million photos, a tenth of a second)."""

    def named() -> str:
        with engine.connect() as conn:
            rows = conn.execute(select(PlaceRow.city, PlaceRow.region, PlaceRow.country).distinct()).all()
        names: dict[str, bool] = {}
        for city, region, country in rows:
            for name, wide in ((city, False), (region, True), (country, True)):
                if name:
                    names[name] = names.get(name, False) or wide
        return json.dumps(sorted(names.items()))

    found = json.loads(remembered(engine, "place-names", stamps(engine, POSITIONS), named, True))
    return [(str(name), bool(wide)) for name, wide in found]


def images_at_place(engine: Engine, name: str) -> frozenset[int]:
    """Images whose city, region or country is `name`, or whose country code is; case and
    accents aside ("reykjavik" is Reykjavík)."""
    wanted = folded(name)
    columns = (PlaceRow.city, PlaceRow.region, PlaceRow.country, PlaceRow.country_code)
    matching = [n for n in _place_words(engine) if folded(n) == wanted]  # each folded once, not per photo
    if not matching:
        return frozenset()
    with engine.connect() as conn:
        at = id_set(conn, select(PlaceRow.image_id).where(or_(*(column.in_(matching) for column in columns))))
    return frozenset(at.tolist())


def _place_words(engine: Engine) -> list[str]:
    """Every city, region, country and country code of the library's places, remembered as
    `place_names` are (at a million photos, 0.085 s of a search within a place)."""

    def listed() -> str:
        columns = (PlaceRow.city, PlaceRow.region, PlaceRow.country, PlaceRow.country_code)
        with engine.connect() as conn:
            return json.dumps(sorted({n for row in conn.execute(select(*columns).distinct()) for n in row if n}))

    return [
        str(word) for word in json.loads(remembered(engine, "place-words", stamps(engine, POSITIONS), listed, True))
    ]


def folded(name: str) -> str:
    """A place name as compared: single spaces, no case, no accents."""
    plain = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def count_placed(engine: Engine) -> tuple[int, int]:
    """(images with a place, of which estimated)."""
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(PlaceRow)).scalar_one())
        estimated = int(
            conn.execute(select(func.count()).select_from(PlaceRow).where(PlaceRow.estimated != 0)).scalar_one()
        )
    return total, estimated


ESTIMATED_BY = "event"  # what `by` says of an estimated place


def own_places(engine: Engine) -> tuple[dict[int, NamedPlace], set[int]]:
    """(the places named from images' own GPS, by image id; every image with a position)."""
    columns = (PlaceRow.image_id, PlaceRow.city, PlaceRow.region, PlaceRow.country, PlaceRow.country_code)
    with engine.connect() as conn:
        named = {r[0]: NamedPlace(*r) for r in conn.execute(select(*columns).where(PlaceRow.estimated == 0))}
        located = set(conn.execute(select(ImageRow.id).where(ImageRow.latitude.is_not(None))).scalars())
    return named, located


ESTIMATED_FOR = "estimated_places_for"  # meta: what the estimated places were last made from


def estimate_inputs(engine: Engine) -> str:
    """What estimated places are made from, as change stamps (`app.catalog.change_stamps`): the
    photos' times and files, their whole-image vectors (the events') and their positions with
    the places named from them. One query, so `status` at a million photos does not remake a
    million estimates, nor read a million rows, to find that nothing changed."""
    return stamps(engine, TIMES, IMAGE_VECTORS, POSITIONS)


def replace_estimates(engine: Engine, estimates: Sequence[NamedPlace]) -> None:
    """The estimated places become `estimates` (each image with no place of its own)."""
    with engine.begin() as conn:
        conn.execute(delete(PlaceRow).where(PlaceRow.estimated != 0))
        if estimates:
            conn.execute(
                insert(PlaceRow),
                [
                    {
                        "image_id": p.image_id,
                        "city": p.city,
                        "region": p.region,
                        "country": p.country,
                        "country_code": p.country_code,
                        "estimated": 1,
                        "by": ESTIMATED_BY,
                    }
                    for p in estimates
                ],
            )


def photo_positions(engine: Engine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image ids, latitudes, longitudes) of every image with a position of its own."""
    stmt = (
        select(ImageRow.id, ImageRow.latitude, ImageRow.longitude)
        .where(ImageRow.latitude.is_not(None), ImageRow.longitude.is_not(None))
        .order_by(ImageRow.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    table = np.array(rows, np.float64)
    return table[:, 0].astype(np.int64), table[:, 1], table[:, 2]
