"""Reading what a person typed: `beach +sunset -people`, weights, filters.

Everything here is plain parsing; a `UserError` says what could not be read.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from app.core.errors import UserError
from app.core.names import STOP_WORDS

if TYPE_CHECKING:
    from app.catalog.search_lookups import CatalogFilters

__all__ = ["STOP_WORDS"]  # the words a search ignores live with the rules for names

KNOWN_KINDS = ("image", "object", "text")
FORMAT_ALIASES = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "bmp": "BMP",
    "gif": "GIF",
    "tif": "TIFF",
    "tiff": "TIFF",
    "heic": "HEIF",
    "heif": "HEIF",
}


@dataclass(frozen=True)
class ParsedQuery:
    """The main description, plus terms that must also match, minus terms that must not."""

    text: str
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text and not self.plus

    def describe(self) -> str:
        parts = [f'"{self.text}"'] if self.text else []
        parts += [f"+{t}" for t in self.plus] + [f"-{t}" for t in self.minus]
        return " ".join(parts)


def split_terms(raw: str) -> list[str]:
    """Words split at white space; double quotes keep words together (`+"golden hour"`).
    Apostrophes are letters ("dog's", "mom's birthday"), never quotes."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = started = False
    for char in raw:
        if char == '"':
            quoted, started = not quoted, True
        elif char.isspace() and not quoted:
            if started:
                tokens.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
    if quoted:
        raise UserError('the query has an unmatched double quote (")')
    if started:
        tokens.append("".join(current))
    return tokens


def parse_query(raw: str) -> ParsedQuery:
    tokens = split_terms(raw)
    base: list[str] = []
    plus: list[str] = []
    minus: list[str] = []
    for token in tokens:
        if token.startswith("+") and len(token) > 1:
            plus.append(token[1:])
        elif token.startswith("-") and len(token) > 1:
            minus.append(token[1:])
        elif token not in ("+", "-"):
            base.append(token)
    query = ParsedQuery(" ".join(base).strip(), tuple(plus), tuple(minus))
    if query.empty:
        if minus:
            raise UserError("a query needs something to look for, not only -terms")
        raise UserError("the query is empty")
    words = [w.lower().strip(".,;:!?'\"") for w in " ".join((query.text, *query.plus)).split()]
    if words and all(w in STOP_WORDS or not w for w in words):
        raise UserError("the query has only common words; describe what is in the photo")
    return query


def check_threshold(threshold: float | None) -> None:
    """A similarity threshold is a number (NaN would silently match nothing)."""
    if threshold is not None and not math.isfinite(threshold):
        raise UserError("the threshold must be a number (a similarity, e.g. 0.25)")


def parse_weights(text: str) -> dict[str, float]:
    """`image=1,text=0.5,animal=2` -> weights by region kind or object label."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, value = part.partition("=")
        try:
            if not sep or not kind.strip():
                raise ValueError
            number = float(value)
        except ValueError:
            raise UserError(f"cannot read weight {part!r}: write kind=number, e.g. image=1,text=0.5") from None
        if number < 0 or number != number or number == float("inf"):
            raise UserError(f"weight {part!r} must be a finite number >= 0")
        weights[kind.strip().lower()] = number
    if not weights:
        raise UserError("--weights is empty: write kind=number, e.g. image=1,text=0.5")
    return weights


@dataclass(frozen=True)
class SearchFilters:
    """Limits on where, when and what: folder prefix, date range (EXIF, else file time), formats."""

    folder: str | None = None
    after: float | None = None
    before: float | None = None
    formats: frozenset[str] = field(default_factory=frozenset)
    images: frozenset[int] | None = None  # only these images (e.g. those holding a person)
    place: str | None = None  # only images taken there: a city, region or country (`narrowed_to_place`)
    event: int | None = None  # only this event's photos (the CLI narrows `images` to them)
    album: str | None = None  # only photos in this album (or its sub-albums)
    tag: str | None = None  # only photos with this tag (or a tag below it)
    min_stars: int | None = None
    favourites: bool = False
    rejected: bool = False

    @property
    def catalog(self) -> CatalogFilters:
        """The part the catalog answers in one query (the named filters resolved to `images` first)."""
        from app.catalog.search_lookups import CatalogFilters  # the catalog's code loads with the library

        return CatalogFilters(self.folder, self.after, self.before, self.formats, self.images)

    @property
    def active(self) -> bool:
        return bool(
            self.folder
            or self.after is not None
            or self.before is not None
            or self.formats
            or self.images is not None
            or self.place
            or self.event is not None
            or self.album
            or self.tag
            or self.min_stars is not None
            or self.favourites
            or self.rejected
        )

    def describe(self) -> str:
        """The filters as a person would say them (why a photo is listed with no words)."""
        parts = []
        if self.album:
            parts.append(f"album: {self.album}")
        if self.tag:
            parts.append(f"tag: {self.tag}")
        if self.min_stars:
            parts.append(f"{self.min_stars}+ stars")
        if self.favourites:
            parts.append("favourite")
        if self.rejected:
            parts.append("rejected")
        if self.place:
            parts.append(f"place: {self.place}")
        if self.event is not None:
            parts.append(f"event {self.event}")
        if self.folder:
            parts.append(f"in {self.folder}")
        if self.after is not None or self.before is not None:
            parts.append("taken in the dates asked")
        if self.formats:
            parts.append("type: " + ", ".join(sorted(self.formats)).lower())
        return " · ".join(parts) or "every photo"

    def only(self, images: frozenset[int] | set[int]) -> SearchFilters:
        """These filters, narrowed to `images` as well."""
        allowed = frozenset(images)
        return replace(self, images=allowed if self.images is None else self.images & allowed)


def parse_date(text: str, end_of_day: bool = False) -> float:
    for pattern in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m", "%Y"):
        try:
            moment = datetime.strptime(text.strip(), pattern)
            break
        except ValueError:
            continue
    else:
        raise UserError(f"cannot read the date {text!r}: write YYYY-MM-DD (or YYYY-MM, YYYY)")
    seconds = time.mktime(moment.timetuple())
    if end_of_day and len(text.strip()) <= 10:
        seconds += 86400 - 1e-3  # "--before 2021-07-14" includes that day
    return seconds


def parse_formats(text: str) -> frozenset[str]:
    formats = set()
    for name in filter(None, (p.strip().lower().lstrip(".") for p in text.split(","))):
        if name not in FORMAT_ALIASES:
            raise UserError(f"unknown file type {name!r} (known: {', '.join(sorted(FORMAT_ALIASES))})")
        formats.add(FORMAT_ALIASES[name])
    return frozenset(formats)
