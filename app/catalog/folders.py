"""The folders a person added to the library (its roots), as the side panel lists them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Engine, func, select

from app.catalog.meta import delete_meta, get_meta, set_meta
from app.catalog.schema import FileRow
from app.catalog.sql_helpers import path_under
from app.core.paths import is_under

ROOTS_KEY = "roots"
RUNNING_KEY = "indexing"  # the roots of a run under way; still there after a crash or kill


def merge_roots(existing: Sequence[str], added: Sequence[str]) -> list[str]:
    """Add roots, keeping only the outermost: a folder inside a root adds nothing, a folder
    holding roots replaces them."""
    roots = list(existing)
    for root in added:
        if any(is_under(root, r) for r in roots):
            continue
        roots = [r for r in roots if not is_under(r, root)] + [root]
    return sorted(roots)


def indexed_roots(engine: Engine) -> list[str]:
    """The remembered roots; for a library from before they were remembered, the outermost
    folders holding its files."""
    stored = get_meta(engine, ROOTS_KEY)
    if stored is not None:
        return list(json.loads(stored))
    with engine.connect() as conn:
        folders = sorted(conn.execute(select(FileRow.folder).distinct()).scalars())
    return merge_roots([], folders)


def remember_roots(engine: Engine, added: Sequence[str]) -> None:
    set_meta(engine, ROOTS_KEY, json.dumps(merge_roots(indexed_roots(engine), added)))


def forget_root(engine: Engine, root: str) -> None:
    set_meta(engine, ROOTS_KEY, json.dumps([r for r in indexed_roots(engine) if r != root]))


def photos_under(engine: Engine, root: str) -> int:
    """How many distinct images have a file at or below `root`."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count(func.distinct(FileRow.image_id))).where(path_under(FileRow.path, [root]))
            ).scalar_one()
        )


def paths_under(engine: Engine, root: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(FileRow.path).where(path_under(FileRow.path, [root]))).scalars())


def interrupted_roots(engine: Engine) -> list[str] | None:
    """The roots of indexing that a crash or kill cut short ([]: only the region pass), or
    None when every run finished."""
    stored = get_meta(engine, RUNNING_KEY)
    return None if stored is None else list(json.loads(stored))


def mark_run_started(engine: Engine, roots: Sequence[str]) -> list[str]:
    """Record a run's roots (with any still interrupted) until it ends; returns those that were
    interrupted before it."""
    before = interrupted_roots(engine) or []
    set_meta(engine, RUNNING_KEY, json.dumps(merge_roots(before, roots)))
    return before


def mark_run_ended(
    engine: Engine, roots: Sequence[str], interrupted_before: Sequence[str], regions_left: bool = False
) -> None:
    """The run ended (done, cancelled or failed, but not killed): what it covered is no longer
    interrupted, and neither is the region pass unless it stepped aside (`regions_left`)."""
    left = [r for r in interrupted_before if not any(is_under(r, root) for root in roots)]
    if left or regions_left:
        set_meta(engine, RUNNING_KEY, json.dumps(left))
    else:
        delete_meta(engine, RUNNING_KEY)
