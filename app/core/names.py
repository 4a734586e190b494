"""Names a person gives (people, taught names) as the app reads them: words joined by single
spaces, matched in any case and only as whole words ("Anna" is not in "Annapolis")."""

from __future__ import annotations

import re
from collections.abc import Collection

# Words the search reads past ("a photo of the dog"): never a name of their own.
STOP_WORDS = frozenset(
    "a an the of and or in on at to for with by from is are was were be been this that these those it its "
    "as into over under about me my i we our you your he she they them his her their photo photos picture "
    "pictures image images".split()
)


def clean_name(name: str) -> str:
    """The name as it is kept: its words joined by single spaces."""
    return " ".join(name.split())


def name_key(name: str) -> str:
    """The name as it is matched: cleaned, in any case."""
    return clean_name(name).casefold()


def name_pattern(name: str) -> re.Pattern[str]:
    """The name as whole words in a text, in any case, with any spaces between its words."""
    words = [re.escape(w) for w in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def word_taken_by_search(name: str, vocabulary: Collection[str]) -> str | None:
    """Why `name` cannot be a name of the person's own (a person's or a taught name), or None:
    a word the search ignores, or one it already understands (its `vocabulary`). Such a name
    would take the word over: "beach" as a person turns every "sunny beach" into their photos."""
    clean = clean_name(name)
    if all(w in STOP_WORDS for w in clean.casefold().split()):
        return f"{clean!r} is a common word the search ignores; choose a name of your own"
    if name_key(clean) in {v.casefold() for v in vocabulary}:
        return f"{clean!r} is already a word the search understands; choose a name of your own (e.g. 'our {clean}')"
    return None
