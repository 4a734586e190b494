"""The window's search: text, example image (file, drop, paste), threshold and per-kind
weights, results in the gallery. A mixin of `MainWindow`, split out to keep modules small."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QSlider, QVBoxLayout, QWidget, QWidgetAction

from app.core.paths import is_content_hash
from app.indexing.scanner import IMAGE_EXTENSIONS
from app.ui.gallery import GalleryItem, set_list_layout

IMAGE_SUFFIXES = IMAGE_EXTENSIONS  # one list: what the indexer reads is what the window offers
IMAGE_FILTER = "Images (" + " ".join(f"*{suffix}" for suffix in sorted(IMAGE_EXTENSIONS)) + ")"


class SearchMixin:
    """Expects the attributes MainWindow sets up (library, tasks, model, search_box, pages…)."""

    # --- search -------------------------------------------------------------------------------

    def _run_search(self, image: Path | None = None) -> None:
        text = self.search_box.text().strip()
        if self.library is None:
            return
        image = image or self._last_image
        if not text and image is None:
            self.clear_search()
            return
        self._last_image = image
        library = self.library
        threshold, weights = self.threshold, dict(self.weights)
        self.status_label.setText("Searching…" if library.model_loaded else "Loading the model…")
        self._run_latest(lambda: library.search(text or None, image, top_k=200, threshold=threshold, weights=weights))

    def _run_latest(self, op) -> None:  # type: ignore[no-untyped-def]
        """Run a search in the background; only the newest one's results are shown (an older,
        slower search finishing later never overwrites them)."""
        self._search_sequence += 1
        mine = self._search_sequence

        def shown(hits) -> None:  # type: ignore[no-untyped-def]
            if mine == self._search_sequence:
                self._show_results(hits)

        def failed(error: BaseException) -> None:
            if mine == self._search_sequence:
                self._on_search_error(error)

        self.tasks.run(op, shown, failed)

    def _on_threshold_changed(self, value: int) -> None:
        self.threshold = value / 100 if value > 0 else None
        self.threshold_label.setText(f"threshold: {self.threshold:.2f}" if self.threshold else "threshold: off")
        if self._showing_results:
            self._search_timer.start()

    def _weights_menu(self) -> QMenu:
        menu = QMenu(self)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        self.weight_sliders: dict[str, QSlider] = {}
        for kind, title in (("image", "Whole photo"), ("object", "Objects"), ("text", "Text in photos")):
            label = QLabel(f"{title}: 100%")
            slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=200, value=100)
            slider.valueChanged.connect(lambda v, k=kind, lab=label, t=title: self._on_weight_changed(k, v, lab, t))
            layout.addWidget(label)
            layout.addWidget(slider)
            self.weight_sliders[kind] = slider
        action = QWidgetAction(menu)
        action.setDefaultWidget(panel)
        menu.addAction(action)
        return menu

    def _on_weight_changed(self, kind: str, value: int, label: QLabel, title: str) -> None:
        self.weights[kind] = value / 100
        label.setText(f"{title}: {value}%")
        if self._showing_results:
            self._search_timer.start()

    def paste_to_search(self) -> bool:
        """Search by the image on the clipboard (pixels, or a copied image file)."""
        import tempfile

        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        for url in mime.urls() if mime.hasUrls() else []:
            path = Path(url.toLocalFile())
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                self.search_by_image(path)
                return True
        if mime.hasImage():
            image = QGuiApplication.clipboard().image()
            if not image.isNull():
                target = Path(tempfile.mkdtemp(prefix="photo-organizer-paste-")) / "pasted.png"
                image.save(str(target))
                self.search_by_image(target)
                return True
        return False

    def _on_size_changed(self, size: int) -> None:
        self.gallery.setIconSize(QSize(size, size))
        set_list_layout(self.gallery, self.list_button.isChecked())

    def search_by_image(self, path: Path) -> None:
        self._run_search(image=path)

    def find_similar(self, path: str) -> None:
        if self.library is None:
            return
        library = self.library
        self._run_latest(lambda: library.similar(path, top_k=200))

    def _show_results(self, hits) -> None:  # type: ignore[no-untyped-def]
        self._showing_results = True
        assert self.library is not None
        paths = self.library.paths
        # Hits carry their content hash: the thumbnail's path needs no catalog query here.
        items = [
            GalleryItem(hit.image_id, hit.path, paths.thumbnail(hit.content_hash) if is_content_hash(hit.content_hash)
                        else paths.thumbnails, hit.score, hit.region.bbox, hit.why)
            for hit in hits
        ]
        self.model.set_items(items)
        if items:
            self.pages.setCurrentIndex(1)
            self.status_label.setText(f"{len(items)} photos, best first · Esc shows all photos")
        else:
            self.no_results.setText("No matching photos. Try other words, or lower the threshold.")
            self.pages.setCurrentIndex(2)
        self.search_finished.emit()

    def _on_search_error(self, error: BaseException) -> None:
        self._on_error(error)
        self.search_finished.emit()

    def clear_search(self) -> None:
        self._search_sequence += 1  # a search still running is no longer wanted
        self.search_box.clear()
        self._last_image = None
        if self._showing_results:
            self._showing_results = False
            self.refresh_gallery()

    def _choose_query_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Search by image", "", IMAGE_FILTER)
        if path:
            self.search_by_image(Path(path))
