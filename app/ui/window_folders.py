"""The side panel's LIBRARY section: the folders added, with their photo counts; choosing one
shows its photos, right-click refreshes, opens or removes it (files are never touched). A mixin
of `MainWindow`, split out to keep modules small."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QMessageBox

from app.catalog.folders import is_under


class FoldersMixin:
    """Expects the attributes MainWindow sets up (library, tasks, model, folder_list, cluster_list…)."""

    def _make_folder_list(self) -> QListWidget:
        folder_list = QListWidget()
        folder_list.setObjectName("folders")
        folder_list.setFixedHeight(28)  # grows with the folders (up to 160 px), see _show_folders
        folder_list.itemClicked.connect(self._on_folder_chosen)
        folder_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        folder_list.customContextMenuRequested.connect(self._on_folder_menu)
        return folder_list

    def refresh_folders(self) -> None:
        if self.library is None:
            return
        library = self.library
        self.tasks.run(library.folders, self._show_folders, self._on_error)

    def _show_folders(self, listed: list[dict]) -> None:
        self.folder_list.clear()
        for folder in listed:
            path = folder["path"]
            missing = "" if folder["exists"] else " · missing"
            item = QListWidgetItem(f"{Path(path).name or path} ({folder['photos']}){missing}")
            item.setToolTip(path if folder["exists"] else f"{path}\nnot found: unplugged drive, or moved?")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.folder_list.addItem(item)
        row = max(18, self.folder_list.sizeHintForRow(0))
        frame = 2 * self.folder_list.frameWidth()
        self.folder_list.setFixedHeight(min(160, max(1, self.folder_list.count()) * row + frame + 4))
        self.folders_refreshed.emit()

    def _on_folder_chosen(self, item: QListWidgetItem) -> None:
        root = item.data(Qt.ItemDataRole.UserRole)
        if self._showing_results:
            self._showing_results = False
            self.search_box.clear()
        self.cluster_list.blockSignals(True)
        self.cluster_list.setCurrentRow(-1)
        self.cluster_list.blockSignals(False)
        items = [e for e in self._entries.values() if is_under(e.path, root)]
        self.model.set_items(items)
        self.pages.setCurrentIndex(1 if items else 0)
        self.views.setCurrentIndex(0)
        self.status_label.setText(f"{root}: {len(items)} photos")

    def folder_menu(self, root: str) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Refresh (look for new and changed photos)", lambda: self.index_paths([Path(root)]))
        menu.addAction("Show in file manager", lambda: self._open_path(root))
        menu.addSeparator()
        menu.addAction("Remove from library…", lambda: self.remove_folder(root))
        return menu

    def _on_folder_menu(self, pos: QPoint) -> None:
        item = self.folder_list.itemAt(pos)
        if item is not None:
            self.folder_menu(item.data(Qt.ItemDataRole.UserRole)).popup(self.folder_list.mapToGlobal(pos))

    def remove_folder(self, root: str, confirm: bool = True) -> None:
        """Forget a folder's photos (never the files themselves)."""
        if self.library is None or self.refuse_while_indexing("Folders can be removed"):
            return
        if confirm:
            answer = QMessageBox.question(
                self, "Remove folder", f"Remove {root} from the library?\nThe photos stay on disk; only the library forgets them."
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        library = self.library

        def done(count: int) -> None:
            self.status_label.setText(f"Removed {root} ({count} files) from the library; the files are untouched")
            self.refresh_folders()
            self.refresh_gallery()
            self.refresh_clusters()

        self.tasks.run(lambda: library.remove_folder(root), done, self._on_error)
