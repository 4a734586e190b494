"""Names a person gives (people, taught names) as the app reads them: words joined by single
spaces, matched in any case and only as whole words ("Anna" is not in "Annapolis")."""

from __future__ import annotations

import re


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
