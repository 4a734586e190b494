"""Dates in a query's words, read deterministically: "July 2023", "2019", "summer 2022", "last
winter", "yesterday", "christmas 2019", "2019-2021", "between March and May 2020", "14 July
2023", in the languages chosen (`date_words`). Words that only look like dates stay words: a
month alone counts only after a word like "in" ("flowers in may", never "may flowers" or "march
of the penguins"), a season or a holiday alone never ("summer dress"), a weekday never
("sunday best"). Each date found is a range of days, the end excluded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.search.date_words import ARTICLES, YEAR_JOINERS, DateWords
from app.search.query_tokens import Token

_YEAR_RANGE = re.compile(r"^(\d{4})[-–/](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DAY = re.compile(r"^(\d{1,2})(?:\.|st|nd|rd|th|º|er|e)?$")


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # the day after the last


@dataclass(frozen=True)
class FoundDate:
    first: int  # the tokens it was said with: first..last-1
    last: int
    range: DateRange


def _month(year: int, month: int) -> DateRange:
    return DateRange(date(year, month, 1), date(year + month // 12, month % 12 + 1, 1))


def _season(year: int, start_month: int) -> DateRange:
    """Winter YEAR runs from December of the year before to the end of February."""
    first = date(year - 1, 12, 1) if start_month == 12 else date(year, start_month, 1)
    return DateRange(first, date(year, 3, 1) if start_month == 12 else date(year, start_month + 3, 1))


def _holiday(year: int, when: tuple[int, int, int]) -> DateRange:
    month, day, days = when
    if month == 0:
        from dateutil.easter import easter

        first = easter(year) + timedelta(days=day)
    else:
        first = date(year, month, day)
    return DateRange(first, first + timedelta(days=days))


class DateReader:
    def __init__(self, words: DateWords, today: date) -> None:
        self.words, self.today = words, today

    def find(self, tokens: Sequence[Token]) -> list[FoundDate]:
        found: list[FoundDate] = []
        i = 0
        while i < len(tokens):
            after_cue = i > 0 and tokens[i - 1].word in self.words.cues  # "in July": a month alone will do
            hit = None if tokens[i].protected else self._range(tokens, i) or self._dated(tokens, i, after_cue)
            if hit is None:
                i += 1
                continue
            first = i
            while first > 0 and tokens[first - 1].word in self.words.cues and not tokens[first - 1].protected:
                first -= 1  # "in", "during", "im", "en": said with the date
            found.append(FoundDate(first, hit[1], hit[0]))
            i = hit[1]
        return found

    # --- one date ---------------------------------------------------------------------------

    def _year(self, tokens: Sequence[Token], i: int) -> int | None:
        if i < len(tokens) and not tokens[i].protected and re.fullmatch(r"\d{4}", tokens[i].word):
            year = int(tokens[i].word)
            return year if 1900 <= year <= self.today.year + 1 else None
        return None

    def _year_after(self, tokens: Sequence[Token], i: int) -> tuple[int | None, int]:
        """A year at i ("July 2023"), or after "de" ("julio de 2023"), and where it ends."""
        if i < len(tokens) and tokens[i].word in YEAR_JOINERS and self._year(tokens, i + 1) is not None:
            return self._year(tokens, i + 1), i + 2
        year = self._year(tokens, i)
        return (year, i + 1) if year is not None else (None, i)

    def _phrase(self, tokens: Sequence[Token], i: int, table: dict) -> tuple[object, int] | None:
        for size in (4, 3, 2, 1):
            key = tuple(t.word for t in tokens[i : i + size])
            if len(key) == size and key in table and not any(t.protected for t in tokens[i : i + size]):
                return table[key], i + size
        return None

    def _dated(self, tokens: Sequence[Token], i: int, bare_month: bool = False) -> tuple[DateRange, int] | None:
        """A date beginning at token i (bare_month: a month with no year is enough, as in a
        range "between March and May 2020" or after "in")."""
        relative = self._relative(tokens, i)
        if relative is not None:
            return relative
        which, at = self._which(tokens, i)
        word = tokens[at].word if at < len(tokens) else ""
        holiday = self._phrase(tokens, at, self.words.holidays)
        if holiday is not None:
            when, end = holiday
            year, end = self._year_after(tokens, end)
            which, end = self._postfix(tokens, end, which)
            return self._pick(year, which, lambda y: _holiday(y, when), end)  # type: ignore[arg-type]
        if word in self.words.seasons:
            start = self.words.seasons[word]
            year, end = self._year_after(tokens, at + 1)
            which, end = self._postfix(tokens, end, which)
            return self._pick(year, which, lambda y: _season(y, start), end)
        if word in self.words.months or (at == i and _DAY.match(word)):
            return self._month_or_day(tokens, at, which, bare_month or which is not None)
        iso = _ISO.match(word) if at == i else None
        if iso and 1 <= int(iso.group(2)) <= 12:
            year, month = int(iso.group(1)), int(iso.group(2))
            if iso.group(3):
                day = _safe_date(year, month, int(iso.group(3)))
                return (DateRange(day, day + timedelta(days=1)), i + 1) if day else None
            return _month(year, month), i + 1
        span = _YEAR_RANGE.match(word) if at == i else None
        if span and 1900 <= int(span.group(1)) <= int(span.group(2)) <= self.today.year + 1:
            return DateRange(date(int(span.group(1)), 1, 1), date(int(span.group(2)) + 1, 1, 1)), i + 1
        year = self._year(tokens, i)
        return (DateRange(date(year, 1, 1), date(year + 1, 1, 1)), i + 1) if year is not None else None

    def _month_or_day(
        self, tokens: Sequence[Token], i: int, which: str | None, bare_month: bool
    ) -> tuple[DateRange, int] | None:
        """ "July 2023", "14 July 2023", "14. Juli 2023", "14 de julio de 2023", "July 14, 2023";
        "July" alone when `bare_month` (and it is a month's full name)."""
        day = None
        at = i
        if _DAY.match(tokens[i].word):
            day = int(_DAY.match(tokens[i].word).group(1))  # type: ignore[union-attr]
            at = i + 1 + (i + 1 < len(tokens) and tokens[i + 1].word in YEAR_JOINERS)
            if at >= len(tokens) or tokens[at].word not in self.words.months:
                return None
        month = self.words.months[tokens[at].word]
        end = at + 1
        if day is None and end < len(tokens) and _DAY.match(tokens[end].word) and self._year(tokens, end + 1):
            day, end = int(_DAY.match(tokens[end].word).group(1)), end + 1  # type: ignore[union-attr]
        year, end = self._year_after(tokens, end)
        if year is None:
            full = tokens[at].word in self.words.full_months
            if day is not None or not (bare_month and full):
                return None
            which, end = self._postfix(tokens, end, which)
            return self._pick(None, which or "recent", lambda y: _month(y, month), end)
        if day is not None:
            found = _safe_date(year, month, day)
            return (DateRange(found, found + timedelta(days=1)), end) if found else None
        return _month(year, month), end

    def _which(self, tokens: Sequence[Token], i: int) -> tuple[str | None, int]:
        """ "last" or "this" before the date (and an article: "the", "le"), and where it starts."""
        at, which = i, None
        if at < len(tokens) and tokens[at].word in self.words.last_before:
            which, at = "last", at + 1
        elif at < len(tokens) and tokens[at].word in self.words.this_before:
            which, at = "this", at + 1
        if which is None and at < len(tokens) and tokens[at].word in ARTICLES:
            at += 1  # "l'été dernier", "el verano pasado"
        return which, at

    def _postfix(self, tokens: Sequence[Token], i: int, which: str | None) -> tuple[str | None, int]:
        if i < len(tokens) and tokens[i].word in self.words.last_after:
            return "last", i + 1
        return which, i

    def _pick(self, year: int | None, which: str | None, make, end: int) -> tuple[DateRange, int] | None:  # type: ignore[no-untyped-def]
        """The one a year names; with no year, the last one over ("last"), this year's ("this"),
        or the latest begun ("recent"); with neither, not a date (a season alone is a look)."""
        today = self.today
        if year is not None:
            return make(year), end
        if which == "this":  # the one under way, else this year's
            under_way = [make(y) for y in (today.year, today.year + 1) if make(y).start <= today < make(y).end]
            return (under_way[0] if under_way else make(today.year)), end
        if which == "last":
            for year in (today.year, today.year - 1, today.year - 2):
                found = make(year)
                if found.end <= today:
                    return found, end
        if which == "recent":
            for year in (today.year, today.year - 1):
                found = make(year)
                if found.start <= today:
                    return found, end
        return None

    def _relative(self, tokens: Sequence[Token], i: int) -> tuple[DateRange, int] | None:
        """ "yesterday", "last week", "ce mois-ci", "letztes Jahr"; "3 years ago"."""
        found = self._phrase(tokens, i, self.words.relative)
        today = self.today
        if found is None:
            if (
                i + 2 < len(tokens)
                and tokens[i].word.isdigit()
                and tokens[i + 2].word == "ago"
                and "en" in self.words.languages
            ):
                unit = tokens[i + 1].word.rstrip("s")
                if unit in ("day", "week", "month", "year") and 0 < int(tokens[i].word) < 200:
                    return _back(today, unit, int(tokens[i].word)), i + 3
            return None
        said, end = found
        assert isinstance(said, tuple)
        return _back(today, str(said[0]), int(said[1])), end

    # --- ranges ---------------------------------------------------------------------------------

    def _range(self, tokens: Sequence[Token], i: int) -> tuple[DateRange, int] | None:
        """ "between March and May 2020", "from 2019 to 2021", "von 2019 bis 2021", "2019 to 2021"."""
        word = tokens[i].word
        pairs = [self.words.between, self.words.from_to]
        opening = [pair for pair in pairs if word in pair[0]]
        start_at = i + 1 if opening else i
        joiners = set().union(*(pair[1] for pair in opening)) if opening else self.words.from_to[1]
        first = self._dated(tokens, start_at, bare_month=bool(opening))
        if first is None or first[1] >= len(tokens) or tokens[first[1]].word not in joiners:
            return None
        second = self._dated(tokens, first[1] + 1, bare_month=True)
        if second is None:
            return None
        low, high = first[0], second[0]
        if tokens[start_at].word in self.words.months and self._year(tokens, first[1] - 1) is None:
            low = self._same_year_as(tokens[start_at].word, high)  # "between March and May 2020"
        if low.start >= high.end:
            return None
        return DateRange(low.start, high.end), second[1]

    def _same_year_as(self, month_word: str, later: DateRange) -> DateRange:
        month = self.words.months[month_word]
        year = later.start.year if month <= later.start.month else later.start.year - 1
        return _month(year, month)


def _back(today: date, unit: str, back: int) -> DateRange:
    if unit == "day":
        day = today - timedelta(days=back)
        return DateRange(day, day + timedelta(days=1))
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
        return DateRange(monday, monday + timedelta(days=7))
    if unit == "month":
        months = today.year * 12 + today.month - 1 - back
        return _month(months // 12, months % 12 + 1)
    return DateRange(date(today.year - back, 1, 1), date(today.year - back + 1, 1, 1))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
