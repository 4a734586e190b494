"""XMP sidecars for other photo apps (`Library.sidecars`), written only when the person turned it
on (Settings, or PHOTO_ORGANIZER_WRITE_SIDECARS=1): after each decision, each file of the photos
it touched gets its sidecar (the one digiKam or Lightroom already keeps beside it, else
NAME.EXT.xmp). The photo's own bytes never change. A sidecar is merged, never replaced: the
fields another app wrote stay; it is written to a temporary file and renamed over the old one,
and if another app changed it meanwhile it is read and merged again. A folder that cannot be
written keeps its sidecars pending (`sidecars write` tries again); the decision stays here."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from app.catalog import sidecars
from app.catalog.sidecar_reading import mark_seen
from app.catalog.xmp_faces import xmp_face_conflicts
from app.core.xmp_read import XmpError, sidecars_of
from app.core.xmp_write import Decisions, sidecar_with

Writing = Callable[[str, str | None], contextlib.AbstractContextManager[None]]
TRIES = 3  # another app writing the same sidecar at the same moment: merged again this often


@dataclass
class SidecarReport:
    written: list[str] = field(default_factory=list)  # the sidecars' paths
    pending: list[tuple[str, str]] = field(default_factory=list)  # photo, why (a folder not writable)
    failed: list[tuple[str, str]] = field(default_factory=list)  # photo, why (a sidecar we will not touch)

    def said(self) -> str:
        """One line for a person (empty when every sidecar was written)."""
        parts = []
        if self.pending:
            parts.append(
                f"{len(self.pending)} sidecar{'s' if len(self.pending) != 1 else ''} kept to write later "
                f"({self.pending[0][1]}; `photo-organizer sidecars write` tries again)"
            )
        if self.failed:
            parts.append(
                f"{len(self.failed)} sidecar{'s' if len(self.failed) != 1 else ''} left as they are "
                f"({self.failed[0][1]})"
            )
        return "; ".join(parts)

    def to_json(self) -> dict:
        return {
            "written": self.written,
            "pending": [{"path": p, "reason": r} for p, r in self.pending],
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
        }


def write_sidecar(photo: str, decisions: Decisions) -> str:
    """Merge the decisions into the photo's sidecar; returns its path. OSError: not writable;
    XmpError: a sidecar that cannot be read safely (left as it is)."""
    existing = sidecars_of(photo)
    target = existing[0] if existing else Path(photo + ".xmp")
    for _ in range(TRIES):
        before = target.read_bytes() if target.exists() else None
        merged = sidecar_with(before, decisions)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(merged)
                handle.flush()
                os.fsync(handle.fileno())
            now = target.read_bytes() if target.exists() else None
            if now != before:
                continue  # another app wrote it meanwhile: read it again and merge again
            os.replace(temporary, target)
            return str(target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    raise XmpError(f"{target.name} kept changing while it was written; try again")


class LibrarySidecars:
    def __init__(self, engine: Engine, writing: Writing, enabled: Callable[[], bool]) -> None:
        self.engine = engine
        self._writing = writing
        self.enabled = enabled
        self.last: SidecarReport | None = None  # what the last decision's sidecars came to

    def decided(self, image_ids: Sequence[int]) -> SidecarReport | None:
        """After a decision about these photos: their sidecars follow, when writing is on."""
        self.last = None
        if not self.enabled() or not image_ids:
            return None
        with self._writing("write sidecars", None):
            files = sidecars.files_of(self.engine, image_ids)
            sidecars.mark_pending(self.engine, [path for path, _i in files])
            self.last = self._write(files)
            return self.last

    def write(self, image_ids: Sequence[int] | None = None) -> SidecarReport:
        """Write the sidecars waiting (or those of these photos), whether or not writing is on."""
        with self._writing("write sidecars", None):
            files = (
                sidecars.files_of(self.engine, image_ids) if image_ids is not None else sidecars.pending(self.engine)
            )
            return self._write(files)

    def _write(self, files: Sequence[tuple[str, int]]) -> SidecarReport:
        report = SidecarReport()
        decided = sidecars.decisions_of(self.engine, [i for _p, i in files])
        for path, image_id in files:
            try:
                written = write_sidecar(path, decided[image_id])
            except XmpError as error:
                sidecars.record(self.engine, path, "failed", None, None, str(error))
                report.failed.append((path, str(error)))
            except OSError as error:
                why = f"its folder cannot be written ({error.strerror or error}); kept to write later"
                sidecars.record(self.engine, path, "pending", None, None, why)
                report.pending.append((path, why))
            else:
                digest = hashlib.sha256(Path(written).read_bytes()).hexdigest()
                sidecars.record(self.engine, path, "written", written, digest, None)
                mark_seen(self.engine, [(path, os.stat(written).st_mtime_ns)])  # our own write is no news
                report.written.append(written)
        return report

    def status(self) -> dict:
        found = sidecars.counts(self.engine)
        return {
            "writing": self.enabled(),
            "pending": found.get("pending", 0),
            "failed": found.get("failed", 0),
            "written": found.get("written", 0),
            "problems": [{"path": p, "state": s, "reason": r} for p, s, r in sidecars.problems(self.engine)],
            "conflicts": [
                {"path": p, "name": n, "name_here": h} for p, n, h in xmp_face_conflicts(self.engine)
            ],  # faces another app named otherwise: the name here stays
        }
