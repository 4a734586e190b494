"""Settings… for the window: the dialog filled from the library, and what is chosen applied
(regions, Ray, the thumbnail cache, the library folder for the next start, the model)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.ui.settings_dialog import SettingsChoice, SettingsDialog, save_ray_choice, save_region_choice

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def open_settings(window: MainWindow) -> SettingsDialog | None:
    library = window.library
    if library is None:
        return None
    spec = library.spec
    dialog = SettingsDialog(
        spec.name, spec.pretrained or "", library.device, library.root, window.cache.capacity, window
    )
    dialog.set_regions(library.settings.detect_objects, library.settings.read_text, library.settings.find_faces)
    dialog.set_ray(library.settings.ray_address)
    dialog.accepted.connect(lambda: apply_settings(window, dialog.choice()))
    dialog.open()
    return dialog


def apply_settings(window: MainWindow, choice: SettingsChoice) -> None:
    from app.ml.spec import ModelSpec

    window.cache.capacity = choice.cache_size
    library = window.library
    if library is not None:
        settings, switched_on = save_region_choice(
            library.settings, choice.detect_objects, choice.read_text, choice.find_faces
        )
        window.controller.use_settings(save_ray_choice(settings, choice.ray_address))
        if switched_on:
            window.controller.find_regions()
    if choice.library and Path(choice.library) != (library.root if library else None):
        QSettings().setValue("library/path", choice.library)
        window.say(f"The library at {choice.library} opens from the next start")
    if library is None or not choice.model:
        return
    wanted = ModelSpec.parse(choice.model, choice.pretrained or None)
    if wanted.key == library.spec.key and choice.device == library.device:
        return
    window.controller.switch_model(wanted, choice.device)
