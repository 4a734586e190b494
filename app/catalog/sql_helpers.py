"""Small SQL helpers the catalog modules share: parameter-sized chunks and a path-prefix match."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Text, func
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.path_text import encode_path

CHUNK = 500  # stay far below SQLite's limit on bound parameters


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def path_under(column: ColumnElement[str] | QueryableAttribute[str], roots: Sequence[str]) -> ColumnElement[bool]:
    """Paths equal to or below any of `roots` (no LIKE, so '%' and '_' in names are safe).
    `column` is a `PathText` column: the prefix is compared in its stored (encoded) form."""
    from sqlalchemy import false, literal, or_

    if not roots:
        return false()
    clauses = []
    for root in roots:
        prefix = encode_path(root.rstrip("/") + "/")
        clauses.append(func.substr(column, 1, len(prefix)) == literal(prefix, Text))
        clauses.append(column == root)
    return or_(*clauses)


# --- meta ---------------------------------------------------------------------------------
