"""A search kept as a smart album: its words, person, filters and cut, as JSON in the catalog.
Each time the album is shown its search runs again, so photos added, tagged or starred since
join it and those that no longer match leave it. An event (its id changes as events form) and
an example photo (a file that may go) are not kept; the filters that name things are."""

from __future__ import annotations

import math
from typing import Any

from app.core.errors import UserError
from app.search.query import SearchFilters
from app.search.request import MOST_RESULTS, SearchRequest

DEFAULT_SMART_RESULTS = 200  # a smart album with words holds at most this many photos (as the window's search)
MOST_NESTED = 4  # smart albums that filter by other smart albums, at most this deep


def saved_search(request: SearchRequest) -> dict[str, Any]:
    """What a smart album keeps of a search (JSON-safe); an example photo or an event cannot be kept."""
    if request.image is not None:
        raise UserError("a search by an example photo cannot be kept as a smart album (words and filters can)")
    filters = request.filters
    if filters.event is not None or filters.images is not None:
        raise UserError("a search within an event or a set of photos cannot be kept as a smart album")
    return {
        "text": request.words,
        "person": request.person,
        "top_k": request.top_k,
        "threshold": request.threshold,
        "auto_cut": request.auto_cut,
        "weights": dict(request.weights),
        "filters": {
            "folder": filters.folder,
            "after": filters.after,
            "before": filters.before,
            "formats": sorted(filters.formats),
            "place": filters.place,
            "album": filters.album,
            "tag": filters.tag,
            "min_stars": filters.min_stars,
            "favourites": filters.favourites,
            "rejected": filters.rejected,
        },
    }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def search_of(kept: object, album: str) -> SearchRequest:
    """The search a smart album keeps, checked as any other (a catalog written by someone else
    gives a clear error naming the album, never a traceback)."""
    if not isinstance(kept, dict) or not isinstance(kept.get("filters", {}), dict):
        raise UserError(f"the smart album {album!r} keeps a search that cannot be read; delete it and save it again")
    f = kept.get("filters", {})
    stars = _number(f.get("min_stars"))
    filters = SearchFilters(
        folder=_text(f.get("folder")),
        after=_number(f.get("after")),
        before=_number(f.get("before")),
        formats=frozenset(x for x in f.get("formats") or [] if isinstance(x, str)),
        place=_text(f.get("place")),
        album=_text(f.get("album")),
        tag=_text(f.get("tag")),
        min_stars=int(stars) if stars is not None else None,
        favourites=f.get("favourites") is True,
        rejected=f.get("rejected") is True,
    )
    weights = kept.get("weights")
    weights = weights if isinstance(weights, dict) else {}
    top_k = _number(kept.get("top_k"))
    words, person = _text(kept.get("text")), _text(kept.get("person"))
    listing = words is None
    return SearchRequest(
        words,
        top_k=MOST_RESULTS if listing else int(min(max(1, top_k or DEFAULT_SMART_RESULTS), MOST_RESULTS)),
        threshold=_number(kept.get("threshold")),
        weights={str(k): float(v) for k, v in weights.items() if _number(v) is not None},
        filters=filters,
        auto_cut=kept.get("auto_cut") is True,
        person=person,
    ).checked()
