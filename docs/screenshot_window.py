"""What every docs/make_*screenshot*.py script starts with: the app with settings of its own,
cleared (the default layout, whatever an earlier run left), a main window on a library, and a
way to run the event loop until the window says something happened."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def screenshot_window(library: Path, size: tuple[int, int] = (1200, 780)) -> Any:  # a MainWindow
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("photo-organizer-screenshots")
    QSettings().clear()
    from app.ui.main_window import MainWindow

    window = MainWindow(library)
    window.resize(*size)
    return window


def wait(signal: Any = None, ms: int = 1500) -> None:
    """Run the event loop until `signal` fires (at most 5 minutes), or for `ms` with no signal."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    if signal is not None:
        signal.connect(loop.quit)
    QTimer.singleShot(ms if signal is None else 300_000, loop.quit)
    loop.exec()
    if signal is not None:
        signal.disconnect(loop.quit)
