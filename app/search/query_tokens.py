"""A query's words as the readers of dates and places see them: folded (lower case, no
accents), without the punctuation around them, where they were typed, and whether they are
protected (+term, -term, quoted words are never read as anything but words)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ELIDED = re.compile(r"^(l'|d'|quest'|jusqu'|dell')(.+)$")
_STRIP = ',.;:!?()[]{}"“”«»'


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


@dataclass(frozen=True)
class Token:
    raw: str  # as typed
    word: str  # folded, without the punctuation around it
    protected: bool = False  # +term, -term, or inside quotes: never read as a date or a place
    start: int = 0  # where it is in the text typed


def tokens_of(text: str) -> list[Token]:
    """The words, split at white space; "l'été" is two ("l'", "ete"); quoted and +/- words are
    kept as they are."""
    tokens: list[Token] = []
    quoted = False
    for match in re.finditer(r"\S+", text):
        raw, at = match.group(), match.start()
        opens = raw.startswith(('"', '+"', '-"'))
        protected = quoted or opens or raw[0] in "+-" and len(raw) > 1 and not raw[1].isdigit()
        if raw.count('"') % 2:
            quoted = not quoted
        word = fold(raw).strip(_STRIP)
        elided = _ELIDED.match(word)
        if elided and not protected:
            cut = len(elided.group(1))
            tokens.append(Token(raw[:cut], elided.group(1), False, at))
            tokens.append(Token(raw[cut:], elided.group(2), False, at + cut))
        else:
            tokens.append(Token(raw, word, protected, at))
    return tokens
