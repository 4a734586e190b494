"""The People view: cards per person, naming, merging by drag and drop, "Not this person",
a person's photos, and a name in the search bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.helpers.faces import people_folder
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop

OBAMA = {"obama.jpg", "obama2.jpg", "obama3.jpg", "obama_partial_face.jpg", "group.jpg"}


@pytest.fixture
def window(qtbot, library_dir, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    win = open_window(qtbot, library_dir)
    yield win
    win.close()


def _cards(window) -> list:  # type: ignore[no-untyped-def]
    model = window.people_panel.model
    return [model.card(r) for r in range(model.rowCount())]


def _shown(window) -> set[str]:  # type: ignore[no-untyped-def]
    return {Path(window.model.item(r).path).name for r in range(window.model.rowCount())}


def test_people_are_named_merged_checked_and_searched(qtbot, window, tmp_path, monkeypatch):
    folder = people_folder(tmp_path / "people")
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [folder])
    qtbot.waitUntil(lambda: len(_cards(window)) == 2, timeout=20000)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.views.currentIndex() == 3 and window.people_panel.currentIndex() == 1
    first, second = _cards(window)
    assert (first.name, first.faces, second.faces) == (None, 5, 2), "unnamed, largest first"
    assert first.cover_thumbnail is not None, "a face to show, cropped from the photo's thumbnail"
    menu = window.people_panel.card_menu(first.id)
    assert [a.text() for a in menu.actions() if a.text()][:4] == [
        "Name…",
        "Show photos",
        "Check faces",
        "Confirm all suggested faces",
    ]

    monkeypatch.setattr("app.ui.people_actions.QInputDialog.getText", lambda *a, **k: ("  Barack ", True))
    with qtbot.waitSignal(window.people_refreshed, timeout=20000):
        window.people_panel.name_requested.emit(first.id)
    assert [c.name for c in _cards(window)] == ["Barack", None]
    asked = []

    def answer(reply):  # type: ignore[no-untyped-def]
        return lambda _parent, _title, text, *a, **k: asked.append(text) or reply

    monkeypatch.setattr("app.ui.people_actions.QMessageBox.question", answer(QMessageBox.StandardButton.No))
    window.people_panel.name_typed.emit(second.id, "barack")  # another person's name: asked, and declined
    assert len(asked) == 1 and "Barack is already the name of another person" in asked[0]
    qtbot.wait(300)
    assert [c.name for c in _cards(window)] == ["Barack", None], "nothing merged"

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("barack")
        window.search_bar.request_search()
    assert _shown(window) == OBAMA, "a name in the search bar: that person's photos"
    window.clear_search()

    with qtbot.waitSignal(window.person_opened, timeout=20000):
        window.people_panel.faces_requested.emit(first.id)
    faces = window.people_panel.faces_model
    assert faces.rowCount() == 5
    wrong = faces.face(0)
    window.people_panel.not_this_person.emit(wrong.region_id)  # the faces and the cards reload
    qtbot.waitUntil(lambda: faces.rowCount() == 4 and len(_cards(window)) == 3, timeout=20000)
    loner = next(c for c in _cards(window) if c.faces == 1)

    model = window.people_panel.model
    dragged = model.mimeData([model.index(model.row_of(loner.id))])
    with qtbot.waitSignal(window.people_refreshed, timeout=20000):
        model.dropMimeData(dragged, Qt.DropAction.MoveAction, -1, -1, model.index(model.row_of(first.id)))
    assert [(c.name, c.faces) for c in _cards(window)] == [("Barack", 5), (None, 2)], "dropped onto Barack: merged"

    biden = _cards(window)[1]
    index = model.index(model.row_of(biden.id))
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable and model.data(index, Qt.ItemDataRole.EditRole) == ""
    with qtbot.waitSignal(window.people_refreshed, timeout=20000):
        model.setData(index, " Joe ")  # a name typed on the card
    assert [c.name for c in _cards(window)] == ["Barack", "Joe"]
    window.people_panel.photos_requested.emit(biden.id)
    assert window.views.currentIndex() == 0 and _shown(window) == {"biden.jpg", "group.jpg"}

    panel = window.people_panel
    assert panel.show_hidden.isHidden(), "nobody hidden: no box for it"
    with qtbot.waitSignal(window.people_refreshed, timeout=20000):
        next(a for a in panel.card_menu(biden.id).actions() if a.text() == "Hide").trigger()
    assert [c.name for c in _cards(window)] == ["Barack"]
    assert not panel.show_hidden.isHidden() and panel.show_hidden.text() == "Show hidden people (1)"
    panel.show_hidden.setChecked(True)
    assert [c.title for c in _cards(window)] == ["Barack", "Joe (hidden)"]
    labels = [a.text() for a in panel.card_menu(biden.id).actions()]
    assert "Show in People" in labels and "Hide" not in labels
    with qtbot.waitSignal(window.people_refreshed, timeout=20000):
        next(a for a in panel.card_menu(biden.id).actions() if a.text() == "Show in People").trigger()
    assert [c.title for c in _cards(window)] == ["Barack", "Joe"]
    panel.show_hidden.setChecked(False)
    assert panel.show_hidden.isHidden() and [c.title for c in _cards(window)] == ["Barack", "Joe"]


def test_the_viewer_names_faces_and_finds_the_same_face_elsewhere(qtbot, window, tmp_path, monkeypatch):
    folder = people_folder(tmp_path / "people")
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [folder])
    qtbot.waitUntil(lambda: len(_cards(window)) == 2 and window.model.rowCount() == 9, timeout=20000)
    with qtbot.waitSignal(window.people_refreshed, timeout=20000):
        window.controller.people.name(_cards(window)[0].id, "Barack")
    row = next(r for r in range(window.model.rowCount()) if window.model.item(r).path.endswith("group.jpg"))
    viewer = window.gallery_actions.open_viewer(row)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: len(viewer.faces) == 2, timeout=10000)
    assert sorted(viewer.drawn_regions) == ["?", "Barack"], "faces drawn with their names"
    barack = next(f for f in viewer.faces if f.name == "Barack")
    other = next(f for f in viewer.faces if f.name is None)
    labels = [a.text() for a in viewer.face_menu(barack.region_id).actions()]
    assert labels == ["This is…", "Not Barack", "Find similar faces"]
    # A face under the pointer is found where the photo is drawn.
    shown = viewer.picture.photo_rect()
    x0, y0, x1, y1 = other.bbox
    centre = shown.topLeft() + type(shown.topLeft())((x0 + x1) / 2 * shown.width(), (y0 + y1) / 2 * shown.height())
    assert viewer.picture.box_at(centre) == other.region_id

    with qtbot.waitSignal(viewer.shown, timeout=20000):
        viewer.face_named.emit(other.region_id, "Joe")
    assert sorted(viewer.drawn_regions) == ["Barack", "Joe"]
    qtbot.waitUntil(lambda: [c.name for c in _cards(window)] == ["Barack", "Joe"], timeout=10000)

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        viewer.similar_faces_wanted.emit(barack.region_id)
    assert _shown(window) == OBAMA, "photos with the same face, by face descriptor"
    assert window.model.item(0).path.endswith("group.jpg"), "the face itself first"
    viewer.close()
