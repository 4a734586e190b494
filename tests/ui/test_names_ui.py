"""Teaching a name from the window: select photos, "Teach a name…", and the name is a word of
the search; the Names list shows it, searches it, shows its photos, renames and forgets it; a
region picked in the viewer can be an example; a new name gathers three examples first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel

from tests.helpers.shapes import average_precision_at_k, write_test_set
from tests.ui.conftest import open_window

TAUGHT = ("green", "triangle")


@pytest.fixture
def shapes(cli, tmp_path: Path, shapes_model: str) -> dict[tuple[str, str], list[Path]]:
    photos = write_test_set(tmp_path / "shapes", per_class=6, seed=77)
    assert cli("index", tmp_path / "shapes", "--model", shapes_model).code == 0
    return photos


@pytest.fixture
def window(qtbot, library_dir, shapes):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, library_dir)
    qtbot.waitUntil(lambda: win.model.rowCount() == 6 * 12, timeout=20000)
    yield win
    win.close()


def _select(window, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    wanted = {str(p) for p in paths}
    selection = window.gallery.selectionModel()
    selection.clearSelection()
    for row in range(window.model.rowCount()):
        if window.model.item(row).path in wanted:
            selection.select(window.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)


def _results(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [window.model.item(r).path for r in range(window.model.rowCount())]


def _status(window) -> str:  # type: ignore[no-untyped-def]
    return window.status_label.text()


def test_select_photos_teach_a_name_and_search_it(qtbot, window, shapes, monkeypatch):
    examples = shapes[TAUGHT][:4]
    _select(window, examples)
    menu = window.gallery_actions.context_menu_for(window.gallery_panel.selected_items()[0])
    teach = next(a for a in menu.actions() if a.text() == "Teach a name…")
    monkeypatch.setattr("app.ui.names_list.QInputDialog.getItem", lambda *a, **k: ("  blicket ", True))
    teach.trigger()
    qtbot.waitUntil(lambda: "blicket: found" in _status(window), timeout=60000)
    assert "found 4 of 4 examples in the top 20; other searches unchanged" in _status(window)
    qtbot.waitUntil(lambda: window.side.names.names() == ["blicket"], timeout=10000)
    assert window.side.names.list.item(0).text() == "blicket (4)"

    # A click on the name searches for it; then in a sentence.
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.side.names.search_requested.emit("blicket")
    taught = {str(p) for p in shapes[TAUGHT]}
    assert window.search_box.text() == "blicket"
    assert average_precision_at_k(_results(window), taught, 6) >= 0.8
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_actions.search_for("a blicket")
    assert average_precision_at_k(_results(window), taught, 6) >= 0.8

    # More examples from the selection, through the Names list's menu.
    _select(window, shapes[TAUGHT][4:])
    menu = window.side.names.menu_for("blicket")
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == [
        "Search for blicket",
        "Show the photos it was taught from",
        "Add the selected photos as examples",
        "Rename…",
        "Forget…",
    ]
    assert all(a.isEnabled() for a in menu.actions())
    next(a for a in menu.actions() if a.text().startswith("Add the selected")).trigger()
    qtbot.waitUntil(lambda: window.side.names.list.item(0).text() == "blicket (6)", timeout=60000)

    window.side.names.photos_requested.emit("blicket")
    assert sorted(_results(window)) == sorted(taught)
    assert "blicket: the 6 photos it was taught from" in _status(window)

    monkeypatch.setattr("app.ui.names_actions.QInputDialog.getText", lambda *a, **k: ("wug", True))
    with qtbot.waitSignal(window.names_refreshed, timeout=20000):
        window.side.names.rename_requested.emit("blicket")
    assert window.side.names.names() == ["wug"]
    with qtbot.waitSignal(window.names_refreshed, timeout=20000):
        window.names_actions.confirm_forget("wug", confirm=False)
    assert window.side.names.names() == [] and window.side.names.hint.isVisibleTo(window)


def test_a_new_name_gathers_three_examples_from_photos_and_regions(qtbot, window, shapes, monkeypatch):
    reds = shapes[("red", "square")]
    _select(window, reds[:1])
    window.names_actions.teach_selected("the red one")
    assert window.side.names.list.item(0).text() == "the red one (1 of 3 examples)"
    assert "2 more photos with the same name" in _status(window)

    # The viewer: right-click on the photo offers teaching a name from it.
    row = next(r for r in range(window.model.rowCount()) if window.model.item(r).path == str(reds[1]))
    viewer = window.gallery_actions.open_viewer(row)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: bool(viewer.regions), timeout=10000)
    menu = viewer.region_menu(0)
    action = next(a for a in menu.actions() if a.text() == "Teach a name from this photo…")
    whole = next(r.region_id for r in viewer.regions if r.kind == "image")
    taught: list[int] = []
    viewer.teach_wanted.connect(taught.append)
    monkeypatch.setattr("app.ui.names_list.QInputDialog.getItem", lambda *a, **k: ("the red one", True))
    action.trigger()
    viewer.close()
    assert taught == [whole]
    assert window.side.names.list.item(0).text() == "the red one (2 of 3 examples)"

    _select(window, reds[2:4])
    window.names_actions.teach_selected("The Red One")  # any case: the same name
    qtbot.waitUntil(lambda: "the red one: found" in _status(window), timeout=60000)
    qtbot.waitUntil(lambda: window.side.names.list.item(0).text() == "the red one (4)", timeout=10000)


def test_a_name_that_cannot_be_taught_says_why(qtbot, window, shapes, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(window, "show_error", lambda error: shown.append(str(error)))
    _select(window, shapes[("blue", "circle")][:3])
    window.names_actions.teach_selected("beach")
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "already a word the search understands" in shown[0]
    assert window.side.names.names() == []
