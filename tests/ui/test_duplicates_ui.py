"""The Duplicates view: groups per tier with the photo to keep marked, keyboard review, the
tier filter, and "Move the others to the Trash" only after a confirmation that lists them (a
cancelled one moves nothing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.conftest import snapshot
from tests.helpers.duplicate_corpus import Corpus, build_corpus
from tests.helpers.trash import use_trash_in
from tests.ui.conftest import open_window


@pytest.fixture
def corpus(cli, tmp_path: Path) -> Corpus:
    found = build_corpus(tmp_path / "photos")
    assert cli("index", found.root).code == 0
    return found


@pytest.fixture
def window(qtbot, library_dir, corpus, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    use_trash_in(tmp_path / "xdg", monkeypatch)
    win = open_window(qtbot, library_dir)
    qtbot.waitUntil(lambda: win.model.rowCount() > 0, timeout=20000)
    yield win
    win.close()


def _open(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.duplicates_shown, timeout=60000):
        qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.views.currentIndex() == 4


def _answer(monkeypatch, button_text: str | None) -> list[str]:  # type: ignore[no-untyped-def]
    """Answer the Trash confirmation by clicking `button_text` (None: close it); returns the texts
    it showed."""
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        for button in box.buttons():
            if button.text() == button_text:
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def test_review_groups_with_the_keyboard_and_move_the_others_to_the_trash(qtbot, window, corpus, tmp_path, monkeypatch):
    _open(qtbot, window)
    panel = window.duplicates_panel
    titles = [c.title for c in panel.cards]
    assert sorted(t.split(" · ")[0] for t in titles) == ["Burst"] * 3 + ["Exact copies"] + ["Same photo"] * 5
    assert panel.groups.count() == 9 and all(sum(m.kept for m in c.members) == 1 for c in panel.cards)
    assert panel.members.count() == len(panel.cards[0].members)
    assert sum(panel.members.item(i).text().startswith("★ Keep") for i in range(panel.members.count())) == 1

    with qtbot.waitSignal(window.duplicates_shown):
        qtbot.keyClick(panel, Qt.Key.Key_Down)
    assert panel.current == 1 and panel.groups.currentRow() == 1
    before = next(m.path for m in panel.cards[1].members if m.kept)
    with qtbot.waitSignal(window.duplicates_shown):
        qtbot.keyClick(panel, Qt.Key.Key_Right)
    now = next(m.path for m in panel.cards[1].members if m.kept)
    assert now != before and panel.cards[1].why.startswith("your choice")

    # Delete asks first; cancelled, nothing moves.
    files = snapshot(corpus.root)
    others = panel.cards[1].others
    shown = _answer(monkeypatch, None)
    qtbot.keyClick(panel, Qt.Key.Key_Delete)
    assert shown and all(Path(p).name in shown[0] for p in others)
    assert snapshot(corpus.root) == files

    _answer(monkeypatch, "Move to the Trash")
    with qtbot.waitSignal(window.duplicates_shown, timeout=60000):
        qtbot.keyClick(panel, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: panel.groups.count() == 8, timeout=20000)
    assert all(not os.path.exists(p) for p in others) and os.path.exists(now)
    trashed = sorted(os.listdir(tmp_path / "xdg" / "Trash" / "files"))
    assert trashed == sorted(Path(p).name for p in others)
    assert f"Moved {len(others)} photo" in window.status_label.text()
    shown_paths = lambda: {window.model.item(r).path for r in range(window.model.rowCount())}  # noqa: E731
    qtbot.waitUntil(lambda: not shown_paths() & set(others), timeout=20000)

    with qtbot.waitSignal(window.duplicates_shown, timeout=30000):
        panel.strictness.setValue(0)  # loose: more shots count as one moment
    assert window.controller.duplicates.strictness == 0.0 and panel.groups.count() >= 8

    window.duplicates_panel.tier.setCurrentIndex(3)  # Bursts
    qtbot.waitUntil(lambda: {c.tier for c in panel.cards} == {"burst"} and len(panel.cards) == 3, timeout=30000)


def test_bursts_are_stacked_in_the_gallery_and_open_to_their_shots(qtbot, window, corpus):
    def covers() -> list:  # type: ignore[type-arg]
        return [window.model.item(r) for r in range(window.model.rowCount()) if window.model.item(r).stack]

    qtbot.waitUntil(lambda: len(covers()) == 3, timeout=60000)
    shots = {p for burst in corpus.burst for p in burst}
    shown = {window.model.item(r).path for r in range(window.model.rowCount())}
    assert len(shown & shots) == 3, "one cover per burst; the other shots are stacked under it"
    cover = next(c for c in covers() if c.stack == 4)
    assert cover.stack == 4
    row = window.model.row_of(cover.image_id)
    assert window.model.data(window.model.index(row, 0)).startswith("▣ 4 · ")
    menu = window.gallery_actions.context_menu_for(cover)
    action = next(a for a in menu.actions() if a.text() == "Show the 4 shots of this burst")
    action.trigger()
    burst = next(b for b in corpus.burst if cover.path in b)
    assert {window.model.item(r).path for r in range(window.model.rowCount())} == burst
    assert "A burst of 4 shots" in window.status_label.text()

    window.clear_search()
    stacking = next(a for a in window.menuBar().actions()[2].menu().actions() if a.text() == "&Stack bursts")
    stacking.trigger()  # off: every shot in the gallery
    qtbot.waitUntil(lambda: not covers() and window.model.rowCount() == len(shown) + 3 + 3 + 2, timeout=20000)


def test_a_group_that_is_not_duplicates_is_not_shown_again(qtbot, window, corpus, cli):
    _open(qtbot, window)
    panel = window.duplicates_panel
    count = panel.groups.count()
    with qtbot.waitSignal(window.duplicates_shown):
        qtbot.keyClick(panel, Qt.Key.Key_Down)
    gone = {m.path for m in panel.cards[1].members}
    with qtbot.waitSignal(window.duplicates_shown, timeout=20000):
        qtbot.keyClick(panel, Qt.Key.Key_N)
    assert panel.groups.count() == count - 1 and "Not duplicates" in window.status_label.text()
    with qtbot.waitSignal(window.duplicates_shown, timeout=30000):
        window.controller.duplicates.refresh()  # a new scan: the choice holds
    assert panel.groups.count() == count - 1
    assert all({m.path for m in c.members} != gone for c in panel.cards)
    listed = cli("duplicates", "--json").json["groups"]
    assert len(listed) == count - 1 and all(set(g["paths"]) != gone for g in listed)
