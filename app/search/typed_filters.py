"""Filters typed in the window's search bar as on the command line: `beach --album "Trips/Lisbon
2023" --min-stars 4`. What is left are the words; with filters alone the words are optional."""

from __future__ import annotations

import re
from dataclasses import replace

from app.core.errors import UserError
from app.search.query import SearchFilters, parse_date, parse_formats

_WITH_VALUE = ("album", "tag", "place", "min-stars", "after", "before", "type", "folder")
_FLAGS = {"favourites": "favourites", "favorites": "favourites", "rejected": "rejected"}
_OPTION = re.compile(r'(?<!\S)--([A-Za-z-]+)(?:=|\s+)?((?!--)(?:"[^"]*"|[^\s"]+))?')
KNOWN = ", ".join(f"--{name}" for name in (*_WITH_VALUE, "favourites", "rejected"))


def typed_filters(raw: str) -> tuple[str, SearchFilters]:
    """The words and the filters in what was typed; an unknown or incomplete filter is a
    UserError that says which filters there are."""
    filters = SearchFilters()
    words: list[str] = []
    at = 0
    for match in _OPTION.finditer(raw):
        name, value = match.group(1).lower(), match.group(2)
        if name in _FLAGS:
            flag = _FLAGS[name]
            filters = replace(filters, favourites=True) if flag == "favourites" else replace(filters, rejected=True)
            words.append(raw[at : match.start()])
            at = match.start() + 2 + len(match.group(1))  # a flag takes no value: what follows is words
            continue
        if name not in _WITH_VALUE:
            raise UserError(f"--{name} is not a filter the search bar knows; it knows {KNOWN}")
        if value is None:
            raise UserError(f"--{name} needs a value, e.g. --{name} {_EXAMPLES[name]}")
        filters = _with(filters, name, value.strip('"').strip())
        words.append(raw[at : match.start()])
        at = match.end()
    words.append(raw[at:])
    return " ".join(" ".join(words).split()), filters


_EXAMPLES = {
    "album": '"Trips/Lisbon 2023"',
    "tag": "Family/Anna",
    "place": "Lisbon",
    "min-stars": "4",
    "after": "2023-07-01",
    "before": "2023-07-31",
    "type": "jpeg,png",
    "folder": "~/Pictures/2023",
}


def _with(filters: SearchFilters, name: str, value: str) -> SearchFilters:
    import os

    if not value:
        raise UserError(f"--{name} needs a value, e.g. --{name} {_EXAMPLES[name]}")
    if name == "min-stars":
        if not value.isdigit() or not 0 <= int(value) <= 5:
            raise UserError("--min-stars is a number of stars from 0 to 5")
        return replace(filters, min_stars=int(value))
    if name == "after":
        return replace(filters, after=parse_date(value))
    if name == "before":
        return replace(filters, before=parse_date(value, end_of_day=True))
    if name == "type":
        return replace(filters, formats=parse_formats(value))
    if name == "folder":
        return replace(filters, folder=os.path.abspath(os.path.expanduser(value)))
    if name == "album":
        return replace(filters, album=value)
    if name == "tag":
        return replace(filters, tag=value)
    return replace(filters, place=value)
