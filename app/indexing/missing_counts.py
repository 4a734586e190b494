"""How many of the library's files and thumbnails are missing, for `status`, without listing a
million of them every time (4 s each at a million photos).

A count is kept per photo folder with what it was counted from: the folder's modification time
(adding, removing or renaming a file in it moves it) and the catalog's rows in it (how many, and
the sum of their ids). A folder whose listing or rows changed is counted again, the others are
not looked at beyond a `stat`. A folder holding a symbolic link is counted every time (a link's
target can go without its folder changing), and a count made less than `SETTLE_NS` after its
folder last changed is not trusted (a change in the same clock tick; git's "racy" rule). The
thumbnails missing are kept beside these counts (`app.indexing.missing_thumbnails`, with the
rule), by `status` or by the index run that wrote them. The counts live in the library's
`analysis` folder; a read-only library counts every time. The catalog's rows per folder are
themselves remembered while the files' change stamp holds (`app.catalog.change_stamps`): at a
million photos, grouping them took a tenth of a second.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from app.catalog.change_stamps import TIMES, remembered, stamps
from app.catalog.schema import FileRow
from app.core.paths import LibraryPaths
from app.core.present_files import missing_paths
from app.indexing.missing_thumbnails import (
    RunStart,
    at_run_start,
    folder_mtime,
    kept_missing,
    listed_record,
    settled,
    thumbnails_key,
)

CACHE = "missing-counts.json"
FORMAT = 1


@dataclass(frozen=True)
class MissingCounts:
    files: int
    thumbnails: int


def missing_counts(engine: Engine, paths: LibraryPaths, read_only: bool) -> MissingCounts:
    """Files the catalog holds that are not on disk, and thumbnails not in the cache."""
    from app.indexing.thumbnail_repair import listed_missing_thumbnails

    cache_file = kept_file(paths)
    kept = {} if read_only else load_kept(cache_file)
    now = time.time_ns()
    folders, files = _missing_files(engine, kept.get("folders", {}), now, read_only)
    thumbnails = kept.get("thumbnails", {})
    key = thumbnails_key(engine, paths)
    missing_thumbnails = kept_missing(thumbnails, key)
    if missing_thumbnails is None:
        missing = listed_missing_thumbnails(engine, paths)
        thumbnails, missing_thumbnails = listed_record(key, missing), len(missing)
    if not read_only:
        save_kept(cache_file, {"format": FORMAT, "folders": folders, "thumbnails": thumbnails})
    return MissingCounts(files, missing_thumbnails)


def thumbnails_at_run_start(engine: Engine, paths: LibraryPaths) -> RunStart:
    """What an index run knew of the thumbnails missing when it began."""
    return at_run_start(engine, paths, load_kept(kept_file(paths)))


def keep_thumbnails(paths: LibraryPaths, record: dict) -> None:
    """Keep an index run's list of missing thumbnails (the folders' counts as they were)."""
    cache_file = kept_file(paths)
    kept = load_kept(cache_file)
    save_kept(cache_file, {"format": FORMAT, "folders": kept.get("folders", {}), "thumbnails": record})


def kept_file(paths: LibraryPaths) -> Path:
    return paths.root / "analysis" / CACHE


def _folder_rows(engine: Engine, read_only: bool) -> list[tuple[str, int, float]]:
    """(folder, how many files, the sum of their ids) of each folder with files in the catalog."""

    def grouped() -> str:
        with engine.connect() as conn:
            statement = select(FileRow.folder, func.count(), func.total(FileRow.id)).group_by(FileRow.folder)
            return json.dumps([list(row) for row in conn.execute(statement)])

    rows = json.loads(remembered(engine, "files-by-folder", stamps(engine, TIMES), grouped, not read_only))
    return [(str(folder), int(count), float(id_sum)) for folder, count, id_sum in rows]


def _missing_files(engine: Engine, kept: dict, now: int, read_only: bool) -> tuple[dict, int]:
    """(each folder's count and what it was made from, the files missing in all)."""
    rows = _folder_rows(engine, read_only)
    counted: dict[str, dict] = {}
    again: list[str] = []
    total = 0
    for folder, count, id_sum in rows:
        key = [folder_mtime(folder), int(count), int(id_sum)]
        old = kept.get(folder)
        if isinstance(old, dict) and old.get("key") == key and not old.get("links") and settled(key[0], old.get("at")):
            counted[folder] = old
            total += int(old["missing"])
        else:
            counted[folder] = {"key": key, "at": now}
            again.append(folder)
    for folder in again:
        with engine.connect() as conn:
            inside = list(conn.execute(select(FileRow.path).where(FileRow.folder == folder)).scalars())
        missing = len(missing_paths(inside))
        counted[folder].update(missing=missing, links=_holds_links(folder))
        total += missing
    return counted, total


def _holds_links(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(entry.is_symlink() for entry in entries)
    except OSError:
        return False


def load_kept(path: Path) -> dict:
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) and kept.get("format") == FORMAT else {}


def save_kept(path: Path, kept: dict) -> None:
    """Best effort: a full disk only counts again next time."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(kept))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
