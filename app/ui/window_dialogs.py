"""The window's message boxes: errors from background work, the skipped files, notices, and
the model-folder offer when weights are missing. Each opens without blocking the window."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.catalog.records import KnownFailure
from app.core.errors import UserError
from app.core.paths import display_path

log = logging.getLogger(__name__)

TITLE = "Photo Organizer"


def _open(box: QMessageBox) -> QMessageBox:
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def error_box(parent: QWidget, error: BaseException) -> QMessageBox:
    """A user error says what to do; anything else is a bug, logged with its traceback."""
    if isinstance(error, UserError):
        return _open(QMessageBox(QMessageBox.Icon.Warning, TITLE, str(error), QMessageBox.StandardButton.Ok, parent))
    log.error("unexpected error", exc_info=error)
    return _open(
        QMessageBox(
            QMessageBox.Icon.Critical, TITLE, f"Something went wrong: {error}", QMessageBox.StandardButton.Ok, parent
        )
    )


def information_box(parent: QWidget, message: str) -> QMessageBox:
    return _open(QMessageBox(QMessageBox.Icon.Information, TITLE, message, QMessageBox.StandardButton.Ok, parent))


def skipped_box(parent: QWidget, failures: list[KnownFailure]) -> QMessageBox:
    text = (
        "\n".join(
            f"{display_path(f.path)}: {f.reason}"
            + (" (could not be read just now; tried again next time)" if f.retry else "")
            for f in failures[:500]
        )
        or "No files were skipped."
    )
    box = QMessageBox(
        QMessageBox.Icon.Information, "Skipped files", f"{len(failures)} files could not be read.", parent=parent
    )
    box.setDetailedText(text)
    box.open()
    return box


def notices_box(parent: QWidget, notices: list[str]) -> QMessageBox:
    text = "\n\n".join(notices) + "\n\nTo stop looking for objects or text, switch them off in Settings (Ctrl+,)."
    box = QMessageBox(QMessageBox.Icon.Warning, "Part of indexing was skipped", text, parent=parent)
    box.open()
    return box


def model_missing_box(parent: QWidget, message: str, use_folder: Callable[[Path], None]) -> QMessageBox:
    """Weights are missing and cannot be downloaded: offer a model folder instead."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Model weights needed", message, QMessageBox.StandardButton.Close, parent
    )
    choose = box.addButton("Choose model folder…", QMessageBox.ButtonRole.ActionRole)

    def clicked(button: object) -> None:
        if button is choose:
            folder = QFileDialog.getExistingDirectory(
                parent, "An open_clip model folder (open_clip_config.json + weights)"
            )
            if folder:
                use_folder(Path(folder))

    box.buttonClicked.connect(clicked)
    box.open()
    return box
