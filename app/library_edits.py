"""Forgetting photos and moving duplicates to the trash (`Library.edits`): `remove` forgets
folders or files (never touching them), `remove_images` forgets photos picked in the window,
and `move_to_trash` sends the others of a duplicate group to the system trash, the one way the
app ever changes a user's files, after checking that every file is still the one indexed and
none is the kept photo under another path. Each change runs under the library's writer lock."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from app.catalog import folders, removal
from app.catalog.duplicate_lookups import indexed_files
from app.catalog.records import RemoveReport
from app.core.errors import UserError
from app.core.paths import absolute_path
from app.core.trash import IndexedFile, TrashReport, move_to_trash, refusals

Writing = Callable[[str, str | None], contextlib.AbstractContextManager[None]]


class LibraryEdits:
    """`writing(what, busy_with)` holds the writer lock (or says why not); `forget_regions`
    takes regions that went out of the vector files and settles people."""

    def __init__(self, engine: Engine, writing: Writing, forget_regions: Callable[[list[int]], None]) -> None:
        self.engine = engine
        self._writing = writing
        self._forget_regions = forget_regions

    def remove(self, paths: Sequence[Path | str]) -> RemoveReport:
        """Forget folders or files and everything indexed below them; the files themselves are
        never touched (they may be gone already, or on a drive that is not mounted)."""
        targets = [absolute_path(path) for path in paths]
        with self._writing("remove anything from it", "removing photos"):
            report, region_ids = folders.forget_under(self.engine, targets)
            self._forget_regions(region_ids)
            return report

    def remove_images(self, image_ids: Sequence[int]) -> int:
        """Forget images (their files stay untouched on disk); returns how many went."""
        with self._writing("remove anything from it", "removing photos"):
            self._forget_regions(removal.remove_images(self.engine, list(image_ids)))
            return len(image_ids)

    def trash_refusals(self, paths: Sequence[str], keep: str) -> list[tuple[str, str]]:
        """(path, why) for each reason `paths` may not go to the trash while `keep` stays (empty:
        they may): each must still be the file indexed, and none the kept one under another path.
        What `move_to_trash` checks again as it acts; the CLI asks only after this."""
        return self._checked(paths, keep)[1]

    def move_to_trash(self, paths: Sequence[str], keep: str) -> TrashReport:
        """Move files of the library to the system trash (recoverable) and forget them at once,
        while `keep` stays. Only a person's explicit, confirmed action calls this (duplicates'
        "Move the others to the Trash", `photo-organizer trash`). Any refusal of
        `trash_refusals` moves nothing; a file the trash cannot take stays, and stays in the
        library."""
        with self._writing("move photos to the trash", None):
            files, refused = self._checked(paths, keep)
            if refused:
                return TrashReport([], refused)
            report = move_to_trash(files)
            if report.moved:
                _removed, region_ids = folders.forget_under(self.engine, report.moved)
                self._forget_regions(region_ids)
            return report

    def _checked(self, paths: Sequence[str], keep: str) -> tuple[list[IndexedFile], list[tuple[str, str]]]:
        """The files to move as indexed (a path given twice is one file), and the refusals."""
        paths = list(dict.fromkeys(paths))
        known = indexed_files(self.engine, [*paths, keep])
        for stranger in [p for p in [keep, *paths] if p not in known]:
            raise UserError(f"{stranger} is not in the library; only photos of the library are moved to the trash")
        files = [known[p] for p in paths]
        return files, refusals(files, known[keep])
