"""One search as a person asked for it: words, an example photo, or both, with everything that
narrows or ranks it. Checked once, in one place (`checked()`), before any model loads; new ways
to narrow a search (albums, places, dates) are new fields, never new parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.core.errors import UserError
from app.search.query import SearchFilters, check_threshold, parse_query

MOST_RESULTS = 100_000


NOTHING_TO_SEARCH = (
    "give words to search for, an image (--image FILE), a person (--person NAME), a filter "
    "(--album, --tag, --min-stars, --favourites, --place, --event, dates), or a mix"
)


@dataclass(frozen=True)
class SearchRequest:
    text: str | None = None
    image: Path | str | None = None  # an example photo: a file inside the library or not
    top_k: int = 20
    threshold: float | None = None
    weights: Mapping[str, float] = field(default_factory=dict)  # per region kind or object label
    image_weight: float = 0.5  # with words and a photo: the photo's share of the mix
    filters: SearchFilters = field(default_factory=SearchFilters)
    auto_cut: bool = False  # stop at the largest drop in score
    person: str | None = None  # only photos with this person
    literal: bool = False  # the words as they are: no dates, places or names read from them

    @property
    def words(self) -> str | None:
        """The words, if there are any besides white space."""
        return self.text if self.text is not None and self.text.strip() else None

    def checked(self) -> SearchRequest:
        """This request, or a UserError saying what is wrong with it (before any model loads)."""
        if not 1 <= self.top_k <= MOST_RESULTS:
            raise UserError(f"the number of results (--top-k) must be from 1 to {MOST_RESULTS:,}")
        if not 0.0 <= self.image_weight <= 1.0:  # false for NaN too
            raise UserError("the image weight (--image-weight) must be between 0 and 1")
        check_threshold(self.threshold)
        if self.filters.min_stars is not None:
            from app.catalog.photo_marks import checked_stars

            checked_stars(self.filters.min_stars)
        if self.words is None and self.image is None and not (self.person or "").strip() and not self.filters.active:
            raise UserError(NOTHING_TO_SEARCH)
        if self.words is not None:
            parse_query(self.words)  # words it cannot read fail here, not after the model loaded
        return self

    def narrowed(self, filters: SearchFilters) -> SearchRequest:
        return replace(self, filters=filters)
