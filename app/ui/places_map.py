"""The Places map: country outlines drawn here (no tile server) and the photos as markers, a
count on each, clustered by zoom. Drag to pan, the wheel zooms about the pointer, a click on a
marker asks for its photos, hovering says what it is.

The land is painted into 256-pixel tiles per zoom level, kept (least recently used go first):
a frame of panning only copies tiles, and a frame that needs new ones paints as many as fit in
a few milliseconds, drawing the rest from a coarser tile until the next frame."""

from __future__ import annotations

import math
import time
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.controller.place_markers import MAX_LEVEL, PlaceMarkers
from app.controller.world_outlines import TILE_PX, Outline, outlines_at_level

SEA = QColor(196, 216, 232)
LAND = QColor(241, 239, 232)
BORDER = QColor(160, 160, 160)
MARKER = QColor(0, 110, 200)
MARKER_EDGE = QColor(255, 255, 255)
TILE_LEVELS = 7  # outlines are simplified up to this level; deeper levels draw them in full
TILES_KEPT = 200  # about 50 MB of tiles
NEW_TILES_MS = 5.0  # a frame paints new tiles for at most this long
MAX_ZOOM = MAX_LEVEL + 0.99
CountryPaths = dict[int, list[tuple[tuple[float, float, float, float], QPainterPath]]]
WHEEL_STEP = 0.5  # zoom levels per wheel notch
CLICK_SLOP_PX = 4


def marker_radius(count: int) -> float:
    """A marker grows with the log of its photos: 7 px for one, about 26 px for 100,000."""
    return 7.0 + 3.8 * math.log10(max(1, count))


