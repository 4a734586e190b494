"""What the window does for photos in the gallery: the right-click menu (Find similar, Open,
Show in folder, Copy path, Teach a name…, Remove from library, a burst's shots), removing photos
or a folder (the files stay; a folder is asked about first), and the viewer with its face
actions. Only dialogs, menus and forwarding; the controller does the work."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.controller.gallery_rows import GalleryItem
from app.controller.window_controller import WindowController
from app.core.paths import display_path
from app.ui.file_urls import local_file_url
from app.ui.gallery_panel import GalleryPanel
from app.ui.names_actions import NamesActions
from app.ui.task_manager import TaskManager

if TYPE_CHECKING:
    from app.ui.organising_actions import OrganisingActions
    from app.ui.viewer import PhotoViewer


def open_path(path: str) -> None:
    """A photo or a folder in the system's own app for it."""
    QDesktopServices.openUrl(local_file_url(path))


class GalleryActions:
    def __init__(
        self,
        window: QWidget,
        controller: WindowController,
        gallery: GalleryPanel,
        names: NamesActions,
        tasks: TaskManager,
        show_gallery: Callable[[], None],
    ) -> None:
        self.window = window
        self.controller = controller
        self.gallery = gallery
        self.names = names
        self.tasks = tasks
        self._show_gallery = show_gallery  # the Gallery tab to the front
        self.organising: OrganisingActions | None = None  # albums, marks, export (set by the window)

    def remove_folder(self, root: str, confirm: bool = True) -> None:
        """Forget a folder's photos (never the files themselves), once the person confirms."""
        if self.controller.refuse_while_busy("Folders can be removed"):
            return
        if confirm:
            answer = QMessageBox.question(
                self.window,
                "Remove folder",
                f"Remove {root} from the library?\nThe photos stay on disk; only the library forgets them.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.controller.remove_folder(root)

    def remove_selected(self) -> None:
        self.controller.remove_images([item.image_id for item in self.gallery.selected_items()])

    def context_menu_for(self, item: GalleryItem | None) -> QMenu:
        menu = QMenu(self.window)
        if item is None:
            return menu
        if item.stack:
            menu.addAction(
                f"Show the {item.stack} shots of this burst", lambda: self.controller.open_stack(item.image_id)
            )
        menu.addAction("Find similar", lambda: self.controller.searching.find_similar(item.path))
        menu.addAction("Open", lambda: open_path(item.path))
        menu.addAction("Show in folder", lambda: open_path(os.path.dirname(item.path)))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(display_path(item.path)))
        menu.addAction("Teach a name…", self.names.teach_selected)
        if self.organising is not None:
            menu.addSeparator()
            self.organising.add_menu(menu)
        menu.addSeparator()
        menu.addAction("Remove from library", self.remove_selected)
        return menu

    def open_viewer(self, row: int) -> PhotoViewer | None:
        """The large view of a photo, with its regions and details; arrows walk the list."""
        from app.ui.viewer import PhotoViewer

        library, people = self.controller.library, self.controller.people
        if library is None or self.gallery.model.item(row) is None:
            return None
        viewer = PhotoViewer(library, self.gallery.items(), row, self.tasks, self.window)
        viewer.face_named.connect(lambda region, name: people.face_is(region, name, viewer.show_current))
        viewer.face_refused.connect(lambda region: people.remove_face(region, viewer.show_current))
        viewer.similar_faces_wanted.connect(self._find_similar_faces)
        viewer.teach_wanted.connect(self.names.teach_region)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer

    def _find_similar_faces(self, region_id: int) -> None:
        library = self.controller.library
        if library is not None:
            self._show_gallery()
            self.controller.searching.run_latest(lambda: library.people.similar_faces(region_id))
