"""What a run plans to do, decided without SQLite or the file system: each rule on its own."""

from __future__ import annotations

from app.catalog.records import KnownFailure, KnownFile
from app.indexing.run_plan import plan_run
from app.indexing.scanner import ScanFailure, ScannedFile, ScanResult


def _known(path: str, image_id: int, size: int = 10, mtime: int = 1, ctime: int | None = 5) -> KnownFile:
    return KnownFile(image_id * 10, path, size, mtime, image_id, ctime)


def test_new_and_changed_files_are_read_unchanged_ones_are_not():
    scanned = ScanResult(
        files=[
            ScannedFile("/p/same.jpg", 10, 1, 5),
            ScannedFile("/p/bigger.jpg", 11, 1, 5),
            ScannedFile("/p/touched.jpg", 10, 1, 9),  # `touch -r`: size and mtime kept, ctime moved
            ScannedFile("/p/new.jpg", 3, 3, 3),
            ScannedFile("/p/old-row.jpg", 10, 1, 7),  # a row from before change times were kept
        ]
    )
    known = {p: _known(p, n) for n, p in enumerate(["/p/same.jpg", "/p/bigger.jpg", "/p/touched.jpg"], start=1)}
    known["/p/old-row.jpg"] = _known("/p/old-row.jpg", 4, ctime=None)
    plan = plan_run(scanned, known, {})
    assert [w.path for w in plan.work] == ["/p/bigger.jpg", "/p/touched.jpg", "/p/new.jpg"]
    assert plan.unchanged == 2
    assert plan.change_times == [(40, 7)], "its change time is recorded, nothing is read"
    assert plan.removable == {} and plan.removable_failures == []


def test_a_known_bad_file_is_not_read_again_until_it_changes_but_one_that_failed_now_is():
    scanned = ScanResult(
        files=[ScannedFile("/p/bad.jpg", 5, 2), ScannedFile("/p/fixed.jpg", 6, 9), ScannedFile("/p/nfs.jpg", 5, 2)]
    )
    failures = {
        "/p/bad.jpg": KnownFailure("/p/bad.jpg", 5, 2, "corrupt"),
        "/p/fixed.jpg": KnownFailure("/p/fixed.jpg", 5, 2, "corrupt"),
        "/p/nfs.jpg": KnownFailure("/p/nfs.jpg", 5, 2, "I/O error", kind="environment"),
    }
    plan = plan_run(scanned, {}, failures)
    assert [f.path for f in plan.skipped] == ["/p/bad.jpg"]
    assert [w.path for w in plan.work] == ["/p/fixed.jpg", "/p/nfs.jpg"]


def test_only_a_confirmed_absence_removes_anything():
    scanned = ScanResult(
        files=[ScannedFile("/p/kept.jpg", 10, 1, 5)],
        failures=[ScanFailure("/p/link.jpg", "a broken link", confirmed=True)],
        unreadable=[("/p/locked", "permission denied")],
    )
    known = {
        "/p/kept.jpg": _known("/p/kept.jpg", 1),
        "/p/deleted.jpg": _known("/p/deleted.jpg", 2),
        "/p/copy-deleted.jpg": _known("/p/copy-deleted.jpg", 2),
        "/p/link.jpg": _known("/p/link.jpg", 3),
        "/p/locked/a.jpg": _known("/p/locked/a.jpg", 4),
        "/p/locked/b.jpg": _known("/p/locked/b.jpg", 5),
    }
    failures = {
        "/p/gone-bad.jpg": KnownFailure("/p/gone-bad.jpg", 1, 1, "corrupt"),
        "/p/locked/bad.jpg": KnownFailure("/p/locked/bad.jpg", 1, 1, "corrupt"),
        "/p/kept.jpg": KnownFailure("/p/kept.jpg", 9, 9, "unreadable once", kind="environment"),
    }
    plan = plan_run(scanned, known, failures)
    assert plan.removable == {2: ["/p/deleted.jpg", "/p/copy-deleted.jpg"]}, "nothing below the locked folder"
    assert plan.removable_failures == ["/p/gone-bad.jpg"]
    assert plan.unreadable == [("/p/locked", "permission denied", 2)]
    assert [(f.path, f.retry) for f in plan.scan_failures] == [("/p/link.jpg", False)]
    assert plan.stale_failures == ["/p/kept.jpg"], "it indexes well now: its old failure goes"
