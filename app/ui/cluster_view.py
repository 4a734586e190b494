"""The Clusters view: every group the library formed on its own as a card (a cover photo, its
name and size); opening a card shows its photos in the gallery."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import QListView, QStyleOptionViewItem, QWidget

from app.controller.browse_state import ClusterCard
from app.ui.card_delegate import CardDelegate, DetailRole
from app.ui.gallery import ThumbnailListModel, icon_grid_view
from app.ui.thumbnails import ThumbnailCache

ClusterKeyRole = Qt.ItemDataRole.UserRole + 1
SizeRole = Qt.ItemDataRole.UserRole + 2


TOPICS = " — "  # an event's name: its dates, then what its photos show
CLUSTER_HINT = "open to see them; rename from the side panel"
EVENT_HINT = "open to see them and search within them"


class ClusterModel(ThumbnailListModel):
    """Cards of groups (clusters, or events): a cover, a name and a size each."""

    thumbnail_attribute = "cover_id"

    def __init__(
        self, cache: ThumbnailCache, parent: QObject | None = None, hint: str = CLUSTER_HINT, topics_below: bool = False
    ) -> None:
        super().__init__(cache, parent)
        self._hint = hint
        self._topics_below = topics_below  # events: "date — topics" shows the topics under the date

    def set_cards(self, cards: list[ClusterCard]) -> None:
        self._set_rows(cards)

    def card(self, row: int) -> ClusterCard | None:
        return self._row(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        card = self.card(index.row()) if index.isValid() else None
        if card is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return card.name.split(TOPICS, 1)[0] if self._topics_below else card.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{card.name}: {card.size} photos ({self._hint})"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._cache.get(card.cover_id, card.cover) if card.cover_id is not None and card.cover else None
        if role == ClusterKeyRole:
            return card.key
        if role == SizeRole:
            return card.size
        if role == DetailRole:
            topics = card.name.split(TOPICS, 1)[1] if self._topics_below and TOPICS in card.name else ""
            return f"{card.size} photos · {topics}" if topics else f"{card.size} photos"
        return None


def make_cluster_view(model: ClusterModel, parent: QWidget | None = None) -> QListView:
    view = icon_grid_view(parent)
    view.setSpacing(6)
    view.setModel(model)
    delegate = CardDelegate(QSize(200, 150), view)
    view.setItemDelegate(delegate)
    view.setGridSize(delegate.sizeHint(QStyleOptionViewItem(), QModelIndex()) + QSize(8, 8))
    return view
