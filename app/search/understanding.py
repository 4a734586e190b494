"""What a query's words say besides what photos show: when ("July 2023", "last winter"), where
("in Lisbon", "Portugal": places this library holds), who (people's names), and an album or a
tag named in them. Those become filters; the rest of the words rank the photos as ever. Nothing
understood leaves the query exactly as typed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.search.date_words import ARTICLES, DateWords
from app.search.query_dates import DateRange, DateReader
from app.search.query_tokens import Token, fold, tokens_of

PLACE_CUES = {
    "in",
    "at",
    "near",
    "around",
    "im",
    "bei",
    "nach",
    "a",
    "en",
    "au",
    "aux",
    "em",
    "no",
    "na",
    "nel",
    "nella",
}


@dataclass(frozen=True)
class Vocabulary:
    """The names this library knows: its places (folded name -> as kept, and whether it is a
    country or a region), people, albums and tags."""

    places: dict[str, tuple[str, bool]] = field(default_factory=dict)
    people: tuple[str, ...] = ()
    albums: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """One thing understood: its kind, what it means, and where it was said in the text."""

    kind: str  # "date", "place", "person", "album" or "tag"
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Understood:
    text: str
    words: str | None  # what is left to rank by (people's names kept: the search finds them)
    dates: DateRange | None = None
    place: str | None = None
    people: tuple[str, ...] = ()
    album: str | None = None
    tag: str | None = None
    parts: tuple[Part, ...] = ()

    def to_json(self) -> dict:
        from app.search.people_filter import split_names

        rest = split_names(self.words, self.people)[1] if self.words else ""
        return {
            "after": self.dates.start.isoformat() if self.dates else None,
            "before": self.dates.end.isoformat() if self.dates else None,
            "place": self.place,
            "people": list(self.people),
            "album": self.album,
            "tag": self.tag,
            "words": rest,
        }

    def without(self, part: Part) -> str:
        """The text typed with one part's words taken out (a chip removed)."""
        return " ".join((self.text[: part.start] + " " + self.text[part.end :]).split())


def _said(tokens: Sequence[Token], first: int, last: int) -> tuple[int, int]:
    return tokens[first].start, tokens[last - 1].start + len(tokens[last - 1].raw)


def _date_label(found: DateRange) -> str:
    from datetime import timedelta

    last = found.end - timedelta(days=1)
    if found.start == last:
        return f"{found.start.day} {found.start:%B %Y}"
    if found.start.day == 1 and found.end.day == 1:
        if found.start.month == 1 and found.end.month == 1:
            years = found.end.year - found.start.year
            return str(found.start.year) if years == 1 else f"{found.start.year}–{last.year}"
        if (found.end.year - found.start.year) * 12 + found.end.month - found.start.month == 1:
            return f"{found.start:%B %Y}"
    return f"{found.start.day} {found.start:%b %Y} – {last.day} {last:%b %Y}"


def understand(text: str, vocabulary: Vocabulary, words: DateWords, today: date) -> Understood:
    tokens = tokens_of(text)
    used = [False] * len(tokens)
    parts: list[Part] = []
    people = _people_in(text, tokens, vocabulary.people, parts)
    named = [any(p.start <= t.start < p.end for p in parts) for t in tokens]  # people's names stay words
    taken = [a or b for a, b in zip(used, named, strict=True)]
    album = _take_name(tokens, taken, vocabulary.albums, "album", parts)
    tag = _take_name(tokens, taken, vocabulary.tags, "tag", parts)
    dates = None
    for found in DateReader(words, today).find(tokens):
        if any(taken[found.first : found.last]):
            continue
        rng = found.range
        dates = rng if dates is None else DateRange(min(dates.start, rng.start), max(dates.end, rng.end))
        taken[found.first : found.last] = [True] * (found.last - found.first)
        parts.append(Part("date", _date_label(rng), *_said(tokens, found.first, found.last)))
    place = _take_place(tokens, taken, vocabulary, parts)
    kept = [t for t, gone, name in zip(tokens, taken, named, strict=True) if not gone or name]
    while kept and kept[-1].word in (words.cues | ARTICLES):
        kept.pop()  # "photos from" + a date: "photos"
    left = "".join(
        ("" if i == 0 or kept[i - 1].start + len(kept[i - 1].raw) == t.start else " ") + t.raw
        for i, t in enumerate(kept)
    )
    return Understood(text, left or None, dates, place, people, album, tag, tuple(sorted(parts, key=lambda p: p.start)))


