"""What the window does for taught names: "Teach a name…" on the selected photos or on a region
in the viewer, and the Names list's rename and forget (each asked or confirmed first). Only
dialogs and forwarding; `NamesOrganiser` does the work."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.controller.gallery_rows import GalleryItem
from app.controller.names import NamesOrganiser
from app.ui.names_list import NamesList, ask_name_to_teach


class NamesActions:
    def __init__(
        self,
        window: QWidget,
        names: NamesOrganiser,
        names_list: NamesList,
        selected: Callable[[], list[GalleryItem]],
        search: Callable[[str], None],
    ) -> None:
        self.window = window
        self.names = names
        self.list = names_list
        self._selected = selected
        names_list.search_requested.connect(search)
        names_list.photos_requested.connect(names.show_photos)
        names_list.add_selected_requested.connect(lambda name: self.teach_selected(name))
        names_list.rename_requested.connect(self.ask_rename)
        names_list.forget_requested.connect(self.confirm_forget)

    def teach_selected(self, name: str | None = None) -> None:
        """Teach a name from the photos selected in the gallery (asked for when not given)."""
        items = self._selected()
        if not items:
            return
        what = f"{len(items)} photo{'s' if len(items) != 1 else ''}"
        name = name or ask_name_to_teach(self.window, self.list.names(), what)
        if name:
            self.names.teach(name, paths=[item.path for item in items])

    def teach_region(self, region_id: int, name: str | None = None) -> None:
        """Teach a name from a region picked in the viewer (the photo, an object or a face)."""
        name = name or ask_name_to_teach(self.window, self.list.names(), "this part of the photo")
        if name:
            self.names.teach(name, region_ids=[region_id])

    def ask_rename(self, name: str) -> None:
        new, ok = QInputDialog.getText(self.window, "Rename", f"New name for {name}:", text=name)
        if ok and new.strip():
            self.names.rename(name, new)

    def confirm_forget(self, name: str, confirm: bool = True) -> None:
        if confirm:
            answer = QMessageBox.question(
                self.window,
                "Forget a name",
                f"Forget the name {name}?\n\nIts photos stay in the library; searching for {name} "
                "will no longer find them by that name.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.names.forget(name)
