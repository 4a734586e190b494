"""The question the window asks before using a model a library names (a hub repository or a
folder): nothing is downloaded or loaded unless the person says yes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask_to_use_model(parent: QWidget, message: str, answered: Callable[[bool], None]) -> QMessageBox:
    """A non-blocking Yes/No box built from the library's refusal message; `answered(yes)`."""
    text = message.replace("; to use it, pass --model", ".\n\nUse it? (on the command line: --model") + ")"
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Use this library's model?",
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: answered(box.standardButton(button) == QMessageBox.StandardButton.Yes))
    box.open()
    return box
