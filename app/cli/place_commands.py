"""`places`: where the photos were taken, by country, region and city, with counts."""

from __future__ import annotations

import argparse

from app.cli.common import emit, open_library, refresh_estimated_places


def cmd_places(args: argparse.Namespace) -> int:
    from app.catalog.places import place_summaries

    with open_library(args) as library:
        refresh_estimated_places(library)
        places = place_summaries(library.engine)
    lines = []
    for place in places:
        estimated = f" ({place.estimated} estimated)" if place.estimated else ""
        where = ", ".join(part for part in (place.city, place.region, place.country) if part)
        lines.append(f"{place.count:>7}  {where}{estimated}")
    human = "\n".join(lines) or "no photo has a place yet (only photos with GPS, and those near them in time, get one)"
    emit(args, {"places": [p.to_json() for p in places]}, human)
    return 0
