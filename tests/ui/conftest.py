"""UI tests run offscreen (OpenGL ones, marked `gl`, under Xvfb with xcb)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(qapp):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    qapp.setOrganizationName("photo-organizer-tests")
    QSettings().clear()  # what one test's window remembers must not steer the next
    yield


def open_window(qtbot, library_dir):  # type: ignore[no-untyped-def]
    """A main window on `library_dir`, shown once its library has opened."""
    from app.ui.main_window import MainWindow

    win = MainWindow(library_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.library_opened, timeout=20000):
        win.show()
    return win
