"""The bar above the gallery: the search box (words; an image dropped or pasted on it), search
by an image file, the threshold, per-kind weights, the gallery's order, thumbnail size and the
grid/list toggle. It only lays out and emits what the person asked for."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from app.indexing.scanner import IMAGE_EXTENSIONS
from app.ui.search_chips import SearchChips

IMAGE_SUFFIXES = IMAGE_EXTENSIONS  # one list: what the indexer reads is what the window offers
IMAGE_FILTER = "Images (" + " ".join(f"*{suffix}" for suffix in sorted(IMAGE_EXTENSIONS)) + ")"
WEIGHT_KINDS = (("image", "Whole photo"), ("object", "Objects"), ("text", "Text in photos"))


class SearchBar(QWidget):
    search_requested = Signal(str)  # the words typed (after a pause, or on Enter)
    image_chosen = Signal(Path)  # search by this image
    threshold_changed = Signal(object)  # float, or None for off
    weight_changed = Signal(str, float)
    order_changed = Signal()
    thumbnail_size_changed = Signal(int)
    list_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QLineEdit()
        self.box.setPlaceholderText("Describe a photo, or drop one here …")
        self.box.setClearButtonEnabled(True)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(350)
        self._typing.timeout.connect(self.request_search)
        self.box.textEdited.connect(lambda _t: self._typing.start())
        self.box.returnPressed.connect(self.request_search)
        self.box.installEventFilter(self)
        self.image_button = _tool_button("Search by image…", "Find photos like an image file")
        self.image_button.clicked.connect(self._choose_image)
        self.threshold_slider = _slider(0, 50, 0, "Hide results scoring below this (0 shows everything)")
        self.threshold_slider.setMaximumWidth(120)
        self.threshold_slider.valueChanged.connect(self._on_threshold_changed)
        self.threshold_label = QLabel("threshold: off")
        self.weights_button = _tool_button("⚙", "How much whole photos, objects and text count")
        self.weights_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.weight_sliders: dict[str, QSlider] = {}
        self.weights_button.setMenu(self._weights_menu())
        self.sort_box = QComboBox()
        self.sort_box.setToolTip("Order of the gallery")
        self.sort_box.addItems(["Newest first", "By name"])
        self.sort_box.currentIndexChanged.connect(lambda _i: self.order_changed.emit())
        self.size_slider = _slider(64, 256, 160, "Thumbnail size (Ctrl+wheel)")
        self.size_slider.setMaximumWidth(100)
        self.size_slider.valueChanged.connect(self.thumbnail_size_changed)
        self.list_button = _tool_button("▤", "List with details (Ctrl+L); off: thumbnail grid")
        self.list_button.setCheckable(True)
        self.list_button.toggled.connect(self.list_toggled)
        self.chips = SearchChips()
        self.chips.dropped.connect(self._drop_chip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box, 1)
        layout.addWidget(self.chips)
        for widget in (
            self.image_button,
            self.threshold_label,
            self.threshold_slider,
            self.weights_button,
            self.sort_box,
            self.size_slider,
            self.list_button,
        ):
            layout.addWidget(widget)

    @property
    def text(self) -> str:
        return self.box.text().strip()

    @property
    def order(self) -> str:
        return "name" if self.sort_box.currentIndex() == 1 else "date"

    def request_search(self) -> None:
        self._typing.stop()
        self.search_requested.emit(self.text)

    def request_search_soon(self) -> None:
        """After a slider moved: one search once it settles."""
        self._typing.start()

    def clear(self) -> None:
        self._typing.stop()
        self.box.clear()
        self.chips.show_chips([])

    def _drop_chip(self, text: str) -> None:
        self.box.setText(text)
        self.request_search()

    def focus(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def grow_thumbnails(self, step: int) -> None:
        self.size_slider.setValue(self.size_slider.value() + step)

    def _weights_menu(self) -> QMenu:
        menu = QMenu(self)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        for kind, title in WEIGHT_KINDS:
            label = QLabel(f"{title}: 100%")
            slider = _slider(0, 200, 100)
            slider.valueChanged.connect(lambda v, k=kind, lab=label, t=title: self._on_weight_changed(k, v, lab, t))
            layout.addWidget(label)
            layout.addWidget(slider)
            self.weight_sliders[kind] = slider
        action = QWidgetAction(menu)
        action.setDefaultWidget(panel)
        menu.addAction(action)
        return menu

    def _on_weight_changed(self, kind: str, value: int, label: QLabel, title: str) -> None:
        label.setText(f"{title}: {value}%")
        self.weight_changed.emit(kind, value / 100)

    def _on_threshold_changed(self, value: int) -> None:
        threshold = value / 100 if value > 0 else None
        self.threshold_label.setText(f"threshold: {threshold:.2f}" if threshold else "threshold: off")
        self.threshold_changed.emit(threshold)

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Search by image", "", IMAGE_FILTER)
        if path:
            self.image_chosen.emit(Path(path))

    def paste_image(self) -> bool:
        """Search by the image on the clipboard (pixels, or a copied image file)."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        for url in mime.urls() if mime.hasUrls() else []:
            path = Path(url.toLocalFile())
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                self.image_chosen.emit(path)
                return True
        if mime.hasImage():
            image = QGuiApplication.clipboard().image()
            if not image.isNull():
                target = Path(tempfile.mkdtemp(prefix="photo-organizer-paste-")) / "pasted.png"
                image.save(str(target))
                self.image_chosen.emit(target)
                return True
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Paste):
                mime = QGuiApplication.clipboard().mimeData()
                if mime is not None and (mime.hasImage() or mime.hasUrls()) and self.paste_image():
                    return True
        return super().eventFilter(watched, event)


def _tool_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button


def _slider(low: int, high: int, value: int, tip: str = "") -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(low, high)
    slider.setValue(value)
    slider.setToolTip(tip)
    return slider
