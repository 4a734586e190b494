"""An LRU cache of thumbnails, filled off the GUI thread from the library's thumbnail files.

Only recently requested thumbnails are worth loading: when a person scrolls through 100,000
photos, a load whose turn comes after its row has scrolled away is skipped, so the pool always
works on what is on screen.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap

WANTED = 600  # the most recent requests; a little more than two screens of a large grid


class _Loaded(QObject):
    done = Signal(int, QImage, bool)  # key, image, whether it was loaded at all


Box = tuple[float, float, float, float]
FACE_MARGIN = 0.35  # a face crop shows some of the head around the face (the detector's box is tight)


class _LoadThumbnail(QRunnable):
    def __init__(self, key: int, path: Path, size: int, cache: ThumbnailCache, crop: Box | None = None) -> None:
        super().__init__()
        self.key, self.path, self.size, self.cache, self.crop = key, path, size, cache, crop
        self.signals = cache._signals

    def run(self) -> None:
        if not self.cache.wants(self.key):
            self.signals.done.emit(self.key, QImage(), False)
            return
        reader = QImageReader(str(self.path))
        reader.setAutoTransform(True)
        original = reader.size()
        if self.crop is None and original.isValid() and max(original.width(), original.height()) > self.size:
            reader.setScaledSize(original.scaled(QSize(self.size, self.size), Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if self.crop is not None and not image.isNull():
            image = _square_crop(image, self.crop).scaled(
                self.size, self.size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        self.signals.done.emit(self.key, image, True)  # a null image marks a missing file


def _square_crop(image: QImage, box: Box) -> QImage:
    """The part of `image` around a relative box, squared and with a margin, inside the image."""
    width, height = image.width(), image.height()
    x0, y0, x1, y1 = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    side = max(x1 - x0, y1 - y0) * (1 + 2 * FACE_MARGIN)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.08 * side  # a little higher: the forehead and hair
    left, top = max(0, round(cx - side / 2)), max(0, round(cy - side / 2))
    return image.copy(left, top, max(1, min(width - left, round(side))), max(1, min(height - top, round(side))))


class ThumbnailCache(QObject):
    """Pixmaps by image id; `get` never blocks: a miss returns None and queues a load."""

    thumbnail_ready = Signal(int)

    def __init__(self, capacity: int = 2000, size: int = 256, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capacity, self.size = capacity, size
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._pending: set[int] = set()
        self._missing: set[int] = set()
        self._queued: list[_LoadThumbnail] = []  # asked for while painting: started once it is done
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Loaded(self)  # a child: it goes when the cache goes
        self._signals.done.connect(self._on_loaded)

    def get(self, key: int, path: Path | str, crop: Box | None = None) -> QPixmap | None:
        """The pixmap for `key` (of `path`, or of the part of it around `crop`), or None while
        it loads."""
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        if key in self._missing:
            return None
        self._wanted[key] = None
        self._wanted.move_to_end(key)
        while len(self._wanted) > WANTED:
            self._wanted.popitem(last=False)
        if key not in self._pending:
            self._pending.add(key)
            self._queued.append(_LoadThumbnail(key, Path(path), self.size, self, crop))
            if len(self._queued) == 1:
                # Started when the paint that asks ends: decoding beside it on a two-core
                # laptop made a screen of new results take half as long again to paint.
                QTimer.singleShot(0, self, self._start_queued)
        return None

    def _start_queued(self) -> None:
        queued, self._queued = self._queued, []
        for load in queued:
            self._pool.start(load)

    def wants(self, key: int) -> bool:
        """Called from loader threads: is this thumbnail still among the recent requests?"""
        return key in self._wanted

    def _on_loaded(self, key: int, image: QImage, loaded: bool) -> None:
        self._pending.discard(key)
        if not loaded:
            return  # skipped: asked for again if its row comes back into view
        self._wanted.pop(key, None)
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
        self._start_queued()
        self._pool.waitForDone()

    def shutdown(self) -> None:
        """Drop queued loads, wait for running ones, and stop delivering results."""
        self._queued.clear()
        self._pool.clear()
        self._wanted.clear()
        self._pool.waitForDone()
        self._signals.done.disconnect(self._on_loaded)
