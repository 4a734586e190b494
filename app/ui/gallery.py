"""The gallery: a list model of image ids (plus a score when showing search results) and a
delegate that paints the thumbnail, the matched region and the score."""

from __future__ import annotations

import os
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.catalog.photo_marks import PhotoMarks
from app.controller.gallery_rows import GalleryItem, GalleryUpdate
from app.core.durations import clock
from app.core.paths import display_path
from app.core.raw_pairs import PAIR_MARK
from app.ui.card_delegate import paint_cell_background
from app.ui.thumbnails import ThumbnailCache
from app.ui.timeline_view import TimelineView

ImageIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
ScoreRole = Qt.ItemDataRole.UserRole + 3
BoxRole = Qt.ItemDataRole.UserRole + 4
BadgeRole = Qt.ItemDataRole.UserRole + 5  # painted over the thumbnail: a video's length, or the moment found
MarksRole = Qt.ItemDataRole.UserRole + 6  # stars, favourite, reject (`PhotoMarks.packed`)
IMAGE_IDS_MIME = "application/x-photo-organizer-image-ids"  # photos dragged (onto an album)
DAY = GalleryItem._fields.index("day")


class ThumbnailListModel(QAbstractListModel):
    """A flat list whose pictures come from the shared thumbnail cache (never blocking `data()`);
    a row repaints when its thumbnail arrives."""

    def __init__(self, cache: ThumbnailCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._rows: list = []
        self._rows_by_key: dict[int, list[int]] | None = None  # made on the first thumbnail after a reset
        cache.thumbnail_ready.connect(self._on_thumbnail_ready)

    thumbnail_attribute = ""  # the rows' field holding the thumbnail cache's key (None: no picture)

    def rows_showing(self, key: int) -> list[int]:
        """The rows showing the thumbnail `key`, from an index made once per set of rows: a
        million photos' events as cards, scanned for each thumbnail arriving, stalled the
        window half a second when a scroll brought twenty."""
        if self._rows_by_key is None:
            by_key: dict[int, list[int]] = {}
            for at, found in enumerate(map(attrgetter(self.thumbnail_attribute), self._rows)):
                if found is not None:
                    by_key.setdefault(found, []).append(at)
            self._rows_by_key = by_key
        return self._rows_by_key.get(key, [])

    def _set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._rows_by_key = None
        self.endResetModel()

    def _row(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _on_thumbnail_ready(self, image_id: int) -> None:
        for row in self.rows_showing(image_id):
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class GalleryModel(ThumbnailListModel):
    """Rows are images."""

    def __init__(self, cache: ThumbnailCache, parent: QObject | None = None) -> None:
        super().__init__(cache, parent)
        self._row_of: dict[int, int] = {}

    def set_items(self, items: list[GalleryItem] | list[tuple]) -> None:
        # Rows are kept as plain tuples (see GalleryItem); `item()` names their fields.
        rows = [tuple(item) for item in items]
        if self._changed_in_place(rows):
            return
        self._row_of = {row[0]: i for i, row in enumerate(rows)}
        self._set_rows(rows)

    def _changed_in_place(self, rows: list[tuple]) -> bool:
        """The same photos in the same order, some of them changed (a star, a tag): those rows
        repaint, and the selection and the scroll position stay. False when photos came, went
        or moved."""
        if len(rows) != len(self._rows) or any(a[0] != b[0] for a, b in zip(rows, self._rows, strict=True)):
            return False
        for row, (new, old) in enumerate(zip(rows, self._rows, strict=True)):
            if new != old:
                self._rows[row] = new
                index = self.index(row)
                self.dataChanged.emit(index, index)
        return True

    def days(self) -> np.ndarray:
        """Each row's day (YYYYMMDD, 0 unknown): the timeline's groups."""
        return np.fromiter((row[DAY] for row in self._rows), np.int64, len(self._rows))

    def snapshot(self) -> tuple[tuple, ...]:
        """The rows as they are now, for `plan_update` on a worker thread."""
        return tuple(self._rows)

    def apply_update(self, update: GalleryUpdate) -> None:
        """Show `update.rows`: by inserting rows where the update was planned against the rows
        shown now (selection and scroll position stay), else by a reset."""
        if (
            update.inserts is None
            or len(self._rows) != len(update.base)
            or any(a is not b for a, b in zip(self._rows, update.base, strict=True))
        ):
            if not self._changed_in_place(update.rows):
                self._row_of = update.row_of
                self._set_rows(update.rows)
            return
        for position, run in update.inserts:
            self.beginInsertRows(QModelIndex(), position, position + len(run) - 1)
            self._rows[position:position] = run
            self.endInsertRows()
        self._row_of = update.row_of

    def item(self, row: int) -> GalleryItem | None:
        found = self._row(row)
        return None if found is None else GalleryItem(*found)

    def row_of(self, image_id: int) -> int | None:
        return self._row_of.get(image_id)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = display_path(os.path.basename(item.path))
            name = f"{name} · {PAIR_MARK}" if item.pair else name
            return f"▣ {item.stack} · {name}" if item.stack else name
        if role == BadgeRole:
            return _badge(item)
        if role == MarksRole:
            return item.marks
        if role == Qt.ItemDataRole.ToolTipRole:
            shown = display_path(item.path)
            if item.pair:
                shown = f"{shown}\n{PAIR_MARK}: {display_path(item.pair)}"
            if item.duration is not None:
                shown = f"{shown}\na video of {clock(item.duration)}"
            if item.stack:
                return f"{shown}\na burst of {item.stack} shots (right-click to see them all)"
            return shown if item.why is None else f"{shown}\n{item.why} · score {item.score:.3f}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._cache.get(item.image_id, item.thumbnail)
        if role == ImageIdRole:
            return item.image_id
        if role == PathRole:
            return item.path
        if role == ScoreRole:
            return item.score
        if role == BoxRole:
            return item.box
        return None

    def rows_showing(self, image_id: int) -> list[int]:
        row = self._row_of.get(image_id)
        return [] if row is None else [row]

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:
        return [IMAGE_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged photos' image ids (dropped on an album, they join it)."""
        ids = [str(item.image_id) for item in (self.item(i.row()) for i in indexes) if item is not None]
        data = QMimeData()
        data.setData(IMAGE_IDS_MIME, QByteArray(",".join(dict.fromkeys(ids)).encode()))
        return data


class GalleryDelegate(QStyledItemDelegate):
    """Grid: thumbnail centred in its cell, the matched region outlined, name or score beneath.
    List: a smaller thumbnail on the left, then the name, the folder and why it matched."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view

    @property
    def list_mode(self) -> bool:
        return bool(getattr(self._view, "list_mode", False))

    def cell(self) -> QSize:
        size = self._view.iconSize()
        if self.list_mode:
            return QSize(max(200, self._view.viewport().width() - 8), self._list_thumb() + 8)
        return QSize(size.width() + 12, size.height() + 28)

    def _list_thumb(self) -> int:
        return max(40, self._view.iconSize().height() // 2)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self.cell()

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect, palette, selected = paint_cell_background(painter, option)
        if self.list_mode:
            side = self._list_thumb()
            frame = QRect(rect.x() + 4, rect.y() + 4, side, side)
        else:
            icon = self._view.iconSize()
            frame = QRect(rect.x() + 6, rect.y() + 6, icon.width(), icon.height())
        self._paint_thumbnail(painter, frame, index)
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        if self.list_mode:
            self._paint_row_text(
                painter,
                QRect(frame.right() + 10, rect.y() + 4, rect.right() - frame.right() - 14, frame.height()),
                index,
            )
        else:
            score = index.data(ScoreRole)
            caption = f"{score:.3f}" if score is not None else str(index.data(Qt.ItemDataRole.DisplayRole))
            text_rect = QRect(rect.x() + 4, frame.bottom() + 4, rect.width() - 8, 18)
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignCenter,
                painter.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideMiddle, text_rect.width()),
            )
        painter.restore()

    def _paint_row_text(self, painter: QPainter, area: QRect, index: QModelIndex | QPersistentModelIndex) -> None:
        path = str(index.data(PathRole))
        score = index.data(ScoreRole)
        lines = [display_path(os.path.basename(path)), display_path(os.path.dirname(path))]
        if score is not None:
            tooltip = str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
            lines.append(tooltip.split("\n", 1)[1] if "\n" in tooltip else f"score {score:.3f}")
        metrics = painter.fontMetrics()
        y = area.y()
        for line in lines:
            if y + metrics.height() > area.bottom() + 2:
                break
            painter.drawText(
                QRect(area.x(), y, area.width(), metrics.height()),
                Qt.AlignmentFlag.AlignLeft,
                metrics.elidedText(line, Qt.TextElideMode.ElideMiddle, area.width()),
            )
            y += metrics.height() + 2

    def _paint_thumbnail(self, painter: QPainter, frame: QRect, index: QModelIndex | QPersistentModelIndex) -> None:
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is None:
            painter.fillRect(frame, QColor(128, 128, 128, 40))
        else:
            scaled = pixmap.size().scaled(frame.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(frame.center())
            painter.drawPixmap(target, pixmap)
            marks = PhotoMarks.unpacked(int(index.data(MarksRole) or 0))
            if marks.rejected:
                painter.fillRect(target, QColor(0, 0, 0, 130))  # set aside: dimmed
                _paint_badge(painter, target, "✕ rejected", Qt.Corner.TopLeftCorner)
            badge = index.data(BadgeRole)
            if badge:
                _paint_badge(painter, target, str(badge))
            if marks.stars:
                _paint_badge(painter, target, "★" * marks.stars, Qt.Corner.BottomLeftCorner)
            if marks.favourite:
                _paint_badge(painter, target, "♥", Qt.Corner.TopRightCorner)
            box = index.data(BoxRole)
            if box is not None and tuple(box) != (0.0, 0.0, 1.0, 1.0):
                x0, y0, x1, y1 = box
                painter.setPen(QPen(QColor(255, 200, 0), 2))
                painter.drawRect(
                    QRect(
                        target.x() + round(x0 * target.width()),
                        target.y() + round(y0 * target.height()),
                        round((x1 - x0) * target.width()),
                        round((y1 - y0) * target.height()),
                    )
                )


def _badge(item: GalleryItem) -> str | None:
    """A video's length (▶ 1:05), or where in it a search found what it matched (▶ at 0:42)."""
    if item.duration is None:
        return None
    return f"▶ at {clock(item.time)}" if item.time is not None else f"▶ {clock(item.duration)}"


def _paint_badge(painter: QPainter, picture: QRect, text: str, corner: Qt.Corner = Qt.Corner.BottomRightCorner) -> None:
    """White text on a dark rounded label in a corner of the picture (bottom right unless said)."""
    metrics = painter.fontMetrics()
    width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
    right = corner in (Qt.Corner.BottomRightCorner, Qt.Corner.TopRightCorner)
    bottom = corner in (Qt.Corner.BottomRightCorner, Qt.Corner.BottomLeftCorner)
    x = picture.right() - width - 3 if right else picture.left() + 3
    y = picture.bottom() - height - 3 if bottom else picture.top() + 3
    label = QRect(x, y, width, height)
    if width + 6 > picture.width():
        return  # a picture too small to carry it
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 170))
    painter.drawRoundedRect(label, 4, 4)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def icon_grid_view(parent: QWidget | None = None) -> QListView:
    """A list view laid out as a static grid of equal cells that reflows with the width.

    List mode flowing left to right with wrapping, not icon mode: the same grid, but laid out
    by rows of equal cells. Icon mode keeps a spatial index of every item and rebuilds it
    whenever rows are inserted, about a second at 100,000 photos, on the GUI thread."""
    view = QListView(parent)
    view.setViewMode(QListView.ViewMode.ListMode)
    view.setFlow(QListView.Flow.LeftToRight)
    view.setWrapping(True)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)  # list mode would scroll by rows
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    return view


def make_gallery_view(model: GalleryModel, parent: QWidget | None = None) -> TimelineView:
    view = TimelineView(parent)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setIconSize(QSize(160, 160))
    view.setItemDelegate(GalleryDelegate(view))
    view.setModel(model)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.setDragEnabled(True)  # photos dragged onto an album in the side panel join it
    view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
    return view
