"""The folders a person added to the library (its roots), as the side panel lists them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, func, select

from app.catalog.index_writes import failures_under
from app.catalog.kept_marks import given_back, kept
from app.catalog.lookups import counts
from app.catalog.meta import delete_meta, get_meta, set_meta
from app.catalog.records import RemoveReport
from app.catalog.removal import remove_paths
from app.catalog.schema import FileRow
from app.catalog.sql_helpers import path_under
from app.core.errors import UserError
from app.core.paths import absolute_path, display_path, is_under

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


def root_to_index(engine: Engine, root: Path | str) -> Path:
    """A folder or photo the person asked to index, absolute; one that is gone gets a message
    that says so, and how to forget its photos if the library still holds them."""
    path = Path(absolute_path(root))
    if path.exists() or path.is_symlink():
        return path
    known = photos_under(engine, str(path))
    if known:
        shown = display_path(str(path))
        raise UserError(
            f"{shown} is gone (or not mounted right now); the library still holds its "
            f"{known} photo{'s' if known != 1 else ''}: to forget them, run 'photo-organizer remove {shown}'"
        )
    raise UserError(f"no such file or folder: {display_path(str(root))}")


def forget_under(engine: Engine, targets: Sequence[str]) -> tuple[RemoveReport, list[int]]:
    """Forget the files, recorded failures and added folders at or below `targets` (absolute
    paths); the files themselves are never touched. Returns what went, and the region ids
    whose vectors go with it."""
    files = sorted({p for t in targets for p in paths_under(engine, t)})
    failures = sorted(set(failures_under(engine, targets)))
    roots = [r for r in indexed_roots(engine) if any(is_under(r, t) for t in targets)]
    if not files and not failures and not roots:
        raise UserError(f"the library holds nothing at or below {', '.join(display_path(t) for t in targets)}")
    images_before, marks_before = counts(engine).images, kept(engine)
    region_ids = remove_paths(engine, files + failures)
    for root in roots:
        forget_root(engine, root)
    images = images_before - counts(engine).images
    marks = given_back(marks_before, kept(engine))
    report = RemoveReport(len(files), images, len(failures), roots, marks.people, marks.names)
    return report, region_ids
