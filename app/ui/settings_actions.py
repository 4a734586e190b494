"""Settings… for the window: the dialog filled from the library, and what is chosen applied
(regions, Ray, hiding places, the thumbnail cache, the library folder for the next start, the model)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.ui.settings_dialog import (
    SettingsChoice,
    SettingsDialog,
    places_hidden,
    save_places_hidden,
    save_ray_choice,
    save_region_choice,
    save_sidecars_choice,
)

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
    dialog.set_places_hidden(places_hidden())
    dialog.set_sidecars(library.settings.write_sidecars)
    dialog.accepted.connect(lambda: apply_settings(window, dialog.choice()))
    dialog.open()
    return dialog


def apply_settings(window: MainWindow, choice: SettingsChoice) -> None:
    from app.ml.spec import ModelSpec

    window.cache.capacity = choice.cache_size
    if choice.hide_places is not None and choice.hide_places != window.controller.places.hidden:
        save_places_hidden(choice.hide_places)
        window.controller.places.set_hidden(choice.hide_places)
    library = window.library
    if library is not None:
        settings, switched_on = save_region_choice(
            library.settings, choice.detect_objects, choice.read_text, choice.find_faces
        )
        settings = save_sidecars_choice(settings, choice.write_sidecars)
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