class PlacesMap(QWidget):
    marker_clicked = Signal(int, int)  # zoom level, marker
    marker_hovered = Signal(int, int, QPoint)  # zoom level, marker, global position
    hover_left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)
        self.markers = PlaceMarkers.empty()
        self.zoom = 1.0
        self.centre = (0.5, 0.5)  # world coordinates at the widget's centre
        self._tiles: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()
        self._paths: CountryPaths = {}  # made on a worker (`country_paths`); until then, sea
        self._press: QPoint | None = None
        self._press_centre = self.centre
        self._hovered: tuple[int, int] | None = None
        self._fitted = False
        self.outlines_asked = False  # the window asks a worker for the paths on first sight
        self._more = QTimer(self, singleShot=True, interval=0)  # tiles still to paint
        self._more.timeout.connect(self.update)
        self.font_small = QFont(self.font())
        self.font_small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        self.font_small.setBold(True)
        self.last_frame_ms = 0.0

    # --- what is shown ---------------------------------------------------------------------------

    def set_markers(self, markers: PlaceMarkers) -> None:
        """New markers; the first ones with photos frame the view around them."""
        self.markers = markers
        self._hovered = None
        if not self._fitted and len(markers):
            box = markers.bounds()
            if box is not None:
                self.fit(box)
                self._fitted = True
        self.update()

    def set_country_paths(self, paths: CountryPaths) -> None:
        """The outlines' paths, made off the GUI thread: the land appears."""
        self._paths = paths
        self._tiles.clear()
        self.update()

    @property
    def has_outlines(self) -> bool:
        return bool(self._paths)

    def min_zoom(self) -> float:
        """The whole world fits the widget's width (and never less than level 0)."""
        return max(0.0, math.log2(max(1, self.width()) / TILE_PX))

    def world_px(self) -> float:
        return TILE_PX * 2.0**self.zoom

    def set_view(self, centre: tuple[float, float], zoom: float) -> None:
        self.zoom = min(MAX_ZOOM, max(self.min_zoom(), zoom))
        self.centre = self._clamped(centre)
        self.update()

    def fit(self, box: tuple[float, float, float, float], margin_px: float = 48) -> None:
        """Centre on a world box and zoom so that it fits with a margin (a single spot: a city's
        zoom, not the deepest level)."""
        x0, y0, x1, y1 = box
        usable_w, usable_h = max(1.0, self.width() - 2 * margin_px), max(1.0, self.height() - 2 * margin_px)
        span_w, span_h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        zoom = math.log2(min(usable_w / span_w, usable_h / span_h) / TILE_PX)
        self.set_view(((x0 + x1) / 2, (y0 + y1) / 2), min(zoom, 12.0))

    def _clamped(self, centre: tuple[float, float]) -> tuple[float, float]:
        """The world stays under the view: its middle never moves past the edge of the world."""
        return (min(1.0, max(0.0, centre[0])), min(1.0, max(0.0, centre[1])))

    def to_screen(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        scale = self.world_px()
        sx = (np.asarray(x) - self.centre[0]) * scale + self.width() / 2
        sy = (np.asarray(y) - self.centre[1]) * scale + self.height() / 2
        return sx, sy

    def to_world(self, point: QPointF | QPoint) -> tuple[float, float]:
        scale = self.world_px()
        return (
            self.centre[0] + (point.x() - self.width() / 2) / scale,
            self.centre[1] + (point.y() - self.height() / 2) / scale,
        )

    def visible_box(self, margin_px: float = 0.0) -> tuple[float, float, float, float]:
        x0, y0 = self.to_world(QPointF(-margin_px, -margin_px))
        x1, y1 = self.to_world(QPointF(self.width() + margin_px, self.height() + margin_px))
        return x0, y0, x1, y1

    def markers_in_view(self) -> tuple[int, np.ndarray]:
        """The level drawn now and the indices of its markers on screen (a marker's edge may be)."""
        level = self.markers.level(self.zoom)
        return level, self.markers.in_view(level, self.visible_box(margin_px=marker_radius(10**6)))

    def marker_at(self, point: QPoint) -> tuple[int, int] | None:
        """The marker under `point` (the nearest whose circle holds it), or None."""
        level, shown = self.markers_in_view()
        if len(shown) == 0:
            return None
        markers = self.markers.levels[level]
        sx, sy = self.to_screen(markers.x[shown], markers.y[shown])
        reach = np.array([marker_radius(int(c)) for c in markers.counts[shown]]) + 2
        distance = np.hypot(sx - point.x(), sy - point.y())
        inside = np.flatnonzero(distance <= reach)
        if len(inside) == 0:
            return None
        return level, int(shown[inside[np.argmin(distance[inside])]])

    def marker_position(self, level: int, marker: int) -> QPoint:
        markers = self.markers.levels[level]
        sx, sy = self.to_screen(markers.x[marker], markers.y[marker])
        return QPoint(round(float(sx)), round(float(sy)))

    # --- painting ----------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        started = time.perf_counter()
        painter = QPainter(self)
        painter.fillRect(self.rect(), SEA)
        self._paint_land(painter, started)
        self._paint_markers(painter)
        painter.setPen(QColor(90, 90, 90))
        painter.setFont(self.font_small)
        painter.drawText(
            self.rect().adjusted(0, 0, -6, -4),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
            "Natural Earth",
        )
        painter.end()
        self.last_frame_ms = (time.perf_counter() - started) * 1000

    def _paint_land(self, painter: QPainter, started: float) -> None:
        level = max(0, min(MAX_LEVEL, round(self.zoom)))
        n = 2**level
        tile_px = TILE_PX * 2.0 ** (self.zoom - level)  # a tile's size on screen now
        x0, y0, x1, y1 = self.visible_box()
        first_x, last_x = max(0, math.floor(x0 * n)), min(n - 1, math.floor(x1 * n))
        first_y, last_y = max(0, math.floor(y0 * n)), min(n - 1, math.floor(y1 * n))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        wanted = [(tx, ty) for ty in range(first_y, last_y + 1) for tx in range(first_x, last_x + 1)]
        # Tiles nearest the middle first: those are what the eye is on.
        wanted.sort(key=lambda t: abs(t[0] + 0.5 - self.centre[0] * n) + abs(t[1] + 0.5 - self.centre[1] * n))
        missing = False
        for tx, ty in wanted:
            sx, sy = self.to_screen(tx / n, ty / n)
            target = QRectF(float(sx), float(sy), tile_px, tile_px)
            tile = self._tiles.get((level, tx, ty))
            if tile is None and self._paths and (time.perf_counter() - started) * 1000 < NEW_TILES_MS:
                tile = self._paint_tile(level, tx, ty)
            if tile is not None:
                self._tiles.move_to_end((level, tx, ty))
                painter.drawPixmap(target, tile, QRectF(tile.rect()))
            else:
                missing = True
                self._paint_from_coarser(painter, level, tx, ty, target)
        if missing and self._paths:
            self._more.start()

    def _paint_from_coarser(self, painter: QPainter, level: int, tx: int, ty: int, target: QRectF) -> None:
        """A tile not painted yet, drawn from the nearest coarser one kept (the whole world's
        single tile at worst, painted now if need be: a blurred frame, never a missing coast)."""
        for up in range(1, level + 1):
            coarse = self._tiles.get((level - up, tx >> up, ty >> up))
            if coarse is None and up == level and self._paths:
                coarse = self._paint_tile(0, 0, 0)
            if coarse is not None:
                part = coarse.width() / 2**up
                source = QRectF((tx % 2**up) * part, (ty % 2**up) * part, part, part)
                painter.drawPixmap(target, coarse, source)
                return

    def _paint_tile(self, level: int, tx: int, ty: int) -> QPixmap:
        ratio = self.devicePixelRatioF()
        tile = QPixmap(QSize(round(TILE_PX * ratio), round(TILE_PX * ratio)))
        tile.setDevicePixelRatio(ratio)
        tile.fill(SEA)
        painter = QPainter(tile)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        n = 2**level
        painter.setTransform(QTransform().translate(-tx * TILE_PX, -ty * TILE_PX).scale(TILE_PX * n, TILE_PX * n))
        border = QPen(BORDER, 0.8)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(LAND)
        box = (tx / n, ty / n, (tx + 1) / n, (ty + 1) / n)
        for (bx0, by0, bx1, by1), path in self._paths.get(min(level, TILE_LEVELS), []):
            if bx1 >= box[0] and bx0 <= box[2] and by1 >= box[1] and by0 <= box[3]:
                painter.drawPath(path)
        painter.end()
        self._tiles[(level, tx, ty)] = tile
        while len(self._tiles) > TILES_KEPT:
            self._tiles.popitem(last=False)
        return tile

    def _paint_markers(self, painter: QPainter) -> None:
        level, shown = self.markers_in_view()
        if len(shown) == 0:
            return
        markers = self.markers.levels[level]
        sx, sy = self.to_screen(markers.x[shown], markers.y[shown])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font_small)
        edge = QPen(MARKER_EDGE, 1.5)
        hovered = self._hovered[1] if self._hovered is not None and self._hovered[0] == level else -1
        for marker, x, y in zip(shown.tolist(), sx.tolist(), sy.tolist(), strict=True):
            count = int(markers.counts[marker])
            radius = marker_radius(count)
            painter.setPen(edge)
            painter.setBrush(MARKER.lighter(130) if marker == hovered else MARKER)
            painter.drawEllipse(QPointF(x, y), radius, radius)
            if count > 1:
                painter.setPen(MARKER_EDGE)
                box = QRectF(x - radius, y - radius, 2 * radius, 2 * radius)
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, _short_count(count))

    # --- what the person does -------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.zoom < self.min_zoom():
            self.set_view(self.centre, self.min_zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120 or event.pixelDelta().y() / 60
        if notches:
            self.zoom_about(event.position(), notches * WHEEL_STEP)
        event.accept()

    def zoom_about(self, point: QPointF, levels: float) -> None:
        """Zoom by `levels`, keeping the world under `point` where it is."""
        before = self.to_world(point)
        self.zoom = min(MAX_ZOOM, max(self.min_zoom(), self.zoom + levels))
        scale = self.world_px()
        centre = (
            before[0] - (point.x() - self.width() / 2) / scale,
            before[1] - (point.y() - self.height() / 2) / scale,
        )
        self.set_view(centre, self.zoom)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the world by (dx, dy) screen pixels."""
        scale = self.world_px()
        self.set_view((self.centre[0] - dx / scale, self.centre[1] - dy / scale), self.zoom)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self._press_centre = self.centre
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            scale = self.world_px()
            moved = point - self._press
            self.set_view(
                (self._press_centre[0] - moved.x() / scale, self._press_centre[1] - moved.y() / scale), self.zoom
            )
            return
        hovered = self.marker_at(point)
        if hovered != self._hovered:
            self._hovered = hovered
            self.update()
            if hovered is None:
                self.hover_left.emit()
        if hovered is not None:
            self.marker_hovered.emit(hovered[0], hovered[1], self.mapToGlobal(point))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.unsetCursor()
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        point = event.position().toPoint()
        clicked = (point - self._press).manhattanLength() <= CLICK_SLOP_PX
        self._press = None
        if clicked:
            marker = self.marker_at(point)
            if marker is not None:
                self.marker_clicked.emit(*marker)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.marker_at(event.position().toPoint()) is None:
            self.zoom_about(event.position(), 1.0)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = 80
        key = event.key()
        middle = QPointF(self.width() / 2, self.height() / 2)
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_about(middle, 1.0)
        elif key == Qt.Key.Key_Minus:
            self.zoom_about(middle, -1.0)
        elif key == Qt.Key.Key_Left:
            self.pan_by(step, 0)
        elif key == Qt.Key.Key_Right:
            self.pan_by(-step, 0)
        elif key == Qt.Key.Key_Up:
            self.pan_by(0, step)
        elif key == Qt.Key.Key_Down:
            self.pan_by(0, -step)
        elif key == Qt.Key.Key_0:
            self.set_view((0.5, 0.5), self.min_zoom())
        else:
            super().keyPressEvent(event)


def country_paths() -> CountryPaths:
    """Every level's outlines as painter paths, with each country's box (about 0.3 s: run it on
    a worker; paths are plain values, safe to hand to the GUI thread)."""
    return {
        level: [(outline.box, _country_path(outline)) for outline in outlines_at_level(level)]
        for level in range(TILE_LEVELS + 1)
    }


def _country_path(outline: Outline) -> QPainterPath:
    """One path for a country's rings (even-odd: a lake or an enclave is a hole), built from
    arrays at once (pyqtgraph writes the path's binary form; no point-by-point Python).
    pyqtgraph is imported here, on the worker that makes the paths when Places is first
    opened: at the window's start it took 0.16 s of a million photos' first gallery."""
    import pyqtgraph as pg

    points = np.concatenate(outline.rings)
    connect = np.ones(len(points), np.int32)
    connect[np.cumsum([len(ring) for ring in outline.rings]) - 1] = 0  # each ring ends its subpath
    return pg.arrayToQPath(points[:, 0], points[:, 1], connect=connect)


def _short_count(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.1f}M".replace(".0M", "M")
    if count >= 10_000:
        return f"{count // 1000}k"
    if count >= 1000:
        return f"{count / 1000:.1f}k".replace(".0k", "k")
    return str(count)
