"""Starting the desktop app: the window shows first; torch loads only when a model is needed."""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(library_dir: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from app.core.logging import configure_logging
    from app.ui.main_window import MainWindow

    configure_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Photo Organizer")
    app.setOrganizationName("photo-organizer")
    app.setDesktopFileName("photo-organizer")
    window = MainWindow(library_dir)
    window.show()
    return app.exec()


def main() -> int:
    return run_gui(None)
