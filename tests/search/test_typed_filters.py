"""Filters typed in the window's search bar, as on the command line."""

from __future__ import annotations

import pytest

from app.core.errors import UserError
from app.search.typed_filters import typed_filters


@pytest.mark.parametrize(
    ("typed", "words", "filters"),
    [
        ('beach --album "Trips/Lisbon 2023" --min-stars 4', "beach", {"album": "Trips/Lisbon 2023", "min_stars": 4}),
        ("--favourites --album X", "", {"favourites": True, "album": "X"}),
        ("--favorites beach", "beach", {"favourites": True}),
        ("beach +sunset -people --tag Family/Anna", "beach +sunset -people", {"tag": "Family/Anna"}),
        ('+"golden hour" --rejected', '+"golden hour"', {"rejected": True}),
        ("--min-stars=3 cat", "cat", {"min_stars": 3}),
        ("a --place Lisbon b", "a b", {"place": "Lisbon"}),
        ("re--entry x-ray", "re--entry x-ray", {}),
        ("--type jpg,png dog", "dog", {"formats": frozenset({"JPEG", "PNG"})}),
    ],
)
def test_filters_come_out_of_the_words(typed, words, filters):
    found_words, found = typed_filters(typed)
    assert found_words == words
    for name, value in filters.items():
        assert getattr(found, name) == value
    assert found.active == bool(filters)


def test_after_and_before_are_dates():
    _words, found = typed_filters("--after 2023-07-01 --before 2023-07-31")
    assert found.after is not None and found.before is not None and found.before - found.after > 30 * 86400


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("--nope x", "--nope is not a filter"),
        ("--album", "--album needs a value"),
        ("--album --tag x", "--album needs a value"),
        ("--min-stars 9", "from 0 to 5"),
        ("--after yesterday", "date"),
    ],
)
def test_a_filter_it_cannot_read_says_so(typed, said):
    with pytest.raises(UserError, match=said):
        typed_filters(typed)
