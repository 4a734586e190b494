"""A card in a grid: a picture filling a frame (cropping the overflow, like an album's cover),
a title beneath (bold; italic and grey when it is only a placeholder) and a line of detail.
The Clusters view and the People view draw their cards with it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

DetailRole = Qt.ItemDataRole.UserRole + 20  # the line under the title ("12 photos")
PlaceholderRole = Qt.ItemDataRole.UserRole + 21  # True: the title is a placeholder ("Unnamed")


def paint_cell_background(painter: QPainter, option: QStyleOptionViewItem) -> tuple[QRect, QPalette, bool]:
    """A cell's rectangle, palette and selection (the highlight painted when selected): what
    every painting delegate starts with. The stubs lack QStyleOptionViewItem's fields."""
    rect = option.rect  # type: ignore[attr-defined]
    palette = option.palette  # type: ignore[attr-defined]
    selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
    if selected:
        painter.fillRect(rect, palette.highlight())
    return rect, palette, selected


class CardDelegate(QStyledItemDelegate):
    def __init__(self, picture: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picture = picture

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self.picture.width() + 16, self.picture.height() + 48)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """An editable title is typed where it is drawn, under the picture."""
        rect = option.rect  # type: ignore[attr-defined]
        editor.setGeometry(QRect(rect.x() + 6, rect.y() + self.picture.height() + 12, rect.width() - 12, 22))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect, palette, selected = paint_cell_background(painter, option)
        frame = QRect(rect.x() + 8, rect.y() + 8, self.picture.width(), self.picture.height())
        painter.fillRect(frame, QColor(128, 128, 128, 40))
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None:
            scaled = pixmap.scaled(
                frame.size(), Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
            )
            source = QRect(0, 0, frame.width(), frame.height())
            source.moveCenter(scaled.rect().center())
            painter.drawPixmap(frame, scaled, source)
        text = palette.highlightedText().color() if selected else palette.text().color()
        placeholder = bool(index.data(PlaceholderRole))
        painter.setPen(QColor(text.red(), text.green(), text.blue(), 140) if placeholder else text)
        title_rect = QRect(rect.x() + 8, frame.bottom() + 6, rect.width() - 16, 18)
        font = QFont(painter.font())
        font.setBold(not placeholder)
        font.setItalic(placeholder)
        painter.setFont(font)
        title = str(index.data(Qt.ItemDataRole.DisplayRole))
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft,
            painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        painter.setFont(option.font)  # type: ignore[attr-defined]
        painter.setPen(text)
        painter.drawText(title_rect.translated(0, 18), Qt.AlignmentFlag.AlignLeft, str(index.data(DetailRole) or ""))
        painter.restore()
