"""What the window does for albums, stars, favourites, rejects and tags: the questions (an
album's name, a tag with completion, deleting, where to export and how big), the keys on the
gallery (0-5 stars, F favourite, X reject, T tag, as digiKam and Lightroom have them) and the
menus. Only dialogs and forwarding; the controller does the work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QWidget

from app.catalog.photo_marks import PhotoMarks
from app.controller.gallery_rows import GalleryItem
from app.controller.organising import Organising
from app.search.request import SearchRequest
from app.ui.albums_list import AlbumsList

EXPORT_SIZES = {"Originals, byte for byte": None, "JPEG, 3840 px": 3840, "JPEG, 2048 px": 2048, "JPEG, 1024 px": 1024}


class OrganisingActions:
    def __init__(
        self,
        window: QWidget,
        organising: Organising,
        albums: AlbumsList,
        selected: Callable[[], list[GalleryItem]],
        show_gallery: Callable[[], None],
        words_search: Callable[[], SearchRequest | None],
    ) -> None:
        self.window = window
        self._words_search = words_search
        self.organising = organising
        self.albums = albums
        self._selected = selected
        self._show_gallery = show_gallery
        albums.album_chosen.connect(self.show_album)
        albums.photos_dropped.connect(organising.add_to_album)
        albums.new_album_requested.connect(self.new_album)
        albums.add_selected_requested.connect(lambda name: organising.add_to_album(name, self._ids()))
        albums.remove_selected_requested.connect(lambda name: organising.remove_from_album(name, self._ids()))
        albums.rename_requested.connect(self.rename_album)
        albums.delete_requested.connect(self.delete_album)
        albums.export_requested.connect(self.export_album)
        albums.save_search_requested.connect(self.save_search)
        albums.order_requested.connect(organising.set_album_order)

    def _ids(self) -> list[int]:
        return [item.image_id for item in self._selected()]

    def show_album(self, name: str) -> None:
        self._show_gallery()
        self.organising.show_album(name)

    # --- keys ---------------------------------------------------------------------------------------

    def key_pressed(self, key: str) -> bool:
        """A key on the gallery: 0-5 stars, F favourite, X reject, T tag; True when it was one."""
        items = self._selected()
        if not items or key.upper() not in {"0", "1", "2", "3", "4", "5", "F", "X", "T"}:
            return False
        ids = [item.image_id for item in items]
        marks = {item.image_id: PhotoMarks.unpacked(item.marks) for item in items}
        if key.isdigit():
            self.organising.rate(ids, int(key))
        elif key.upper() == "F":
            self.organising.toggle_favourite(ids, marks)
        elif key.upper() == "X":
            self.organising.toggle_rejected(ids, marks)
        else:
            self.ask_tag()
        return True

    def ask_tag(self) -> None:
        ids = self._ids()
        if not ids:
            return
        tag, ok = QInputDialog.getItem(
            self.window,
            "Tag",
            f"Tag {len(ids)} photo{'s' if len(ids) != 1 else ''} (nested by /, e.g. Family/Anna):",
            ["", *self.organising.tag_names()],
            0,
            True,
        )
        if ok and tag.strip():
            self.organising.tag(ids, tag)

    # --- albums ----------------------------------------------------------------------------------

    def new_album(self, inside: str = "") -> None:
        ids = self._ids()
        what = f" with the {len(ids)} selected photo{'s' if len(ids) != 1 else ''}" if ids else ""
        name, ok = QInputDialog.getText(
            self.window, "New album", f"Name of the new album{what} (nested by /, e.g. Trips/Lisbon 2023):"
        )
        if ok and name.strip():
            self.organising.create_album(f"{inside}/{name}" if inside else name, ids)

    def save_search(self) -> None:
        request = self._words_search()
        if request is None:
            self.organising.save_search("", None)  # says to search first
            return
        name, ok = QInputDialog.getText(
            self.window,
            "Smart album",
            f"Keep the search “{request.words or request.filters.describe()}” as an album that fills itself; its name:",
            text=(request.words or request.filters.album or request.filters.tag or "").strip().capitalize(),
        )
        if ok and name.strip():
            self.organising.save_search(name, request)

    def rename_album(self, name: str) -> None:
        new, ok = QInputDialog.getText(self.window, "Rename album", f"New name for {name}:", text=name)
        if ok and new.strip() and new.strip() != name:
            self.organising.rename_album(name, new)

    def delete_album(self, name: str) -> None:
        answer = QMessageBox.question(
            self.window,
            "Delete album",
            f"Delete the album {name} (and any album inside it)?\nIts photos stay in the library; Ctrl+Z brings it back.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.organising.delete_album(name)

    def add_menu(self, menu: QMenu) -> None:
        """Add to album, New album, Export… for the selected photos (the gallery's right-click)."""
        into = menu.addMenu("Add to album")
        for name in self.organising.album_names():
            into.addAction(name, self._adder(name))
        if self.organising.album_names():
            into.addSeparator()
        into.addAction("New album…", self.new_album)
        showing = self.organising.album_showing()
        if showing is not None:  # an album's photos: the order by hand
            ids = self._ids()
            menu.addAction(f"Move to the start of {showing}", lambda: self.organising.move_in_album(ids, True))
            menu.addAction(f"Move to the end of {showing}", lambda: self.organising.move_in_album(ids, False))
        marks = menu.addMenu("Rate and mark")
        for stars in range(6):
            marks.addAction(f"{'★' * stars or 'No stars'}\t{stars}", self._key(str(stars)))
        marks.addAction("Favourite\tF", self._key("F"))
        marks.addAction("Reject\tX", self._key("X"))
        marks.addAction("Tag…\tT", self.ask_tag)
        menu.addAction("Export…", lambda: self.export(self._ids()))

    def _adder(self, name: str) -> Callable[[], None]:
        return lambda: self.organising.add_to_album(name, self._ids())

    def _key(self, key: str) -> Callable[[], None]:
        return lambda: None if self.key_pressed(key) else None

    # --- export -------------------------------------------------------------------------------------

    def export_album(self, name: str) -> None:
        album = next((a for a in self.organising.albums if a.name == name), None)
        asked = self.ask_export(album.count if album is not None else 0)
        if asked is not None:
            self.organising.export_album(name, *asked)

    def export(self, image_ids: list[int]) -> None:
        asked = self.ask_export(len(image_ids)) if image_ids else None
        if asked is not None:
            self.organising.export(image_ids, *asked)

    def ask_export(self, count: int) -> tuple[Path, int | None] | None:
        """Where to, and as what: the originals, or JPEGs of a size."""
        folder = QFileDialog.getExistingDirectory(self.window, f"Export {count} photos into…")
        if not folder:
            return None
        choice, ok = QInputDialog.getItem(self.window, "Export", "Copy them as:", list(EXPORT_SIZES), 0, False)
        return (Path(folder), EXPORT_SIZES[choice]) if ok else None
