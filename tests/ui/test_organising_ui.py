"""Albums, stars, favourites, rejects and tags in the window (#31): the keys on the gallery (0-5,
F, X, T) mark the selected photos and their badges show it; photos dragged onto an album join
it; a click on an album shows its photos; Ctrl+Z takes the last change back; an export runs
with progress and Cancel leaves the destination empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.catalog.photo_marks import PhotoMarks
from app.ui.gallery import MarksRole
from app.ui.window_menus import GALLERY_TAB
from tests.helpers.images import photo, save_jpeg
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop


@pytest.fixture
def window(qtbot, library_dir, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "photos"
    for i in range(6):
        save_jpeg(folder / f"p{i}.jpg", photo(500 + i, (320, 240)))
    win = open_window(qtbot, library_dir)
    with qtbot.waitSignal(win.indexing_finished, timeout=120000):
        _drop(win, [folder])
    qtbot.waitUntil(lambda: win.model.rowCount() == 6, timeout=20000)
    yield win
    win.close()


def _select(window, *names: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Select the photos named (the first becomes current), as clicks with Ctrl would."""
    model, selection = window.model, window.gallery.selectionModel()
    selection.clear()
    chosen = []
    for row in range(model.rowCount()):
        item = model.item(row)
        if Path(item.path).name in names:
            selection.setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.Select)
            chosen.append(item.image_id)
    return chosen


def _marks(window, name: str) -> PhotoMarks:  # type: ignore[no-untyped-def]
    for row in range(window.model.rowCount()):
        if Path(window.model.item(row).path).name == name:
            return PhotoMarks.unpacked(int(window.model.index(row).data(MarksRole) or 0))
    raise AssertionError(name)


def _shown(window) -> set[str]:  # type: ignore[no-untyped-def]
    return {Path(window.model.item(r).path).name for r in range(window.model.rowCount())}


def test_keys_mark_photos_and_undo_takes_it_back(qtbot, window, monkeypatch):
    _select(window, "p0.jpg", "p1.jpg")
    qtbot.keyClick(window.gallery, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: _marks(window, "p0.jpg").stars == 4, timeout=10000)
    assert _marks(window, "p1.jpg").stars == 4 and "2 photos: 4 stars" in window.status_label.text()
    assert _marks(window, "p2.jpg") == PhotoMarks()
    window.gallery.viewport().grab()  # the badges paint

    _select(window, "p1.jpg")
    qtbot.keyClick(window.gallery, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: _marks(window, "p1.jpg").favourite, timeout=10000)
    assert [i.image_id for i in window.gallery_panel.selected_items()] == [_ids(window, "p1.jpg")], "still selected"
    qtbot.keyClick(window.gallery, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: _marks(window, "p1.jpg") == PhotoMarks(True, 4, True), timeout=10000)
    qtbot.keyClick(window.gallery, Qt.Key.Key_X)  # again: no longer rejected
    qtbot.waitUntil(lambda: not _marks(window, "p1.jpg").rejected, timeout=10000)

    # Ctrl+Z: the last change (the second X) back; then nothing more to undo.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _marks(window, "p1.jpg").rejected, timeout=10000)
    assert "Undid" in window.status_label.text()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.status_label.text() == "Nothing to undo"

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Family/Anna", True))
    _select(window, "p2.jpg", "p3.jpg")
    qtbot.keyClick(window.gallery, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: "Tagged 2 photos Family/Anna" in window.status_label.text(), timeout=10000)
    assert [t.name for t in window.library.organising.tags()] == ["Family", "Family/Anna"]

    # The search bar takes the same filters as the command line, with or without words.
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("--tag Family --min-stars 0")
        window.search_bar.request_search()
    assert _shown(window) == {"p2.jpg", "p3.jpg"}
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a photo of a tree --favourites")
        window.search_bar.request_search()
    assert _shown(window) == {"p1.jpg"}
    window.search_box.setText("tree --stars 4")
    window.search_bar.request_search()
    qtbot.waitUntil(lambda: "--stars is not a filter" in window.status_label.text(), timeout=5000)


