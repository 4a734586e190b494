"""The Places view (Ctrl+6): photos stamped with GPS by exiftool as cameras write it, on a map
drawn here, as markers that split as the zoom grows; the wheel zooms about the pointer, a drag
pans, a click on a marker shows its photos in the gallery; the list Country › Region › City
counts them (an estimated place included and said); the setting hides every place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from app.core.web_mercator import to_world
from app.ui.places_panel import HIDDEN
from app.ui.settings_dialog import SettingsChoice
from app.ui.window_menus import GALLERY_TAB, PLACES_TAB
from tests.helpers.trips import write_trip
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop


@pytest.fixture
def trip(tmp_path: Path) -> Path:
    return write_trip(tmp_path / "trip")


@pytest.fixture
def window(qtbot, library_dir):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, library_dir)
    win.resize(1100, 760)
    yield win
    win.close()


def _shown(window) -> set[str]:  # type: ignore[no-untyped-def]
    return {Path(window.model.item(r).path).name for r in range(window.model.rowCount())}


def _items(panel) -> dict[str, tuple[str, object]]:  # type: ignore[no-untyped-def]
    """Every row of the list by its path ("Portugal/Lisbon/Lisbon"): (count, the item)."""
    found = {}
    for item in panel._items():
        found["/".join(panel._path(item))] = (item.text(1), item)
    return found


def _on_screen(canvas, lat: float, lon: float) -> QPoint:  # type: ignore[no-untyped-def]
    x, y = to_world(lat, lon)
    sx, sy = canvas.to_screen(x, y)
    return QPoint(round(float(sx)), round(float(sy)))


def _marker_counts(canvas) -> list[int]:  # type: ignore[no-untyped-def]
    level, shown = canvas.markers_in_view()
    return sorted(int(canvas.markers.levels[level].counts[i]) for i in shown)


def test_places_map_list_and_click_through(qtbot, window, trip):
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [trip])
    with qtbot.waitSignal(window.places_shown, timeout=20000):
        qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.views.currentIndex() == PLACES_TAB
    panel = window.places_panel
    canvas = panel.map
    qtbot.waitUntil(lambda: len(canvas.markers) == 4, timeout=10000)
    assert panel.pages.currentIndex() == 1 and panel.summary.text().startswith(
        "4 photos with GPS, 1 placed by their events"
    )

    rows = _items(panel)
    assert {path: count for path, (count, _item) in rows.items()} == {
        "Australia": "1",
        "Australia/New South Wales": "1",
        "Australia/New South Wales/Sydney": "1",
        "Portugal": "4",
        "Portugal/Lisbon": "3",
        "Portugal/Lisbon/Lisbon": "3",
        "Portugal/Porto": "1",
        "Portugal/Porto/Porto": "1",
    }
    lisbon_item = rows["Portugal/Lisbon/Lisbon"][1]
    assert "1 of these photos have no GPS" in lisbon_item.toolTip(0)

    # The whole collection is framed at first; every photo with GPS is in a marker.
    assert sum(_marker_counts(canvas)) == 4
    canvas.grab()  # painted (tiles and markers) without error

    # From afar Portugal is one marker of three; in a city's view Lisbon's two are one, Porto another.
    portugal = to_world(39.9, -8.9)
    canvas.set_view((float(portugal[0]), float(portugal[1])), 3.2)
    assert _marker_counts(canvas) == [3]
    lisbon = to_world(38.72, -9.136)
    canvas.set_view((float(lisbon[0]), float(lisbon[1])), 9.5)
    assert _marker_counts(canvas) == [2]
    canvas.set_view((float(lisbon[0]), float(lisbon[1])), 14.0)
    assert _marker_counts(canvas) == [1, 1], "streets apart, two markers"

    # The wheel zooms about the pointer: the place under it stays under it.
    canvas.set_view((float(lisbon[0]), float(lisbon[1])), 8.0)
    pointer = QPointF(canvas.width() * 0.3, canvas.height() * 0.6)
    before = canvas.to_world(pointer)
    wheel = QWheelEvent(
        pointer,
        canvas.mapToGlobal(pointer),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    canvas.wheelEvent(wheel)
    assert canvas.zoom == pytest.approx(8.5)
    np.testing.assert_allclose(canvas.to_world(pointer), before, atol=1e-9)

    # A drag pans by what the mouse moved.
    centre = canvas.centre
    start = QPoint(canvas.width() // 2, canvas.height() // 2)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(100, 40))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(100, 40))
    moved = (centre[0] - canvas.centre[0], centre[1] - canvas.centre[1])
    np.testing.assert_allclose(np.array(moved) * canvas.world_px(), [100, 40], atol=0.5)

    # Hovering a marker says what it is; clicking it shows its photos in the gallery.
    canvas.set_view((float(lisbon[0]), float(lisbon[1])), 9.5)
    at = _on_screen(canvas, 38.718, -9.136)
    level, marker = canvas.marker_at(at)
    assert window.controller.places.marker_label(level, marker) == "Lisbon, Portugal · 2 photos"
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at)
    assert window.views.currentIndex() == GALLERY_TAB
    assert _shown(window) == {"lisbon tram.jpg", "lisbon castle.jpg"}
    assert window.status_label.text().startswith("Lisbon, Portugal: 2 photos")

    # Esc, back to Places: choosing Sydney in the list brings the map there; Enter on Lisbon
    # shows its three photos, the estimated one among them.
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    panel.list.setCurrentItem(rows["Australia/New South Wales/Sydney"][1])
    sydney = to_world(-33.8568, 151.2153)
    np.testing.assert_allclose(canvas.centre, [float(sydney[0]), float(sydney[1])], atol=1e-9)
    assert _marker_counts(canvas) == [1]
    panel.list.itemActivated.emit(lisbon_item, 0)
    assert window.views.currentIndex() == GALLERY_TAB
    assert _shown(window) == {"lisbon tram.jpg", "lisbon castle.jpg", "lisbon cafe.jpg"}


def test_hiding_places_hides_the_view_and_the_viewers_place(qtbot, window, trip):
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [trip])
    # The gallery is refreshed after indexing ends, off the GUI thread: wait for its rows.
    qtbot.waitUntil(lambda: "lisbon tram.jpg" in _shown(window), timeout=20000)
    with qtbot.waitSignal(window.places_shown, timeout=20000):
        window.views.setCurrentIndex(PLACES_TAB)
    library = window.library
    choice = SettingsChoice(
        library.spec.name, library.spec.pretrained or "", library.device, "", 2000, hide_places=True
    )
    with qtbot.waitSignal(window.places_shown, timeout=5000):
        window.apply_settings(choice)
    panel = window.places_panel
    assert panel.pages.currentIndex() == 0 and panel.message.text() == HIDDEN and panel.summary.isHidden()

    row = next(r for r in range(window.model.rowCount()) if window.model.item(r).path.endswith("lisbon tram.jpg"))
    viewer = window.gallery_actions.open_viewer(row)
    qtbot.waitUntil(lambda: "Pixels" in viewer.details.text(), timeout=10000)
    assert "Lisbon" not in viewer.details.text() and "Coordinates" not in viewer.details.text()
    viewer.close()

    # Shown again: the map and the list come back, and the viewer says where.
    with qtbot.waitSignal(window.places_shown, timeout=5000):
        window.apply_settings(choice.__class__(**{**choice.__dict__, "hide_places": False}))
    assert panel.pages.currentIndex() == 1 and len(panel.map.markers) == 4
    viewer = window.gallery_actions.open_viewer(row)
    qtbot.waitUntil(lambda: "Pixels" in viewer.details.text(), timeout=10000)
    assert "Lisbon, Portugal" in viewer.details.text()
    assert "Coordinates" in viewer.details.text()
    viewer.close()
