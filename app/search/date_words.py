"""The words dates are said with, per language: month names and "yesterday", "last week",
"this year" from dateparser's locale data (maintained, offline, many languages; written out in
`date_locales`), and the few it has none for (seasons, holidays, "last"/"this", the small words
around a date) from the tables here. Everything is folded (lower case, no accents) as the
query's words are when matched."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from app.search.query_tokens import fold, tokens_of

DEFAULT_LANGUAGES = ("en",)
KNOWN_LANGUAGES = ("en", "de", "fr", "es", "pt", "it")


# Seasons (northern hemisphere, as meteorologists count them: winter YEAR is December of the
# year before to February), holidays (month, day, days long; month 0: days from Easter Sunday,
# which dateutil computes), and the words that say which one: before ("last summer", "letzten
# Sommer") or after ("l'été dernier").
SEASONS = {
    "en": {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12},
    "de": {"fruhling": 3, "fruhjahr": 3, "sommer": 6, "herbst": 9, "winter": 12},
    "fr": {"printemps": 3, "ete": 6, "automne": 9, "hiver": 12},
    "es": {"primavera": 3, "verano": 6, "otono": 9, "invierno": 12},
    "pt": {"primavera": 3, "verao": 6, "outono": 9, "inverno": 12},
    "it": {"primavera": 3, "estate": 6, "autunno": 9, "inverno": 12},
}
HOLIDAYS = {
    "en": {
        "christmas eve": (12, 24, 1),
        "christmas": (12, 24, 3),
        "xmas": (12, 24, 3),
        "new year's eve": (12, 31, 1),
        "new years eve": (12, 31, 1),
        "new year's day": (1, 1, 1),
        "new year": (1, 1, 1),
        "halloween": (10, 31, 1),
        "valentine's day": (2, 14, 1),
        "valentines day": (2, 14, 1),
        "easter": (0, -2, 4),
        "independence day": (7, 4, 1),
    },
    "de": {
        "heiligabend": (12, 24, 1),
        "weihnachten": (12, 24, 3),
        "silvester": (12, 31, 1),
        "neujahr": (1, 1, 1),
        "ostern": (0, -2, 4),
        "halloween": (10, 31, 1),
        "valentinstag": (2, 14, 1),
    },
    "fr": {
        "noel": (12, 24, 3),
        "reveillon": (12, 31, 1),
        "nouvel an": (1, 1, 1),
        "jour de l'an": (1, 1, 1),
        "paques": (0, -2, 4),
        "halloween": (10, 31, 1),
        "saint-valentin": (2, 14, 1),
        "saint valentin": (2, 14, 1),
    },
    "es": {
        "nochebuena": (12, 24, 1),
        "navidad": (12, 24, 3),
        "nochevieja": (12, 31, 1),
        "ano nuevo": (1, 1, 1),
        "semana santa": (0, -7, 8),
        "pascua": (0, -2, 4),
        "halloween": (10, 31, 1),
        "san valentin": (2, 14, 1),
    },
    "pt": {
        "vespera de natal": (12, 24, 1),
        "natal": (12, 24, 3),
        "reveillon": (12, 31, 1),
        "ano novo": (1, 1, 1),
        "pascoa": (0, -2, 4),
        "halloween": (10, 31, 1),
        "carnaval": (0, -50, 5),
    },
    "it": {
        "vigilia di natale": (12, 24, 1),
        "natale": (12, 24, 3),
        "capodanno": (1, 1, 1),
        "pasqua": (0, -2, 4),
        "halloween": (10, 31, 1),
        "san valentino": (2, 14, 1),
    },
}
LAST_BEFORE = {
    "en": {"last", "past", "previous"},
    "de": {"letzten", "letzter", "letztes", "letzte", "vergangenen", "vergangener", "vergangenes", "vorigen"},
    "fr": set(),
    "es": set(),
    "pt": set(),
    "it": set(),
}
LAST_AFTER = {
    "en": set(),
    "de": set(),
    "fr": {"dernier", "derniere", "passe", "passee"},
    "es": {"pasado", "pasada"},
    "pt": {"passado", "passada"},
    "it": {"scorso", "scorsa"},
}
THIS_BEFORE = {
    "en": {"this"},
    "de": {"diesen", "dieser", "dieses", "diese"},
    "fr": {"ce", "cet", "cette"},
    "es": {"este", "esta"},
    "pt": {"este", "esta", "neste", "nesta"},
    "it": {"questo", "questa", "quest'"},
}
# Small words that only say "when" or "where" before a date or a place, and go with it.
CUES = {
    "en": {"in", "during", "from", "on", "of", "at", "near", "since"},
    "de": {"im", "in", "am", "vom", "von", "um", "an", "bei", "nach", "aus"},
    "fr": {"en", "au", "aux", "a", "de", "du", "pendant", "le", "la", "l'", "pres"},
    "es": {"en", "el", "la", "de", "del", "durante", "cerca"},
    "pt": {"em", "no", "na", "de", "do", "da", "durante", "o", "a", "perto"},
    "it": {"a", "in", "nel", "nella", "di", "del", "della", "durante", "il", "la", "l'"},
}
ARTICLES = {"the", "der", "die", "das", "le", "la", "l'", "les", "el", "los", "las", "o", "a", "os", "as", "il", "lo"}
BETWEEN = {
    "en": ({"between"}, {"and"}),
    "de": ({"zwischen"}, {"und"}),
    "fr": ({"entre"}, {"et"}),
    "es": ({"entre"}, {"y"}),
    "pt": ({"entre"}, {"e"}),
    "it": ({"tra", "fra"}, {"e"}),
}
FROM_TO = {
    "en": ({"from"}, {"to", "until", "till", "through"}),
    "de": ({"von", "vom"}, {"bis"}),
    "fr": ({"de", "du"}, {"a", "au", "jusqu'a"}),
    "es": ({"de", "desde"}, {"a", "hasta"}),
    "pt": ({"de", "desde"}, {"a", "ate"}),
    "it": ({"da", "dal"}, {"a", "al"}),
}
YEAR_JOINERS = {"de", "del", "di", "of"}  # "julio de 2023", "março de 2020", "summer of 2022"


@dataclass(frozen=True)
class DateWords:
    """Everything a query's dates are read with, for the languages chosen."""

    languages: tuple[str, ...]
    months: dict[str, int] = field(default_factory=dict)  # every name and abbreviation
    full_months: dict[str, int] = field(default_factory=dict)  # names long enough to stand alone
    relative: dict[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)  # words -> (unit, back)
    seasons: dict[str, int] = field(default_factory=dict)
    holidays: dict[tuple[str, ...], tuple[int, int, int]] = field(default_factory=dict)
    last_before: set[str] = field(default_factory=set)
    last_after: set[str] = field(default_factory=set)
    this_before: set[str] = field(default_factory=set)
    cues: set[str] = field(default_factory=set)
    between: tuple[set[str], set[str]] = (set(), set())
    from_to: tuple[set[str], set[str]] = (set(), set())