def test_albums_from_a_selection_by_drag_and_click_then_undo(qtbot, window, monkeypatch):
    albums = window.side.albums
    ids = _select(window, "p0.jpg", "p1.jpg")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Trips/Lisbon", True))
    albums.new_button.click()
    qtbot.waitUntil(lambda: albums.names() == ["Trips", "Trips/Lisbon"], timeout=10000)
    assert albums.list.item(1).text() == "    Lisbon (2)", "a sub-album, indented under its parent"

    # Photos dragged from the gallery onto the album join it.
    _select(window, "p2.jpg")
    data = window.model.mimeData([window.model.index(window.model.row_of(i)) for i in [*ids, _ids(window, "p2.jpg")]])
    row_rect = albums.list.visualItemRect(albums.list.item(1))
    drop = QDropEvent(
        QPointF(row_rect.center()),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    albums.list.dropEvent(drop)
    qtbot.waitUntil(lambda: albums.list.item(1).text() == "    Lisbon (3)", timeout=10000)

    # A click on the parent shows its sub-album's photos.
    qtbot.mouseClick(
        albums.list.viewport(), Qt.MouseButton.LeftButton, pos=albums.list.visualItemRect(albums.list.item(0)).center()
    )
    qtbot.waitUntil(lambda: _shown(window) == {"p0.jpg", "p1.jpg", "p2.jpg"}, timeout=10000)
    assert window.views.currentIndex() == GALLERY_TAB and window.status_label.text().startswith("Trips: 3 photos")

    # Delete, then Ctrl+Z: the album and its photos are back.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.organising_actions.delete_album("Trips")
    qtbot.waitUntil(lambda: albums.names() == [], timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: albums.names() == ["Trips", "Trips/Lisbon"], timeout=10000)
    qtbot.waitUntil(lambda: albums.list.item(1).text() == "    Lisbon (3)", timeout=10000)
    kept = {a.name: len(a.hashes) for a in window.library.organising.kept_albums("Trips")}
    assert kept == {"Trips": 0, "Trips/Lisbon": 3}, "the photos are back in the sub-album, not its parent"


def test_a_search_kept_as_a_smart_album_fills_itself(qtbot, window, monkeypatch):
    albums = window.side.albums
    asked: list[str] = []
    albums.smart_button.click()  # no search yet: it says to search first
    assert "Search for something first" in window.status_label.text() and albums.names() == []
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a photo of a tree")
        window.search_bar.request_search()
    monkeypatch.setattr(QInputDialog, "getText", lambda _w, _t, label, **k: (asked.append(label) or "Trees", True))
    albums.smart_button.click()
    qtbot.waitUntil(lambda: albums.names() == ["Trees"], timeout=20000)
    assert "a photo of a tree" in asked[0] and albums.list.item(0).text() == "Trees (6) ⚙"
    assert [a.text() for a in albums.menu_for("Trees", smart=True).actions() if a.text()][:2] == [
        "Show its photos",
        "New album inside…",
    ], "nothing to add to or take out of a smart album by hand"
    window.clear_search()
    qtbot.mouseClick(
        albums.list.viewport(), Qt.MouseButton.LeftButton, pos=albums.list.visualItemRect(albums.list.item(0)).center()
    )
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Trees: 6 photos"), timeout=20000)
    assert len(_shown(window)) == 6 and window.controller.browse.showing == "photos"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.organising_actions.delete_album("Trees")
    qtbot.waitUntil(lambda: albums.names() == [], timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: albums.names() == ["Trees"], timeout=20000)
    assert albums.list.item(0).text() == "Trees (6) ⚙", "Ctrl+Z brings it back, still a smart album"


def _ids(window, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(
        window.model.item(r).image_id
        for r in range(window.model.rowCount())
        if Path(window.model.item(r).path).name == name
    )


def test_an_export_runs_with_progress_and_cancel_leaves_nothing(qtbot, window, tmp_path, monkeypatch):
    dest = tmp_path / "exported"
    ids = [window.model.item(r).image_id for r in range(window.model.rowCount())]
    controller = window.controller
    controller.organising.export(ids, dest, None)
    qtbot.waitUntil(lambda: not controller.indexing.running, timeout=20000)
    assert sorted(p.name for p in dest.iterdir()) == [f"p{i}.jpg" for i in range(6)]
    assert window.status_label.text().startswith("Exported 6 photos")

    import time

    import app.library_export as export_module

    resize = export_module.write_resized

    def slowly(*args: object) -> None:  # each photo takes a while: Cancel lands mid-export
        time.sleep(0.3)
        resize(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(export_module, "write_resized", slowly)
    cancelled = tmp_path / "cancelled"
    controller.organising.export(ids, cancelled, 256)
    assert controller.indexing.running and window.status.cancel_button.isVisible()
    window.status.cancel_button.click()
    qtbot.waitUntil(lambda: not controller.indexing.running, timeout=20000)
    assert window.status_label.text() == "Export cancelled: nothing was exported"
    assert not cancelled.exists() or list(cancelled.iterdir()) == []


def test_memories_show_this_day_in_earlier_years_as_cards(qtbot, window, tmp_path):
    from datetime import date

    from app.ui.window_menus import MEMORIES_TAB
    from tests.helpers.raw_files import exiftool

    folder = tmp_path / "summers"
    for year in (2021, 2022):
        exiftool(save_jpeg(folder / f"{year}.jpg", photo(year, (320, 240))), f"-DateTimeOriginal={year}:07:14 10:00:00")
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [folder])
    window.controller.memories._today = lambda: date(2024, 7, 14)
    with qtbot.waitSignal(window.memories_shown, timeout=20000):
        qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    panel = window.memories_panel
    assert window.views.currentIndex() == MEMORIES_TAB and panel.pages.currentIndex() == 1
    titles = [panel.model.card(r).name for r in range(panel.model.rowCount())]
    assert titles == ["2 years ago today · 14 July 2022", "3 years ago today · 14 July 2021"]
    panel.view.doubleClicked.emit(panel.model.index(1))
    assert window.views.currentIndex() == GALLERY_TAB
    # The photos show once the gallery's rows, read again after indexing, have come (at once
    # on an idle machine; a busy one may open the card first, and the rows then fill it).
    qtbot.waitUntil(lambda: _shown(window) == {"2021.jpg"}, timeout=20000)

    window.controller.memories._today = lambda: date(2024, 12, 1)
    with qtbot.waitSignal(window.memories_shown, timeout=20000):
        window.views.setCurrentIndex(MEMORIES_TAB)
    assert panel.pages.currentIndex() == 0, "nothing to remember that day: a line says so"


def test_the_window_opens_on_memories_when_there_are_some_today(qtbot, window, library_dir, tmp_path):
    from datetime import date

    from app.ui.window_menus import MEMORIES_TAB
    from tests.helpers.raw_files import exiftool

    today = date.today()
    folder = tmp_path / "years ago"
    taken = f"{today.year - 4}:{today.month:02d}:{today.day:02d} 10:00:00"  # 4 years: a 29 February too
    exiftool(save_jpeg(folder / "then.jpg", photo(4, (320, 240))), f"-DateTimeOriginal={taken}")
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [folder])
    window.close()
    again = open_window(qtbot, library_dir)
    try:
        qtbot.waitUntil(lambda: again.views.currentIndex() == MEMORIES_TAB, timeout=20000)
        qtbot.waitUntil(lambda: again.memories_panel.model.rowCount() >= 1, timeout=20000)
        assert again.memories_panel.model.card(0).name.startswith("4 years ago today")
    finally:
        again.close()


def test_an_album_is_ordered_by_hand_from_the_gallery_and_undo_restores_it(qtbot, window, monkeypatch):
    albums, organising = window.side.albums, window.controller.organising
    _select(window, "p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Walk", True))
    albums.new_button.click()
    qtbot.waitUntil(lambda: albums.names() == ["Walk"], timeout=10000)
    window.organising_actions.show_album("Walk")
    qtbot.waitUntil(lambda: organising.album_showing() == "Walk", timeout=10000)
    by_date = [Path(window.model.item(r).path).name for r in range(window.model.rowCount())]
    assert sorted(by_date) == ["p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg"]

    _select(window, by_date[-1])
    menu = window.gallery_actions.context_menu_for(window.model.item(window.model.rowCount() - 1))
    move = next(a for a in menu.actions() if a.text() == "Move to the start of Walk")
    move.trigger()
    qtbot.waitUntil(lambda: Path(window.model.item(0).path).name == by_date[-1], timeout=10000)
    assert [Path(window.model.item(r).path).name for r in range(4)] == [by_date[-1], *by_date[:-1]]
    qtbot.waitUntil(lambda: [a.by_hand for a in organising.albums if a.name == "Walk"] == [True], timeout=10000)
    album_menu = albums.menu_for("Walk", smart=False, by_hand=True)
    assert next(a for a in album_menu.actions() if a.text() == "Ordered by hand").isChecked()

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: Path(window.model.item(0).path).name == by_date[0], timeout=10000)
    qtbot.waitUntil(lambda: [a.by_hand for a in organising.albums if a.name == "Walk"] == [False], timeout=10000)


def test_with_sidecars_turned_on_in_settings_a_key_reaches_the_photos_sidecar(qtbot, window):
    from app.core.xmp_read import read_file_xmp
    from app.ui.settings_dialog import SettingsChoice

    library = window.library
    choice = SettingsChoice(library.spec.name, library.spec.pretrained or "", library.device, "", 2000)
    window.apply_settings(SettingsChoice(**{**choice.__dict__, "write_sidecars": True}))
    assert window.library.settings.write_sidecars
    path = Path(next(window.model.item(r).path for r in range(6) if window.model.item(r).path.endswith("p0.jpg")))
    before = path.read_bytes()
    _select(window, "p0.jpg")
    qtbot.keyClick(window.gallery, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: Path(str(path) + ".xmp").exists(), timeout=10000)
    assert read_file_xmp(path).rating == 4 and path.read_bytes() == before
    dialog = window.open_settings()
    assert dialog is not None and dialog.write_sidecars.isChecked(), "the choice is remembered"
    dialog.reject()
