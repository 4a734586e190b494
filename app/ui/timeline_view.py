"""The gallery's view: a grid of equal cells (or a list of rows) that reflows with the width and,
when the photos come in date order, groups them under a header per day (per month when the
thumbnails are small). Laid out by `TimelineLayout` (arithmetic over the groups, never a pass
over every photo), painted a visible cell at a time by the gallery's delegate."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QRegion, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem, QWidget

from app.controller.timeline_layout import MONTH_GROUPS_BELOW, TimelineLayout, day_title, group_starts

GRID_SPACING = 4  # between cells in the grid
MARGIN = 4  # around the content

CursorAction = QAbstractItemView.CursorAction


class TimelineView(QAbstractItemView):
    laid_out = Signal()  # the groups or their heights changed (the date scrubber follows)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_mode = False
        self.timeline = True  # group by date when the rows come in date order
        self._layout: TimelineLayout | None = None
        self._groups_stale = True
        self._groups: tuple[np.ndarray, np.ndarray] | None = None
        self._groups_by_month = False
        self._relayout_pending = False
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header_font = QFont(self.font())
        header_font.setBold(True)
        header_font.setPointSizeF(header_font.pointSizeF() * 1.15)
        self.header_font = header_font
        self.iconSizeChanged.connect(lambda _size: self.relayout())  # small thumbnails group by month

    # --- what decides the layout --------------------------------------------------------------

    def setModel(self, model: object) -> None:  # type: ignore[override]
        super().setModel(model)  # type: ignore[arg-type]
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):  # type: ignore[attr-defined]
            signal.connect(self._rows_changed)
        self._rows_changed()

    def set_timeline(self, on: bool) -> None:
        """Group by date (the gallery in date order) or not (ranked search results)."""
        if on != self.timeline:
            self.timeline = on
            self._rows_changed()

    def set_list_mode(self, on: bool) -> None:
        self.list_mode = on
        self.relayout()

    def _rows_changed(self, *_args: object) -> None:
        """Rows came or went: laid out again once, when next asked or painted (indexing inserts
        many runs of rows in one go; each must not regroup 100,000 photos)."""
        self._groups_stale = True
        self._layout = None
        if not self._relayout_pending:
            self._relayout_pending = True
            QTimer.singleShot(0, self, self._relayout_now)  # never after the view is gone

    def _relayout_now(self) -> None:
        self._relayout_pending = False
        self.relayout()

    def relayout(self) -> None:
        self._layout = None
        self.updateGeometries()
        self.viewport().update()

    def by_month(self) -> bool:
        return not self.list_mode and self.iconSize().width() < MONTH_GROUPS_BELOW

    def timeline_layout(self) -> TimelineLayout:
        if self._layout is None:
            model = self.model()
            rows = model.rowCount() if model is not None else 0
            if self._groups_stale or self._groups_by_month != self.by_month():
                days = model.days() if self.timeline and rows and hasattr(model, "days") else None  # type: ignore[union-attr]
                self._groups_by_month = self.by_month()
                grouped = group_starts(days, self._groups_by_month) if days is not None and days.any() else None
                self._groups, self._groups_stale = grouped, False
            width = max(1, self.viewport().width() - 2 * MARGIN)
            delegate = self.itemDelegate()
            cell = delegate.cell() if hasattr(delegate, "cell") else self.iconSize()  # type: ignore[attr-defined]
            if self.list_mode:
                size = (width, cell.height() + 1)
            else:
                size = (cell.width() + GRID_SPACING, cell.height() + GRID_SPACING)
            header = self.fontMetrics().height() * 2 + 8
            self._layout = TimelineLayout(rows, self._groups, width, size, header)
        return self._layout

    # --- geometry QAbstractItemView asks for --------------------------------------------------

    def updateGeometries(self) -> None:
        layout = self.timeline_layout()
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, layout.height + 2 * MARGIN - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(max(8, layout.cell_height // 4))
        super().updateGeometries()
        self.laid_out.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new width reflows the cells; the photo at the top stays at the top."""
        top = self.timeline_layout().nearest_row(0, self.verticalOffset())
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.relayout()
            if top is not None and self.verticalOffset() > 0:
                cell = self.timeline_layout().cell_of(top)
                if cell is not None:
                    self.verticalScrollBar().setValue(cell.y)

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        return False

    def visualRect(self, index: QModelIndex | QPersistentModelIndex) -> QRect:
        cell = self.timeline_layout().cell_of(index.row()) if index.isValid() else None
        if cell is None:
            return QRect()
        spacing = 0 if self.list_mode else GRID_SPACING
        return QRect(
            MARGIN + cell.x, MARGIN + cell.y - self.verticalOffset(), cell.width - spacing, cell.height - spacing
        )

    def indexAt(self, point: QPoint) -> QModelIndex:
        row = self.timeline_layout().row_at(point.x() - MARGIN, point.y() - MARGIN + self.verticalOffset())
        model = self.model()
        if row is None or model is None or not self.visualRect(model.index(row, 0)).contains(point):
            return QModelIndex()
        return model.index(row, 0)

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        rect = self.visualRect(index)
        if rect.isNull():
            return
        bar, height = self.verticalScrollBar(), self.viewport().height()
        header = self.timeline_layout().header
        if hint == QAbstractItemView.ScrollHint.PositionAtCenter:
            bar.setValue(bar.value() + rect.center().y() - height // 2)
        elif hint == QAbstractItemView.ScrollHint.PositionAtTop or rect.top() < header:
            bar.setValue(
                bar.value() + rect.top() - (header if hint != QAbstractItemView.ScrollHint.PositionAtTop else 0)
            )
        elif rect.bottom() > height:
            bar.setValue(bar.value() + rect.bottom() - height + MARGIN)

    def scroll_to_content(self, y: int) -> None:
        """Scroll so that content height `y` (a month's first header) is at the top."""
        self.verticalScrollBar().setValue(y)

    def moveCursor(self, action: CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        model, layout = self.model(), self.timeline_layout()
        if model is None or layout.rows == 0:
            return QModelIndex()
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        page = max(1, self.viewport().height() // layout.cell_height)
        moves = {
            CursorAction.MoveLeft: lambda: row - 1,
            CursorAction.MovePrevious: lambda: row - 1,
            CursorAction.MoveRight: lambda: row + 1,
            CursorAction.MoveNext: lambda: row + 1,
            CursorAction.MoveUp: lambda: layout.row_above_or_below(row, -1),
            CursorAction.MoveDown: lambda: layout.row_above_or_below(row, 1),
            CursorAction.MovePageUp: lambda: layout.row_above_or_below(row, -page),
            CursorAction.MovePageDown: lambda: layout.row_above_or_below(row, page),
            CursorAction.MoveHome: lambda: 0,
            CursorAction.MoveEnd: lambda: layout.rows - 1,
        }
        if not current.isValid():
            return model.index(0, 0)
        move = moves.get(action)
        return model.index(min(max(0, move()), layout.rows - 1), 0) if move else current

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:
        """From where the press (or the anchor) was to where the pointer (or the cursor) is, in
        reading order: a shift-click or a drag selects every photo in between, across days."""
        model, layout, offset = self.model(), self.timeline_layout(), self.verticalOffset() - MARGIN
        if model is None or layout.rows == 0:
            return
        start, end = rect.topLeft(), rect.bottomRight()  # not normalised: press, then pointer
        first = layout.nearest_row(start.x() - MARGIN, start.y() + offset)
        last = layout.nearest_row(end.x() - MARGIN, end.y() + offset)
        if first is None or last is None:
            return
        low, high = min(first, last), max(first, last)
        self.selectionModel().select(QItemSelection(model.index(low, 0), model.index(high, 0)), command)

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:
        return QRegion(self.viewport().rect())  # repainting what shows costs the visible cells only

    # --- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        model, layout = self.model(), self.timeline_layout()
        if model is None:
            return
        painter = QPainter(self.viewport())
        area = event.rect()
        top = area.top() + self.verticalOffset() - MARGIN
        bottom = area.bottom() + self.verticalOffset() - MARGIN
        self._paint_headers(painter, layout, top, bottom)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        selection, delegate = self.selectionModel(), self.itemDelegate()
        current = self.currentIndex()
        for row in layout.rows_between(top, bottom):
            index = model.index(row, 0)
            option.rect = self.visualRect(index)  # type: ignore[attr-defined]
            state = QStyle.StateFlag.State_Enabled
            if selection is not None and selection.isSelected(index):
                state |= QStyle.StateFlag.State_Selected
            if index == current and self.hasFocus():
                state |= QStyle.StateFlag.State_HasFocus
            option.state = state  # type: ignore[attr-defined]
            delegate.paint(painter, option, index)
        painter.end()

    def _paint_headers(self, painter: QPainter, layout: TimelineLayout, top: int, bottom: int) -> None:
        headers = layout.headers_between(top, bottom)
        if not headers:
            return
        painter.save()
        width = self.viewport().width() - 2 * MARGIN
        counts = layout.counts
        for group, y, key in headers:
            box = QRect(MARGIN + 2, MARGIN + y - self.verticalOffset() + 4, width - 4, layout.header - 8)
            painter.setFont(self.header_font)
            painter.setPen(self.palette().text().color())
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, day_title(key))
            painter.setFont(self.font())
            painter.setPen(self.palette().placeholderText().color())
            count = int(counts[group])
            said = f"{count:,} photo{'s' if count != 1 else ''}"
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, said)
        painter.restore()

    def header_texts(self) -> list[str]:
        """Every group's title, in order (for tests and the scrubber's labels)."""
        layout = self.timeline_layout()
        return [day_title(int(k)) for k in layout.keys] if layout.grouped else []
