"""The gallery while the library changes under it: it grows in place as indexing adds photos
(selection and scroll kept, no reset of 100,000 rows), and only the newest search shows."""

from __future__ import annotations

import time
from pathlib import Path

from app.catalog.records import RegionInfo
from app.controller.gallery_rows import plan_update, stacked_rows
from app.library import Library
from app.search.results import SearchHit
from app.ui.gallery import GalleryItem, GalleryModel
from app.ui.thumbnails import ThumbnailCache
from tests.helpers.images import photo, save_jpeg
from tests.ui.conftest import open_window


def _items(ids: list[int]) -> list[GalleryItem]:
    return [GalleryItem(i, f"/p/{i}.jpg", f"/nonexistent/{i}.jpg") for i in ids]


def test_new_rows_are_planned_as_insertions_and_anything_else_as_a_reset():
    base = tuple(tuple(item) for item in _items([5, 4, 2, 1]))
    update = plan_update(base, _items([7, 5, 4, 3, 2, 1, 0]))
    assert [(pos, [row[0] for row in run]) for pos, run in update.inserts or []] == [(0, [7]), (3, [3]), (6, [0])]
    assert update.row_of[3] == 3
    assert plan_update(base, _items([5, 2, 1])).inserts is None, "a row went"
    assert plan_update(base, _items([4, 5, 2, 1])).inserts is None, "rows moved"
    stacked = stacked_rows([tuple(i) for i in _items([7, 5, 4, 2, 1])], {4: (2, 4, 5)})
    assert [GalleryItem(*row).stack for row in stacked] == [0, 3, 0], "a burst's cover carries its shots"
    assert [row[0] for row in stacked] == [7, 4, 1]
    assert plan_update(tuple(stacked), stacked_rows([tuple(i) for i in _items([7, 5, 4, 2, 1])], {})).inserts is None, (
        "a stack opened: rows changed"
    )


def test_the_model_grows_in_place_and_keeps_the_selection(qtmodeltester, tmp_path: Path):
    from PySide6.QtCore import QPersistentModelIndex

    cache = ThumbnailCache()
    model = GalleryModel(cache)
    model.set_items(_items([5, 4, 2, 1]))
    persistent = QPersistentModelIndex(model.index(2))  # image 2
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.apply_update(plan_update(model.snapshot(), _items([7, 5, 4, 3, 2, 1, 0])))
    assert [model.item(r).image_id for r in range(model.rowCount())] == [7, 5, 4, 3, 2, 1, 0]
    assert resets == [] and persistent.row() == 4 and model.row_of(3) == 3
    stale = plan_update(tuple(tuple(i) for i in _items([9])), _items([9, 8]))  # planned against rows no longer shown
    model.apply_update(stale)
    assert resets == [1] and model.rowCount() == 2
    qtmodeltester.check(model)
    cache.wait()  # thumbnail loads started by the tester finish before the cache goes


def test_indexing_more_photos_adds_rows_without_a_reset(qtbot, library_dir: Path, tmp_path: Path):
    first, more = tmp_path / "first", tmp_path / "more"
    for i in range(4):
        save_jpeg(first / f"a{i}.jpg", photo(800 + i))
        save_jpeg(more / f"b{i}.jpg", photo(810 + i))
    with Library(library_dir) as lib:
        lib.index([first])
    window = open_window(qtbot, library_dir)
    try:
        qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10000)
        window.gallery.setCurrentIndex(window.model.index(1))
        chosen = window.model.item(1).image_id
        resets: list[int] = []
        window.model.modelReset.connect(lambda: resets.append(1))
        window.library.index([more])
        with qtbot.waitSignal(window.gallery_refreshed, timeout=10000):
            window.refresh_gallery()
        assert window.model.rowCount() == 8 and resets == []
        assert window.model.item(window.gallery.currentIndex().row()).image_id == chosen, "the selection stays"
    finally:
        window.close()


def test_an_older_slower_search_never_overwrites_a_newer_one(qtbot, library_dir: Path, tmp_path: Path):
    for i in range(3):
        save_jpeg(tmp_path / "p" / f"{i}.jpg", photo(820 + i))
    with Library(library_dir) as lib:
        lib.index([tmp_path / "p"])
    window = open_window(qtbot, library_dir)
    try:

        def hit(image_id: int) -> SearchHit:
            return SearchHit(
                image_id,
                f"/x/{image_id}.jpg",
                0.5,
                RegionInfo(image_id, image_id, "image", None, (0, 0, 1, 1), 1.0, None),
                "test",
            )

        def slow():  # type: ignore[no-untyped-def]
            time.sleep(0.6)
            return [hit(1), hit(2)]

        window.controller.searching.run_latest(slow)
        with qtbot.waitSignal(window.search_finished, timeout=10000):
            window.controller.searching.run_latest(lambda: [hit(3)])
        qtbot.wait(1000)  # the slow one has finished by now
        assert [window.model.item(r).image_id for r in range(window.model.rowCount())] == [3]
    finally:
        window.close()
