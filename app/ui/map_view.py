"""The 3D map: every photo a point (t-SNE coordinates), coloured by cluster; drag to orbit,
wheel to zoom, hover for a thumbnail, click to pick the photo."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QMatrix4x4, QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

from app.controller.map_layout import MapLayout

NOISE_COLOUR = (0.6, 0.6, 0.6, 0.5)
PICK_RADIUS_PX = 12


def cluster_colours(clusters: np.ndarray) -> np.ndarray:
    """One RGBA colour per point: a hue per cluster by its rank (hues repeat past 24), grey
    for the unclustered. Array work only: thousands of clusters over 100k points stay quick."""
    colours = np.tile(np.array(NOISE_COLOUR, dtype=np.float32), (len(clusters), 1))
    grouped = clusters >= 0
    ids, rank = np.unique(clusters[grouped], return_inverse=True)
    if len(ids):
        hues = max(9, min(len(ids), 24))
        palette = np.array(
            [_rgba(pg.intColor(k, hues=hues, values=1, maxValue=230)) for k in range(min(hues, len(ids)))],
            dtype=np.float32,
        )
        colours[grouped] = palette[rank % hues]
    return colours


def _rgba(colour: QColor) -> tuple[float, float, float, float]:
    return (colour.redF(), colour.greenF(), colour.blueF(), 0.95)


class _PickingView(gl.GLViewWidget):
    """A GLViewWidget that reports hovers and clicks (a click is a press and release in place)."""

    hovered = Signal(QPoint)
    clicked = Signal(QPoint)

    def __init__(self) -> None:
        super().__init__()
        self.setMouseTracking(True)
        self._press: QPoint | None = None

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        self._press = ev.position().toPoint()
        super().mousePressEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        super().mouseReleaseEvent(ev)
        if self._press is not None and (ev.position().toPoint() - self._press).manhattanLength() < 4:
            self.clicked.emit(ev.position().toPoint())
        self._press = None

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        super().mouseMoveEvent(ev)
        if not ev.buttons():
            self.hovered.emit(ev.position().toPoint())


class MapView(QWidget):
    """Points with ids; `photo_clicked(image_id)` when one is clicked."""

    photo_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = _PickingView()
        self.view.setBackgroundColor(pg.mkColor(24, 24, 28))
        self.view.setCameraPosition(distance=3.2, elevation=20, azimuth=45)
        self.scatter = gl.GLScatterPlotItem(pos=np.zeros((0, 3)), size=7, pxMode=True)
        self.scatter.setGLOptions("translucent")
        self.view.addItem(self.scatter)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.legend.setMinimumWidth(160)
        self.status = QLabel("The map appears once photos are indexed.")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addWidget(self.legend)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)
        self.positions = np.zeros((0, 3), dtype=np.float32)
        self._screen = np.zeros((0, 2))
        self._screen_key: tuple | None = None
        self.image_ids = np.zeros(0, dtype=np.int64)
        self.thumbnails: list[str] = []
        self.paths: list[str] = []
        self._clusters = np.zeros(0, dtype=np.int64)
        self._colours = np.zeros((0, 4), dtype=np.float32)
        self.view.hovered.connect(self._on_hovered)
        self.view.clicked.connect(self._on_clicked)

    def set_points(self, layout: MapLayout, groups: np.ndarray, cluster_names: dict[int, str]) -> None:
        """The points of `layout`, coloured by `groups` (each point's cluster, or -1)."""
        self.positions = layout.positions
        self.image_ids = layout.image_ids
        self.paths = layout.paths
        self.thumbnails = layout.thumbnails
        self._clusters = groups
        self._colours = cluster_colours(groups)
        self.scatter.setData(pos=self.positions, color=self._colours, size=7)
        self.set_names(cluster_names)
        self.status.setText(f"{len(layout):,} photos · drag to orbit, wheel to zoom, click a point to select it")

    def set_names(self, names: dict[int, str]) -> None:
        """The legend: a colour per group with its name (numbered until names are ready)."""
        clusters, colours = self._clusters, self._colours
        ids, first = np.unique(clusters, return_index=True)
        rows = []
        for cluster, at in [(int(c), int(i)) for c, i in zip(ids, first, strict=True) if c >= 0][:12]:
            r, g, b, _ = (int(v * 255) for v in colours[at])
            label = html.escape(names.get(cluster, f"cluster {cluster}"))
            rows.append(f'<span style="color:rgb({r},{g},{b})">●</span> {label}')
        if (clusters < 0).any():
            rows.append('<span style="color:rgb(150,150,150)">●</span> not grouped')
        self.legend.setText("<br>".join(rows))

    def screen_positions(self) -> np.ndarray:
        """Each point's position in widget pixels (x, y), as drawn now: one matrix product for
        all points, kept until the camera, the window size or the points change (hovering
        with a still camera costs only the nearest-point search)."""
        if len(self.positions) == 0:
            return np.zeros((0, 2))
        width, height = self.view.width(), self.view.height()
        region = (0, 0, width, height)
        mvp: QMatrix4x4 = self.view.projectionMatrix(region, region) * self.view.viewMatrix()
        key = (tuple(mvp.data()), width, height, id(self.positions))
        if self._screen_key != key:
            matrix = np.array(mvp.data(), dtype=np.float32).reshape(4, 4).T  # Qt stores columns first
            clip = self.positions @ matrix[:, :3].T + matrix[:, 3]
            w = clip[:, 3]
            w[w == 0] = 1e-9
            self._screen = np.column_stack(((clip[:, 0] / w + 1) / 2 * width, (1 - clip[:, 1] / w) / 2 * height))
            self._screen_key = key
        return self._screen

    def point_at(self, pos: QPoint) -> int | None:
        screen = self.screen_positions()
        if len(screen) == 0:
            return None
        d = np.hypot(screen[:, 0] - pos.x(), screen[:, 1] - pos.y())
        best = int(np.argmin(d))
        return best if d[best] <= PICK_RADIUS_PX else None

    def _on_hovered(self, pos: QPoint) -> None:
        index = self.point_at(pos)
        if index is None:
            QToolTip.hideText()
            return
        thumb = self.thumbnails[index]
        name = html.escape(self.paths[index].rsplit("/", 1)[-1])
        tip = f'<img src="{html.escape(thumb)}" width="160"><br>{name}' if thumb else name
        QToolTip.showText(self.view.mapToGlobal(pos), tip, self.view)

    def _on_clicked(self, pos: QPoint) -> None:
        index = self.point_at(pos)
        if index is not None:
            self.photo_clicked.emit(int(self.image_ids[index]))
