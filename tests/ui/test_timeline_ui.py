"""The gallery as a timeline (#31): a header per day (per month when zoomed out) over photos
dated by their EXIF, a date scrubber that goes to a month, keys and shift-click across days;
ranked search results and the order by name are not grouped."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.helpers.images import exif_with, photo
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop

SHOTS = [  # (day, how many): newest first as the gallery shows them
    ("2024:07:14", 4),
    ("2024:07:06", 3),
    ("2024:06:20", 4),
    ("2023:07:14", 3),
]
DAY_HEADERS = ["Sunday 14 July 2024", "Saturday 6 July 2024", "Thursday 20 June 2024", "Friday 14 July 2023"]


@pytest.fixture
def window(qtbot, library_dir, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "photos"
    folder.mkdir()
    seed = 700
    for day, count in SHOTS:
        for i in range(count):
            seed += 1
            picture = photo(seed, (320, 240))
            picture.save(folder / f"IMG_{seed}.jpg", "JPEG", quality=90, exif=exif_with(date=f"{day} {9 + i}:15:00"))
    win = open_window(qtbot, library_dir)
    win.resize(760, 520)
    with qtbot.waitSignal(win.indexing_finished, timeout=120000):
        _drop(win, [folder])
    qtbot.waitUntil(lambda: win.model.rowCount() == 14, timeout=20000)
    yield win
    win.close()


def test_photos_are_grouped_under_a_header_per_day_and_per_month_zoomed_out(qtbot, window):
    gallery = window.gallery
    assert gallery.header_texts() == DAY_HEADERS
    layout = gallery.timeline_layout()
    assert layout.counts.tolist() == [4, 3, 4, 3]
    first, fifth = gallery.visualRect(window.model.index(0)), gallery.visualRect(window.model.index(4))
    assert first.top() >= layout.header, "the first photo sits under its day's header"
    assert fifth.left() == first.left() and fifth.top() > first.bottom() + layout.header // 2, (
        "the next day starts a new line, under its own header"
    )
    assert not gallery.viewport().grab().isNull()  # headers and cells paint
    window.search_bar.size_slider.setValue(80)  # zoomed out: months
    assert gallery.header_texts() == ["July 2024", "June 2024", "July 2023"]
    window.search_bar.size_slider.setValue(160)
    assert gallery.header_texts() == DAY_HEADERS

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a photo of a tree")
        window.search_bar.request_search()
    assert gallery.header_texts() == [], "ranked results are not a timeline"
    with qtbot.waitSignal(window.gallery_refreshed, timeout=20000):
        window.clear_search()
    assert gallery.header_texts() == DAY_HEADERS
    with qtbot.waitSignal(window.gallery_refreshed, timeout=20000):
        window.search_bar.sort_box.setCurrentIndex(1)  # by name
    assert gallery.header_texts() == []


def test_the_scrubber_names_a_month_and_goes_there(qtbot, window):
    scrubber, gallery = window.gallery_panel.scrubber, window.gallery
    qtbot.waitUntil(scrubber.isVisible, timeout=5000)
    months = gallery.timeline_layout().months()
    assert [(y, m) for _top, y, m in months] == [(2024, 7), (2024, 6), (2023, 7)]
    assert scrubber.label_at(0) == "Jul 2024" and scrubber.label_at(scrubber.height() - 1) == "Jul 2023"
    bar = gallery.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    qtbot.mouseClick(scrubber, Qt.MouseButton.LeftButton, pos=QPoint(5, scrubber.height() - 2))
    assert bar.value() == min(months[-1][0], bar.maximum()), "the last month's photos are brought into view"
    shown = gallery.indexAt(QPoint(gallery.viewport().width() // 4, gallery.viewport().height() - 40))
    assert shown.isValid() and window.model.item(shown.row()).day == 20230714
    assert not scrubber.grab().isNull()
    qtbot.mouseClick(scrubber, Qt.MouseButton.LeftButton, pos=QPoint(5, 1))
    assert bar.value() == 0


def test_keys_and_shift_click_go_across_days(qtbot, window):
    gallery, model = window.gallery, window.model
    layout = gallery.timeline_layout()
    gallery.setFocus()
    gallery.setCurrentIndex(model.index(1))
    qtbot.keyClick(gallery, Qt.Key.Key_Down)
    expected = layout.row_above_or_below(1, 1)
    assert expected > 1 and gallery.currentIndex().row() == expected, "the line below, in the same column"
    qtbot.keyClick(gallery, Qt.Key.Key_End)
    assert gallery.currentIndex().row() == 13
    gallery.scrollToTop()
    first = gallery.visualRect(model.index(0)).center()
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=first)
    gallery.scrollTo(model.index(6))
    sixth = gallery.visualRect(model.index(6)).center()
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, sixth)
    chosen = sorted(Path(i.path).name for i in window.gallery_panel.selected_items())
    assert len(chosen) == 7, "from the first photo to the seventh, across a day's header"
    gallery.scrollToTop()
    top = gallery.visualRect(model.index(0))
    assert not gallery.indexAt(QPoint(top.center().x(), top.top() - layout.header // 2)).isValid(), "a header"
