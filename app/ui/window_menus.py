"""The main window's menus and shortcuts (UI.md: Ctrl+F search, Ctrl+O add a folder, Ctrl+Z undo, Ctrl+1..7
the views, Ctrl+L list, Esc back to all photos)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenuBar, QTabWidget

if TYPE_CHECKING:
    from app.controller.window_controller import WindowController
    from app.ui.search_bar import SearchBar


class MenuWindow(Protocol):
    """What the menus act on: the window's commands and the parts named here."""

    views: QTabWidget
    search_bar: SearchBar
    controller: WindowController

    @property
    def gallery(self) -> QAbstractItemView: ...

    def menuBar(self) -> QMenuBar: ...

    def addAction(self, action: QAction, /) -> None: ...

    def choose_folder(self) -> None: ...

    def open_settings(self) -> Any: ...

    def close(self) -> bool: ...

    def paste_to_search(self) -> bool: ...

    def show_skipped(self) -> None: ...

    def clear_search(self) -> None: ...


GALLERY_TAB, CLUSTERS_TAB, MAP_TAB, PEOPLE_TAB, DUPLICATES_TAB, PLACES_TAB, MEMORIES_TAB = 0, 1, 2, 3, 4, 5, 6


def build_menus(window: MenuWindow) -> list[QAction]:
    """Adds the menus; returns the actions that change the library (off when it is read-only)."""
    bar = window.menuBar()

    def action(
        text: str,
        triggered: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        made = QAction(text, bar)  # owned by the menu bar, and so by the window
        made.triggered.connect(triggered)
        if shortcut is not None:
            made.setShortcut(QKeySequence(shortcut))
        return made

    file_menu = bar.addMenu("&File")
    add_folder = action("&Add folder…", window.choose_folder, "Ctrl+O")
    file_menu.addAction(add_folder)
    file_menu.addAction(action("&Settings…", window.open_settings, "Ctrl+,"))
    file_menu.addSeparator()
    file_menu.addAction(action("&Quit", window.close, QKeySequence.StandardKey.Quit))
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(
        action("&Undo the last change", window.controller.organising.undo, QKeySequence.StandardKey.Undo)
    )
    edit_menu.addSeparator()
    edit_menu.addAction(action("&Find", window.search_bar.focus, "Ctrl+F"))
    edit_menu.addAction(action("&Paste image to search", window.paste_to_search, QKeySequence.StandardKey.Paste))
    edit_menu.addAction(action("Select &all", window.gallery.selectAll, QKeySequence.StandardKey.SelectAll))
    view_menu = bar.addMenu("&View")
    view_menu.addAction(action("&Gallery", lambda: window.views.setCurrentIndex(GALLERY_TAB), "Ctrl+1"))
    view_menu.addAction(action("&List with details", window.search_bar.list_button.toggle, "Ctrl+L"))
    view_menu.addAction(action("&Clusters", lambda: window.views.setCurrentIndex(CLUSTERS_TAB), "Ctrl+2"))
    view_menu.addAction(action("3D &Map", lambda: window.views.setCurrentIndex(MAP_TAB), "Ctrl+3"))
    view_menu.addAction(action("&People", lambda: window.views.setCurrentIndex(PEOPLE_TAB), "Ctrl+4"))
    view_menu.addAction(action("&Duplicates", lambda: window.views.setCurrentIndex(DUPLICATES_TAB), "Ctrl+5"))
    view_menu.addAction(action("P&laces", lambda: window.views.setCurrentIndex(PLACES_TAB), "Ctrl+6"))
    view_menu.addAction(action("&Memories", lambda: window.views.setCurrentIndex(MEMORIES_TAB), "Ctrl+7"))
    view_menu.addSeparator()
    stack = action("&Stack bursts", lambda: window.controller.set_stacking(stack.isChecked()))
    stack.setCheckable(True)
    stack.setChecked(True)
    view_menu.addAction(stack)
    library_menu = bar.addMenu("&Library")
    library_menu.addAction(action("&Skipped files…", window.show_skipped))
    window.addAction(action("", window.clear_search, QKeySequence(Qt.Key.Key_Escape)))
    return [add_folder]
