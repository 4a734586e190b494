"""The date scrubber along the gallery's right edge: the years (and a tick per month) placed
where their photos are in the timeline; the pointer over it names the month, a click or a drag
goes there. Shown while the gallery is a timeline taller than its window."""

from __future__ import annotations

import bisect
import calendar

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

Month = tuple[int, int, int]  # content height where it begins, year, month


class DateScrubber(QWidget):
    scrolled = Signal(int)  # the content height to bring to the top

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.months: list[Month] = []
        self.content_height = 0
        self.position = 0  # the content height at the top of the window
        self.pointer: int | None = None  # the pointer's height over the scrubber

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(" Sep 8888 ") + 8, 200)

    def show_months(self, months: list[Month], content_height: int) -> None:
        self.months, self.content_height = months, max(1, content_height)
        self.update()

    def show_position(self, top: int) -> None:
        self.position = top
        self.update()

    def _y(self, content: int) -> int:
        return round(content / self.content_height * (self.height() - 1))

    def month_at(self, y: int) -> Month | None:
        """The month whose photos are at this height of the scrubber (the last one begun)."""
        if not self.months:
            return None
        content = y / max(1, self.height() - 1) * self.content_height
        at = bisect.bisect_right([m[0] for m in self.months], content) - 1
        return self.months[max(0, at)]

    def label_at(self, y: int) -> str:
        month = self.month_at(y)
        return f"{calendar.month_abbr[month[2]]} {month[1]}" if month else ""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._go(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.pointer = round(event.position().y())
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go(event)
        self.update()

    def leaveEvent(self, event: object) -> None:
        self.pointer = None
        self.update()

    def _go(self, event: QMouseEvent) -> None:
        month = self.month_at(round(event.position().y()))
        if month is not None:
            self.scrolled.emit(month[0])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        metrics = self.fontMetrics()
        width = self.width()
        painter.setPen(palette.placeholderText().color())
        last_label, last_year = -metrics.height(), None
        for content, year, _month in self.months:
            y = self._y(content)
            painter.drawLine(width - 6, y, width - 2, y)  # a tick per month
            if year != last_year and y - last_label >= metrics.height():  # a year begins (newest first)
                painter.drawText(QRect(0, y, width - 8, metrics.height()), Qt.AlignmentFlag.AlignRight, str(year))
                last_label = y
            last_year = year
        here = self._y(self.position)
        painter.setPen(palette.highlight().color())
        painter.drawLine(0, here, width, here)
        if self.pointer is not None and self.months:
            self._paint_bubble(painter, self.pointer, self.label_at(self.pointer))
        painter.end()

    def _paint_bubble(self, painter: QPainter, y: int, text: str) -> None:
        metrics = self.fontMetrics()
        box = QRect(0, max(0, y - metrics.height()), self.width(), metrics.height() + 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 190))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
