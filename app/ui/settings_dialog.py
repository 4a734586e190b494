"""Settings: the model (and where it runs), objects and text on or off, indexing on a Ray
cluster, hiding places, the library's location, the thumbnail cache.

A model change re-embeds the library from its thumbnails in the background (the old vectors
serve searches until the switch completes); the library location applies from the next start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
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
    QVBoxLayout,
    QWidget,
)

from app.core.settings import Settings, parse_bool
from app.ml.spec import LOCAL_DIR


@dataclass(frozen=True)
class SettingsChoice:
    model: str
    pretrained: str
    device: str
    library: str
    cache_size: int
    detect_objects: bool | None = None  # None: leave as it is
    read_text: bool | None = None
    find_faces: bool | None = None
    ray_address: str | None = None  # None: index on this machine; "" a Ray started here; else a cluster
    hide_places: bool | None = None  # None: leave as it is
    write_sidecars: bool | None = None  # None: leave as it is


# QSettings key -> (the Settings field, the environment variable that overrides it)
REGION_KEYS = {
    "regions/objects": ("detect_objects", "PHOTO_ORGANIZER_DETECT"),
    "regions/text": ("read_text", "PHOTO_ORGANIZER_OCR"),
    "regions/faces": ("find_faces", "PHOTO_ORGANIZER_FACES"),
}


RAY_KEY, RAY_VARIABLE = "indexing/ray", "PHOTO_ORGANIZER_RAY"
SIDECARS_KEY, SIDECARS_VARIABLE = "interop/sidecars", "PHOTO_ORGANIZER_WRITE_SIDECARS"
HIDE_PLACES_KEY = "places/hidden"


def places_hidden() -> bool:
    """Whether the person hid every place (the Places view, the viewer's place and coordinates)."""
    return parse_bool(QSettings().value(HIDE_PLACES_KEY))


def save_places_hidden(hidden: bool) -> None:
    QSettings().setValue(HIDE_PLACES_KEY, hidden)


def saved_settings() -> Settings:
    """The settings the window starts with: the environment's, with what the person chose last
    time for objects, text, faces and Ray (unless the environment says otherwise)."""
    settings, stored = Settings.from_env(), QSettings()
    chosen: dict[str, Any] = {
        field: parse_bool(stored.value(key))
        for key, (field, variable) in REGION_KEYS.items()
        if stored.contains(key) and variable not in os.environ
    }
    if stored.contains(RAY_KEY) and RAY_VARIABLE not in os.environ:
        value = stored.value(RAY_KEY)
        chosen["ray_address"] = None if value is None or value == "off" else str(value)
    if stored.contains(SIDECARS_KEY) and SIDECARS_VARIABLE not in os.environ:
        chosen["write_sidecars"] = parse_bool(stored.value(SIDECARS_KEY))
    return replace(settings, **chosen)


def save_sidecars_choice(current: Settings, write: bool | None) -> Settings:
    """Remember whether decisions go to XMP sidecars for other photo apps."""
    if write is None:
        return current
    QSettings().setValue(SIDECARS_KEY, write)
    return replace(current, write_sidecars=write)


def save_ray_choice(current: Settings, ray_address: str | None) -> Settings:
    """Remember where indexing runs: this machine (None), a Ray started here (""), a cluster."""
    QSettings().setValue(RAY_KEY, "off" if ray_address is None else ray_address)
    return replace(current, ray_address=ray_address)


def ray_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


def save_region_choice(
    current: Settings, detect_objects: bool | None, read_text: bool | None, find_faces: bool | None = None
) -> tuple[Settings, bool]:
    """Remember the objects/text/faces choice; returns the new settings and whether something
    was switched on (the photos already indexed then need a region pass)."""
    changed: dict[str, Any] = {}
    wanted_all = (detect_objects, read_text, find_faces)
    for (key, (field, _variable)), wanted in zip(REGION_KEYS.items(), wanted_all, strict=True):
        if wanted is None:
            continue
        QSettings().setValue(key, wanted)
        changed[field] = wanted
    switched_on = any(wanted and not getattr(current, field) for field, wanted in changed.items())
    return replace(current, **changed), switched_on


def saved_library_dir() -> Path | None:
    value = QSettings().value("library/path")
    return Path(str(value)) if value else None


class SettingsDialog(QDialog):
    def __init__(
        self, model: str, pretrained: str, device: str, library: Path, cache_size: int, parent: QWidget | None = None
    ) -> None:
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
        self.detect_objects = QCheckBox("Find objects (people, animals, vehicles, food, …)")
        self.read_text = QCheckBox("Read text (signs, documents, screenshots)")
        regions = QVBoxLayout()
        regions.addWidget(self.detect_objects)
        regions.addWidget(self.read_text)
        self.find_faces = QCheckBox("Find faces and group them into people")
        regions.addWidget(self.find_faces)
        self.use_ray = QCheckBox("Index on a Ray cluster (archives too big for one computer)")
        self.ray_address = QLineEdit()
        self.ray_address.setPlaceholderText("empty: Ray on this computer; auto or HOST:PORT: a running cluster")
        self.ray_address.setEnabled(False)
        self.use_ray.toggled.connect(self.ray_address.setEnabled)
        if not ray_installed():
            self.use_ray.setEnabled(False)
            self.use_ray.setToolTip("Needs Ray: pip install 'photo-organizer[ray]' on every computer of the cluster")
        self.hide_places = QCheckBox("Hide places: the Places view, and places and coordinates in the viewer")
        self.hide_places.setToolTip("For screenshots and shared screens; nothing is removed from the library")
        self.write_sidecars = QCheckBox("Write stars, tags and people's names to XMP sidecars (digiKam, Lightroom…)")
        self.write_sidecars.setToolTip(
            "Beside each photo, as NAME.EXT.xmp (or the NAME.xmp Lightroom keeps); the photos themselves are never changed"
        )
        ray = QVBoxLayout()
        ray.addWidget(self.use_ray)
        ray.addWidget(self.ray_address)
        form = QFormLayout(self)
        form.addRow("Model", _wrap(model_row))
        form.addRow("Pretrained weights", self.pretrained)
        form.addRow("Run the model on", self.device)
        form.addRow("Library folder", _wrap(library_row))
        form.addRow("Inside photos", _wrap(regions))
        form.addRow("Indexing", _wrap(ray))
        form.addRow("Places", self.hide_places)
        form.addRow("Other photo apps", self.write_sidecars)
        form.addRow("Thumbnail memory", self.cache_size)
        form.addRow(
            QLabel(
                "Changing the model re-embeds every photo from its thumbnail in the background;\n"
                "a new library folder is used from the next start."
            )
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def set_regions(self, detect_objects: bool, read_text: bool, find_faces: bool = True) -> None:
        self.detect_objects.setChecked(detect_objects)
        self.read_text.setChecked(read_text)
        self.find_faces.setChecked(find_faces)

    def set_ray(self, address: str | None) -> None:
        self.use_ray.setChecked(address is not None)
        self.ray_address.setText(address or "")

    def set_places_hidden(self, hidden: bool) -> None:
        self.hide_places.setChecked(hidden)

    def set_sidecars(self, write: bool) -> None:
        self.write_sidecars.setChecked(write)

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
            self.model.text().strip(),
            self.pretrained.text().strip(),
            self.device.currentText(),
            self.library.text().strip(),
            self.cache_size.value(),
            self.detect_objects.isChecked(),
            self.read_text.isChecked(),
            self.find_faces.isChecked(),
            self.ray_address.text().strip() if self.use_ray.isChecked() else None,
            self.hide_places.isChecked(),
            self.write_sidecars.isChecked(),
        )


def _wrap(layout: QHBoxLayout | QVBoxLayout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget
