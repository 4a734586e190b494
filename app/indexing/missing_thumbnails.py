"""Which thumbnails the library lacks, kept between commands in the library's
`missing-counts.json` (`app.indexing.missing_counts`) beside the photo folders' counts.

Finding them by listing the whole cache takes 2-4 s at a million photos. `status` does that
only when the cache's folders or the catalog's photos changed since the kept count (the
folders' modification times and the photos' change stamp say so), and then keeps what it found.
An index run, which is what writes thumbnails, keeps the list itself, without listing: when the
kept list held at the run's start, the thumbnails missing at its end are among those missing
then and those of the photos the run added, and each of them is looked at after the cache's
state is read (a thumbnail taken away meanwhile moves its folder's time). So adding a thousand
photos to a million costs a thousand looks, and the next `status` reads the count. A list made
by listing is trusted only once its folders have not changed for `SETTLE_NS` (a change in the
same clock tick as the listing would not show); one kept by an index run is trusted at once:
the run made the changes it saw, and only another program taking a thumbnail away in the very
clock tick of the run's last write would go unseen (until that folder changes again).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

from sqlalchemy import Engine, func, or_, select

from app.catalog.change_stamps import TIMES, stamps
from app.catalog.schema import ImageRow
from app.catalog.sql_helpers import chunks
from app.core.paths import LibraryPaths, is_content_hash
from app.core.present_files import missing_paths

SETTLE_NS = 2_000_000_000
KEEP_AT_MOST = 10_000  # more missing than this: only their number is kept (the next run lists)
BY_INDEX = "index"


@dataclass(frozen=True)
class RunStart:
    """What an index run knew of the cache when it began."""

    missing: list[str] | None  # the content hashes missing then (None: not known)
    last_id: int  # the newest image's id then
    started: float  # the wall-clock time then (photos added since have `added_at` past it)


def thumbnails_key(engine: Engine, paths: LibraryPaths) -> dict:
    """What a kept list was made from: the catalog's photos and each cache folder's time."""
    mtimes = {}
    with contextlib.suppress(OSError), os.scandir(paths.thumbnails) as entries:
        mtimes = {e.name: e.stat().st_mtime_ns for e in entries if e.is_dir(follow_symlinks=False)}
    newest = max([folder_mtime(str(paths.thumbnails)), *mtimes.values()])
    return {"images": stamps(engine, TIMES), "folders": mtimes, "newest": newest}


def kept_missing(record: object, key: dict) -> int | None:
    """How many thumbnails a kept record says are missing, when it still holds for `key`."""
    if not isinstance(record, dict) or record.get("key") != key or not isinstance(record.get("missing"), int):
        return None
    if record.get("by") != BY_INDEX and not settled(key["newest"], record.get("at")):
        return None
    return int(record["missing"])


def listed_record(key: dict, missing: list[str]) -> dict:
    """The record of a list made by listing the cache (`key` read before it was listed)."""
    return {"key": key, "missing": len(missing), "hashes": _kept(missing), "at": time.time_ns()}


def at_run_start(engine: Engine, paths: LibraryPaths, kept: dict) -> RunStart:
    """What the run will need at its end, read before it writes anything (`kept`: the file)."""
    record = kept.get("thumbnails")
    holds = kept_missing(record, thumbnails_key(engine, paths)) is not None
    hashes = record.get("hashes") if holds and isinstance(record, dict) else None
    with engine.connect() as conn:
        last_id = int(conn.execute(select(func.max(ImageRow.id))).scalar() or 0)
    missing = [str(h) for h in hashes] if isinstance(hashes, list) else None
    return RunStart(missing, last_id, time.time())


def candidates_at_run_end(engine: Engine, start: RunStart) -> list[str] | None:
    """The content hashes whose thumbnails may be missing now: those missing at the start that
    the catalog still holds, and those of the photos added since (an id past the newest then,
    or one taken again after the newest was removed, added since the run began). None when the
    start was not known: the whole cache is to be listed."""
    if start.missing is None:
        return None
    added = or_(ImageRow.id > start.last_id, ImageRow.added_at >= start.started)
    with engine.connect() as conn:
        found = set(conn.execute(select(ImageRow.content_hash).where(added)).scalars())
        for chunk in chunks(start.missing):
            found.update(conn.execute(select(ImageRow.content_hash).where(ImageRow.content_hash.in_(chunk))).scalars())
    return sorted(found)


def run_end_record(engine: Engine, paths: LibraryPaths, candidates: list[str]) -> dict:
    """The record an index run leaves: the cache's state read first, then each candidate
    looked at (every thumbnail that can be missing is among `candidates`)."""
    key = thumbnails_key(engine, paths)
    missing = absent(paths, candidates)
    return {"key": key, "missing": len(missing), "hashes": _kept(missing), "at": time.time_ns(), "by": BY_INDEX}


def absent(paths: LibraryPaths, hashes: list[str]) -> list[str]:
    """Those of `hashes` whose thumbnail is not in the cache."""
    # A malformed hash has no thumbnail to look at (nor does the listing count it).
    files = {str(paths.thumbnail(h)): h for h in hashes if is_content_hash(h)}
    return [files[path] for path in missing_paths(list(files))]


def _kept(missing: list[str]) -> list[str] | None:
    return missing if len(missing) <= KEEP_AT_MOST else None


def folder_mtime(folder: str) -> int:
    """A folder's modification time (-1: not there, as a drive not mounted; counted again once it is)."""
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return -1


def settled(changed_ns: int, counted_ns: object) -> bool:
    """Whether a count made at `counted_ns` of something last changed at `changed_ns` holds:
    the change came well before it (a change in the same clock tick shows; git's "racy" rule)."""
    return isinstance(counted_ns, int) and changed_ns < counted_ns - SETTLE_NS
