"""The library's folders: remembered as added (outermost only), counted, and removable without
touching a file."""

from __future__ import annotations

from pathlib import Path

from app.catalog.folders import merge_roots
from app.library import Library
from tests.conftest import snapshot
from tests.helpers.images import photo, save_jpeg


def test_only_the_outermost_folders_are_kept():
    assert merge_roots(["/p/a"], ["/p/a/b"]) == ["/p/a"]
    assert merge_roots(["/p/a/b", "/p/a/c", "/q"], ["/p/a"]) == ["/p/a", "/q"]
    assert merge_roots(["/p/ab"], ["/p/a"]) == ["/p/a", "/p/ab"]  # a name prefix is not a parent


def test_folders_are_listed_with_counts_and_removed_without_touching_files(library_dir: Path, tmp_path: Path):
    for i in range(3):
        save_jpeg(tmp_path / "trip" / f"{i}.jpg", photo(i))
    save_jpeg(tmp_path / "home" / "h.jpg", photo(9))
    (tmp_path / "home" / "broken.jpg").write_bytes(b"nope")
    before = {name: snapshot(tmp_path / name) for name in ("trip", "home")}
    with Library(library_dir) as lib:
        lib.index([tmp_path / "trip", tmp_path / "home"])
        lib.index([tmp_path / "trip"])  # again: still one entry
        listed = {Path(f.path).name: f.photos for f in lib.folders()}
        assert listed == {"trip": 3, "home": 1}
        removed = lib.edits.remove([tmp_path / "home"])
        assert removed.files + removed.failures == 2  # the photo and the unreadable file
        assert [Path(f.path).name for f in lib.folders()] == ["trip"]
        status = lib.status().to_json()
        assert status["images"] == 3 and status["failures"] == 0
        assert status["consistent"] and status["vectors"] == status["index_vectors"] == 3
    assert {name: snapshot(tmp_path / name) for name in ("trip", "home")} == before


def test_a_run_is_marked_until_it_ends_and_earlier_interruptions_are_kept(tmp_path: Path):
    from app.catalog import folders
    from app.catalog.database import open_catalog

    engine = open_catalog(tmp_path / "catalog.sqlite")
    assert folders.interrupted_roots(engine) is None
    before = folders.mark_run_started(engine, ["/a"])
    assert before == [] and folders.interrupted_roots(engine) == ["/a"]  # a kill now leaves this
    # The next run (of another folder) carries the interrupted one along, and keeps it after
    # ending, since it did not cover it.
    before = folders.mark_run_started(engine, ["/b"])
    assert before == ["/a"] and folders.interrupted_roots(engine) == ["/a", "/b"]
    folders.mark_run_ended(engine, ["/b"], before)
    assert folders.interrupted_roots(engine) == ["/a"]
    # A run of a folder holding it clears it; a region pass that stepped aside stays pending.
    before = folders.mark_run_started(engine, ["/"])
    folders.mark_run_ended(engine, ["/"], before, regions_left=True)
    assert folders.interrupted_roots(engine) == []
    before = folders.mark_run_started(engine, [])
    folders.mark_run_ended(engine, [], before)
    assert folders.interrupted_roots(engine) is None
    engine.dispose()


def test_a_run_that_crashes_stays_interrupted_so_the_app_resumes_it(library_dir: Path, tmp_path: Path, monkeypatch):
    import pytest

    from app.indexing import pipeline

    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))

    def crash(self, work):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the middle of a run")

    with Library(library_dir) as lib:
        monkeypatch.setattr(pipeline.IndexRun, "_process", crash)
        with pytest.raises(RuntimeError):
            lib.index([tmp_path / "p"])
        assert lib.status().interrupted == [str(tmp_path / "p")]
        monkeypatch.undo()
        lib.index([tmp_path / "p"])
        assert lib.status().interrupted is None