def chosen_languages() -> tuple[str, ...]:
    """English, the computer's language, and any named in PHOTO_ORGANIZER_LANGUAGES ("de,fr")."""
    wanted = ["en"]
    system = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    wanted.append(system.split("_")[0].split(".")[0].lower())
    wanted += [w.strip().lower() for w in os.environ.get("PHOTO_ORGANIZER_LANGUAGES", "").split(",")]
    return tuple(dict.fromkeys(w for w in wanted if w in KNOWN_LANGUAGES))


@functools.lru_cache(maxsize=16)
def date_words(languages: tuple[str, ...]) -> DateWords:
    from app.search.date_locales import LOCALES  # dateparser's, written out (`date_locales_source`)

    words = DateWords(languages)
    for language in languages:
        locale = LOCALES.get(language, {"months": {}, "relative": {}})
        for number, said_as in enumerate(locale["months"].values(), start=1):
            said = [fold(s) for s in said_as]
            for s in said:
                words.months.setdefault(s, number)
            if said:
                longest = max(said, key=len)
                words.full_months.setdefault(longest, number)
        for key, phrases in locale["relative"].items():
            amount, unit, _ago = key.split()
            for phrase in phrases:
                words.relative.setdefault(_key(phrase), (unit, int(amount)))
        words.seasons.update(SEASONS.get(language, {}))
        for name, when in HOLIDAYS.get(language, {}).items():
            words.holidays.setdefault(_key(name), when)
        words.last_before.update(LAST_BEFORE.get(language, set()))
        words.last_after.update(LAST_AFTER.get(language, set()))
        words.this_before.update(THIS_BEFORE.get(language, set()))
        words.cues.update(CUES.get(language, set()))
        words.between[0].update(BETWEEN.get(language, (set(), set()))[0])
        words.between[1].update(BETWEEN.get(language, (set(), set()))[1])
        words.from_to[0].update(FROM_TO.get(language, (set(), set()))[0])
        words.from_to[1].update(FROM_TO.get(language, (set(), set()))[1])
    return words


def _key(phrase: str) -> tuple[str, ...]:
    """A phrase as the query's tokens will be ("l'année dernière": "l'", "annee", "derniere")."""
    return tuple(token.word for token in tokens_of(phrase))
