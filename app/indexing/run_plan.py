"""What a run has to do, decided before it does any of it: from what the scan found and what
the catalog knew below the same roots, which files to read (new or changed), which are unchanged,
which known bad files to report again without reading, and which paths are confirmed gone. Pure:
no SQLite, no file system (the scan already looked), so each rule is tested on its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.catalog.folders import is_under
from app.catalog.records import KnownFailure, KnownFile
from app.indexing.scanner import ScannedFile, ScanResult


@dataclass
class RunPlan:
    work: list[ScannedFile] = field(default_factory=list)  # new or changed: read, hash, decode
    unchanged: int = 0
    change_times: list[tuple[int, int]] = field(default_factory=list)  # (file id, ctime) to record
    skipped: list[KnownFailure] = field(default_factory=list)  # known bad and unchanged: not read again
    scan_failures: list[KnownFailure] = field(default_factory=list)  # what the scan itself could not take
    # image id -> its paths that are confirmed gone (nothing out of reach is ever here)
    removable: dict[int, list[str]] = field(default_factory=dict)
    removable_failures: list[str] = field(default_factory=list)
    stale_failures: list[str] = field(default_factory=list)  # failures of files that now index well
    unreadable: list[tuple[str, str, int]] = field(default_factory=list)  # (folder, why, photos kept)
    excluded: list[str] = field(default_factory=list)  # the library's own folder, met and left out


def unchanged(old: KnownFile, now: ScannedFile) -> bool:
    """Same size and mtime, and the same change time where both are known: rewriting a file
    with its old size and mtime (`touch -r`) still moves its ctime, which nothing can set back."""
    if old.size != now.size or old.mtime_ns != now.mtime_ns:
        return False
    return old.ctime_ns is None or now.ctime_ns is None or old.ctime_ns == now.ctime_ns


def plan_run(scanned: ScanResult, known: Mapping[str, KnownFile], failures: Mapping[str, KnownFailure]) -> RunPlan:
    """The plan for a run whose scan found `scanned`, where the catalog knew `known` files and
    `failures` below the same roots. Only a confirmed absence removes anything: below a folder
    that could not be listed, nothing is gone."""
    plan = RunPlan(excluded=list(scanned.excluded))
    seen: set[str] = set()
    for item in scanned.files:
        seen.add(item.path)
        old = known.get(item.path)
        if old is not None and unchanged(old, item):
            plan.unchanged += 1
            if old.ctime_ns is None and item.ctime_ns is not None:
                plan.change_times.append((old.file_id, item.ctime_ns))
            continue
        failed = failures.get(item.path)
        if failed is not None and not failed.retry and (failed.size, failed.mtime_ns) == (item.size, item.mtime_ns):
            plan.skipped.append(failed)
            continue
        plan.work.append(item)
    for failure in scanned.failures:
        seen.add(failure.path)
        kind = "file" if failure.confirmed else "environment"
        plan.scan_failures.append(KnownFailure(failure.path, 0, 0, failure.reason, kind))
    out_of_reach = [folder for folder, _ in scanned.unreadable]
    for folder, reason in scanned.unreadable:
        plan.unreadable.append((folder, reason, sum(1 for p in known if is_under(p, folder))))

    def gone(path: str) -> bool:
        return path not in seen and not any(is_under(path, f) for f in out_of_reach)

    for path, file in known.items():
        if gone(path):
            plan.removable.setdefault(file.image_id, []).append(path)
    plan.removable_failures = [p for p in failures if gone(p)]
    retried = {w.path for w in plan.work}
    plan.stale_failures = [p for p in failures if p in known and p in seen and p not in retried]
    return plan
