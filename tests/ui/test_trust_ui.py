"""The window with libraries people cannot fully trust or write: read-only media, a model named
by someone else's library, and removal while indexing runs."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.library import Library
from app.ui.file_urls import local_file_url
from tests.helpers.images import photo, save_jpeg
from tests.helpers.models import save_tiny_model
from tests.ui.conftest import open_window


@pytest.fixture
def indexed(library_dir: Path, tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    for i in range(4):
        save_jpeg(photos / f"p{i}.jpg", photo(600 + i))
    with Library(library_dir) as lib:
        lib.index([photos])
    return photos


def _message_boxes(window) -> list[QMessageBox]:  # type: ignore[no-untyped-def]
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_a_read_only_library_opens_says_so_and_refuses_changes(qtbot, library_dir: Path, indexed: Path, monkeypatch):
    import app.library as library_module

    monkeypatch.setattr(library_module, "library_writable", lambda root, catalog: False)  # as on read-only media
    window = open_window(qtbot, library_dir)
    try:
        assert window.library.read_only
        assert window.status.read_only_label.isVisible() and "read-only" in window.status.read_only_label.text().lower()
        assert "read-only" in window.windowTitle()
        qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10000)
        window.index_paths([indexed])
        assert "read-only" in window.status_label.text() and not window.controller.indexing.running
        window.gallery.selectAll()
        window.gallery_actions.remove_selected()
        assert "read-only" in window.status_label.text()
        qtbot.wait(200)
        assert window.model.rowCount() == 4
    finally:
        window.close()


def test_the_window_asks_before_using_a_model_the_library_names(
    qtbot, library_dir: Path, indexed: Path, tmp_path: Path
):
    folder = save_tiny_model(tmp_path / "their-model")
    db = sqlite3.connect(library_dir / "catalog.sqlite")
    db.execute("UPDATE meta SET value = ? WHERE key = 'model'", (f"local-dir:{folder}",))
    db.commit()
    db.close()
    window = open_window(qtbot, library_dir)
    try:
        window.search_box.setText("pattern")
        window.search_bar.request_search()
        qtbot.waitUntil(lambda: any("Use it?" in box.text() for box in _message_boxes(window)), timeout=20000)
        (box,) = [b for b in _message_boxes(window) if "Use it?" in b.text()]
        assert str(folder) in box.text()
        # The question may come from the clusters' names before the search itself fails (it
        # does on a busy machine): wait for the results, not for the next finished search.
        box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(
            lambda: window.controller.browse.showing_results and window.model.rowCount() == 4, timeout=30000
        )
        from app.ml.model_choice import is_chosen

        assert is_chosen(window.library.spec), "remembered for next time"
    finally:
        window.close()


def test_removing_while_indexing_is_refused_and_said(qtbot, library_dir: Path, indexed: Path, tmp_path: Path):
    more = tmp_path / "more"
    for i in range(3):
        save_jpeg(more / f"m{i}.jpg", photo(700 + i))
    window = open_window(qtbot, library_dir)
    try:
        qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10000)
        gate = threading.Event()
        original = window.library.index

        def slow_index(*args, **kwargs):  # type: ignore[no-untyped-def]
            gate.wait(30)
            return original(*args, **kwargs)

        window.library.index = slow_index
        window.index_paths([more])
        assert window.controller.indexing.running
        window.gallery.selectAll()
        window.gallery_actions.remove_selected()
        assert "once indexing finishes" in window.status_label.text()
        window.gallery_actions.remove_folder(str(indexed), confirm=False)
        assert "once indexing finishes" in window.status_label.text()
        with qtbot.waitSignal(window.indexing_finished, timeout=60000):
            gate.set()
        qtbot.waitUntil(lambda: window.model.rowCount() == 7, timeout=10000)
    finally:
        window.close()


def test_the_catalog_failing_mid_work_reads_as_the_command_line_says_it(
    qtbot, library_dir: Path, indexed: Path, monkeypatch
):
    """SQLite failing under a background task (a damaged page, a full disk): the window names
    it as the CLI does, instead of "Something went wrong"."""
    window = open_window(qtbot, library_dir)
    try:
        qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10000)

        def failing(*_a, **_k):  # type: ignore[no-untyped-def]
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(window.library.edits, "remove_images", failing)
        window.gallery.selectAll()
        window.gallery_actions.remove_selected()
        qtbot.waitUntil(lambda: bool(_message_boxes(window)), timeout=10000)
        (box,) = _message_boxes(window)
        assert "is damaged" in box.text() and "photo-organizer doctor" in box.text(), box.text()
        assert "Something went wrong" not in box.text()
        from sqlalchemy.exc import OperationalError

        box.close()
        window.show_error(OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")))
        (box,) = _message_boxes(window)
        assert "full" in box.text() and "Something went wrong" not in box.text(), box.text()
    finally:
        window.close()


def test_a_file_url_keeps_bytes_that_are_not_utf8():
    url = local_file_url("/photos/old \udcff.jpg")
    assert bytes(url.toEncoded()) == b"file:///photos/old%20%FF.jpg"