def _take_place(tokens: Sequence[Token], used: list[bool], vocabulary: Vocabulary, parts: list[Part]) -> str | None:
    """The first place the library holds that the words name: after "in"/"at" (or their
    likes), or written with a capital, or a country or region ("Portugal"); "nice weather" is
    not Nice."""
    for i in range(len(tokens)):
        for size in (3, 2, 1):
            span = range(i, i + size)
            if i + size > len(tokens) or any(used[j] or tokens[j].protected for j in span):
                continue
            name = " ".join(tokens[j].word for j in span)
            known = vocabulary.places.get(name)
            if known is None:
                continue
            cued = i > 0 and not used[i - 1] and tokens[i - 1].word in PLACE_CUES
            capital = tokens[i].raw.lstrip("\"'(")[:1].isupper()
            if not (cued or capital or known[1]):
                continue
            first = i - 1 if cued else i
            for j in range(first, i + size):
                used[j] = True
            parts.append(Part("place", known[0], *_said(tokens, first, i + size)))
            return known[0]
    return None


def _take_name(
    tokens: Sequence[Token], used: list[bool], names: Sequence[str], kind: str, parts: list[Part]
) -> str | None:
    """An album or a tag named in the words, never words the search ranks by: its whole name
    with its "/" ("Trips/Lisbon 2023"), or any name after the word "album" or "tag" ("album
    Lisbon 2023", "tagged Anna"), or a tag as #name ("#beach")."""
    cues = {"album": {"album", "albums"}, "tag": {"tag", "tags", "tagged"}}[kind]
    whole: dict[str, str] = {}
    single: dict[str, str] = {}
    for name in names:
        for said in (name, name.rsplit("/", 1)[-1]):
            key = " ".join(fold(said).split())
            (whole if "/" in key else single).setdefault(key, name)
    for size in (4, 3, 2, 1):
        for i in range(len(tokens) - size + 1):
            span = range(i, i + size)
            if any(used[j] or tokens[j].protected for j in span):
                continue
            key = " ".join(tokens[j].word for j in span)
            cued = i > 0 and not used[i - 1] and tokens[i - 1].word in cues
            hashed = kind == "tag" and size == 1 and key.startswith("#") and key[1:] in {**single, **whole}
            found = (
                whole.get(key)
                or (single.get(key) if cued else None)
                or ({**single, **whole}[key[1:]] if hashed else None)
            )
            if found is not None:
                first = i - 1 if cued else i
                for j in range(first, i + size):
                    used[j] = True
                parts.append(Part(kind, found, *_said(tokens, first, i + size)))
                return found
    return None


def _people_in(text: str, tokens: Sequence[Token], people: Sequence[str], parts: list[Part]) -> tuple[str, ...]:
    """People named in the words (longest names first; the search keeps only their photos)."""
    from app.core.names import name_pattern

    found: list[str] = []
    for name in sorted({n for n in people if n.strip()}, key=len, reverse=True):
        match = name_pattern(name).search(text)
        if match is not None and not any(p.start < match.end() and match.start() < p.end for p in parts):
            inside = [t for t in tokens if t.start <= match.start() < t.start + len(t.raw)]
            if not any(t.protected or "/" in t.raw or t.raw.startswith("#") for t in inside):
                found.append(name)
                parts.append(Part("person", name, match.start(), match.end()))
    return tuple(found)


def plain_words(text: str) -> bool:
    """Whether any word is left worth ranking by (not only "the", "in", "photos of")."""
    from app.core.names import STOP_WORDS

    return any(w and w not in STOP_WORDS for w in re.split(r"\W+", text.casefold()))
