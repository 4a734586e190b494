"""The Clusters view: every group the library formed on its own as a card (a cover photo, its
name and size); opening a card shows its photos in the gallery."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.controller.browse_state import ClusterCard
from app.ui.gallery import ThumbnailListModel, icon_grid_view

ClusterKeyRole = Qt.ItemDataRole.UserRole + 1
SizeRole = Qt.ItemDataRole.UserRole + 2


class ClusterModel(ThumbnailListModel):
    def set_cards(self, cards: list[ClusterCard]) -> None:
        self._set_rows(cards)

    def card(self, row: int) -> ClusterCard | None:
        return self._row(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        card = self.card(index.row()) if index.isValid() else None
        if card is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return card.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{card.name}: {card.size} photos (open to see them; rename from the side panel)"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._cache.get(card.cover_id, card.cover) if card.cover_id is not None and card.cover else None
        if role == ClusterKeyRole:
            return card.key
        if role == SizeRole:
            return card.size
        return None

    def rows_showing(self, image_id: int) -> list[int]:
        return [row for row, card in enumerate(self._rows) if card.cover_id == image_id]


class ClusterDelegate(QStyledItemDelegate):
    """A cover photo filling the card, the name and the count beneath."""

    COVER = QSize(200, 150)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self.COVER.width() + 16, self.COVER.height() + 48)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect = option.rect  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        if selected:
            painter.fillRect(rect, palette.highlight())
        frame = QRect(rect.x() + 8, rect.y() + 8, self.COVER.width(), self.COVER.height())
        painter.fillRect(frame, QColor(128, 128, 128, 40))
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None:
            # Fill the frame (cropping the overflow), like a photo album's cover.
            scaled = pixmap.scaled(
                frame.size(), Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
            )
            source = QRect(0, 0, frame.width(), frame.height())
            source.moveCenter(scaled.rect().center())
            painter.drawPixmap(frame, scaled, source)
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        name_rect = QRect(rect.x() + 8, frame.bottom() + 6, rect.width() - 16, 18)
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        name = str(index.data(Qt.ItemDataRole.DisplayRole))
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft,
            painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width()),
        )
        painter.setFont(option.font)  # type: ignore[attr-defined]
        painter.drawText(name_rect.translated(0, 18), Qt.AlignmentFlag.AlignLeft, f"{index.data(SizeRole)} photos")
        painter.restore()


def make_cluster_view(model: ClusterModel, parent: QWidget | None = None) -> QListView:
    view = icon_grid_view(parent)
    view.setSpacing(6)
    view.setModel(model)
    delegate = ClusterDelegate(view)
    view.setItemDelegate(delegate)
    view.setGridSize(delegate.sizeHint(QStyleOptionViewItem(), QModelIndex()) + QSize(8, 8))
    return view
