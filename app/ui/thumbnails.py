"""An LRU cache of thumbnails, filled off the GUI thread from the library's thumbnail files."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QImageReader, QPixmap


class _Loaded(QObject):
    done = Signal(int, QImage)


class _LoadThumbnail(QRunnable):
    def __init__(self, key: int, path: Path, size: int, signals: _Loaded) -> None:
        super().__init__()
        self.key, self.path, self.size, self.signals = key, path, size, signals

    def run(self) -> None:
        reader = QImageReader(str(self.path))
        reader.setAutoTransform(True)
        original = reader.size()
        if original.isValid() and max(original.width(), original.height()) > self.size:
            reader.setScaledSize(original.scaled(QSize(self.size, self.size), Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        self.signals.done.emit(self.key, image)  # a null image marks a missing thumbnail


class ThumbnailCache(QObject):
    """Pixmaps by image id; `get` never blocks: a miss returns None and queues a load."""

    thumbnail_ready = Signal(int)

    def __init__(self, capacity: int = 2000, size: int = 256, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capacity, self.size = capacity, size
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()
        self._pending: set[int] = set()
        self._missing: set[int] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Loaded()
        self._signals.done.connect(self._on_loaded)

    def get(self, key: int, path: Path) -> QPixmap | None:
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        if key not in self._pending and key not in self._missing:
            self._pending.add(key)
            self._pool.start(_LoadThumbnail(key, path, self.size, self._signals))
        return None

    def is_missing(self, key: int) -> bool:
        return key in self._missing

    def _on_loaded(self, key: int, image: QImage) -> None:
        self._pending.discard(key)
        if image.isNull():
            self._missing.add(key)
        else:
            self._pixmaps[key] = QPixmap.fromImage(image)
            while len(self._pixmaps) > self.capacity:
                self._pixmaps.popitem(last=False)
        self.thumbnail_ready.emit(key)

    def clear_missing(self) -> None:
        self._missing.clear()

    def wait(self) -> None:
        self._pool.waitForDone()


def placeholder(size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(128, 128, 128, 40))
    return pixmap
