"""Settings: the model (and where it runs), the library's location, the thumbnail cache.

A model change re-embeds the library from its thumbnails in the background (the old vectors
serve searches until the switch completes); the library location applies from the next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.ml.spec import LOCAL_DIR


@dataclass(frozen=True)
class SettingsChoice:
    model: str
    pretrained: str
    device: str
    library: str
    cache_size: int


def saved_library_dir() -> Path | None:
    value = QSettings().value("library/path")
    return Path(str(value)) if value else None


class SettingsDialog(QDialog):
    def __init__(self, model: str, pretrained: str, device: str, library: Path, cache_size: int, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.model = QLineEdit(model)
        self.pretrained = QLineEdit(pretrained)
        self.pretrained.setPlaceholderText("e.g. laion2b_s34b_b79k (not used with hf-hub: or local-dir:)")
        choose_model = QPushButton("Model folder…")
        choose_model.clicked.connect(self._choose_model_folder)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(choose_model)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setCurrentText(device)
        self.library = QLineEdit(str(library))
        choose_library = QPushButton("Choose…")
        choose_library.clicked.connect(self._choose_library)
        library_row = QHBoxLayout()
        library_row.addWidget(self.library, 1)
        library_row.addWidget(choose_library)
        self.cache_size = QSpinBox(minimum=200, maximum=20000, singleStep=200, value=cache_size, suffix=" thumbnails")
        form = QFormLayout(self)
        form.addRow("Model", _wrap(model_row))
        form.addRow("Pretrained weights", self.pretrained)
        form.addRow("Run the model on", self.device)
        form.addRow("Library folder", _wrap(library_row))
        form.addRow("Thumbnail memory", self.cache_size)
        form.addRow(QLabel("Changing the model re-embeds every photo from its thumbnail in the background;\n"
                           "a new library folder is used from the next start."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "An open_clip model folder (open_clip_config.json + weights)")
        if folder:
            self.model.setText(f"{LOCAL_DIR}{folder}")
            self.pretrained.clear()

    def _choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder")
        if folder:
            self.library.setText(folder)

    def choice(self) -> SettingsChoice:
        return SettingsChoice(
            self.model.text().strip(), self.pretrained.text().strip(), self.device.currentText(),
            self.library.text().strip(), self.cache_size.value(),
        )


def _wrap(layout: QHBoxLayout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget
