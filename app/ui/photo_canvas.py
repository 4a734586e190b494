"""The viewer's picture: the photo fitted to the space and centred, whatever the window's size;
zoom on demand (wheel, + and -, around the pointer), drag to pan when zoomed, 0 to fit again."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

ZOOM_STEP = 1.25
MAX_ZOOM = 8.0  # times the photo's own pixels


class PhotoCanvas(QWidget):
    region_menu_requested = Signal(int, QPoint)  # a box's region id (0: none, the photo), where

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Boxes a right-click can pick (faces, objects): region id, relative box.
        self.boxes: list[tuple[int, tuple[float, float, float, float]]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(200, 200))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._pixmap = QPixmap()
        self._message = ""
        self._zoom: float | None = None  # None: fit to the space
        self._pan = QPointF(0, 0)  # the photo's centre, off the canvas's centre, in pixels
        self._drag_from: QPointF | None = None

    def pixmap(self) -> QPixmap:
        return self._pixmap

    def set_pixmap(self, pixmap: QPixmap) -> None:
        """A new photo starts fitted and centred."""
        self._pixmap, self._message = pixmap, ""
        self.fit()

    def set_message(self, text: str) -> None:
        self._pixmap, self._message = QPixmap(), text
        self.update()

    @property
    def fitted(self) -> bool:
        return self._zoom is None

    def fit_scale(self) -> float:
        if self._pixmap.isNull():
            return 1.0
        return min(self.width() / self._pixmap.width(), self.height() / self._pixmap.height())

    def scale(self) -> float:
        return self.fit_scale() if self._zoom is None else self._zoom

    def photo_rect(self) -> QRectF:
        """Where the photo is drawn, in the canvas's pixels."""
        if self._pixmap.isNull():
            return QRectF()
        scale = self.scale()
        width, height = self._pixmap.width() * scale, self._pixmap.height() * scale
        centre = QPointF(self.width() / 2, self.height() / 2) + self._pan
        return QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)

    def fit(self) -> None:
        self._zoom, self._pan = None, QPointF(0, 0)
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.update()

    def zoom_by(self, factor: float, around: QPointF | None = None) -> None:
        """Zoom keeping the photo's point under `around` (default: the centre) where it is."""
        if self._pixmap.isNull():
            return
        old = self.scale()
        new = min(MAX_ZOOM, max(self.fit_scale(), old * factor))
        if new <= self.fit_scale() + 1e-9:
            self.fit()
            return
        anchor = around if around is not None else QPointF(self.width() / 2, self.height() / 2)
        centre = QPointF(self.width() / 2, self.height() / 2) + self._pan
        self._pan = anchor - (anchor - centre) * (new / old) - QPointF(self.width() / 2, self.height() / 2)
        self._zoom = new
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if self._pixmap.isNull():
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(self.photo_rect(), self._pixmap, QRectF(self._pixmap.rect()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._zoom is not None and self._zoom < self.fit_scale():
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps, event.position())
            event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / ZOOM_STEP)
        elif key in (Qt.Key.Key_0, Qt.Key.Key_F):
            self.fit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._zoom is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._pan += event.position() - self._drag_from
            self._drag_from = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self.setCursor(Qt.CursorShape.OpenHandCursor)

    def box_at(self, pos: QPointF) -> int | None:
        """The region under a point of the canvas (its id), if any; the smallest box wins (a face
        inside a person's box)."""
        shown = self.photo_rect()
        under = []
        for region_id, (x0, y0, x1, y1) in self.boxes:
            box = QRectF(
                shown.x() + x0 * shown.width(),
                shown.y() + y0 * shown.height(),
                (x1 - x0) * shown.width(),
                (y1 - y0) * shown.height(),
            )
            if box.contains(pos):
                under.append((box.width() * box.height(), region_id))
        return min(under)[1] if under else None

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        pos = QPointF(event.pos())
        if self._pixmap.isNull() or not self.photo_rect().contains(pos):
            return
        region_id = self.box_at(pos)
        self.region_menu_requested.emit(region_id or 0, event.globalPos())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click: 100% around the pointer, or back to fit."""
        if self._zoom is None and not self._pixmap.isNull():
            self.zoom_by(max(1.0, self.fit_scale() * 2) / self.fit_scale(), event.position())
        else:
            self.fit()
