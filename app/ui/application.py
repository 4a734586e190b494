"""Starting the desktop app: the window shows first; torch loads only when a model is needed."""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(library_dir: Path | None = None, paths: list[Path] | None = None) -> int:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.core.logging import configure_logging
    from app.launcher import ICON_NAME, RESOURCES
    from app.ui.main_window import MainWindow

    configure_logging()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Photo Organizer")
    app.setOrganizationName("photo-organizer")
    app.setDesktopFileName("photo-organizer")
    app.setWindowIcon(QIcon(str(RESOURCES / ICON_NAME)))
    from app.ui.settings_dialog import saved_library_dir

    window = MainWindow(library_dir or saved_library_dir())
    window.show()
    if paths:
        window.index_paths(paths)  # queued until the library has opened
    return app.exec()


def main() -> int:
    return run_gui(None)
