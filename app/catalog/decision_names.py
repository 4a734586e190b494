"""Names a person gives albums and tags: nested by "/" ("Trips/Lisbon 2023", "Family/Anna"),
each part trimmed, and compared without regard to case or accents (as place names are)."""

from __future__ import annotations

import unicodedata

from app.core.errors import UserError

LONGEST_NAME = 200


def clean_name(name: str, what: str) -> str:
    """`name` as kept: single spaces, no empty parts ("a//b/" is "a/b"); refused when nothing is
    left or it is too long."""
    parts = [" ".join(part.split()) for part in str(name).split("/")]
    cleaned = "/".join(part for part in parts if part)
    if not cleaned:
        raise UserError(f"{what} name {name!r} is empty: give it a name (parts are separated by /)")
    if len(cleaned) > LONGEST_NAME:
        raise UserError(f"{what} name is {len(cleaned)} characters long; at most {LONGEST_NAME}")
    if any(unicodedata.category(c) == "Cc" for c in cleaned):
        raise UserError(f"{what} name {name!r} holds control characters")
    return cleaned


def name_key(name: str) -> str:
    """A cleaned name as compared: no case, no accents."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def within(key: str, parent_key: str) -> bool:
    """Whether `key` is `parent_key` or nested below it ("trips/lisbon" is within "trips")."""
    return key == parent_key or key.startswith(parent_key + "/")


def parents(name: str) -> list[str]:
    """The names above a nested one, outermost first ("a/b/c": "a", "a/b")."""
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
