"""The People tab: a card per person (a face, the name or "Unnamed", how many photos), named
people first, then unnamed ones by size. Type a name (double-click the name or "Name…"), drag a
card onto another to merge them (or select several and "Merge"), open a person to check their
faces and say "Not this person" to a wrong one; Enter or "Show photos" shows their photos. A
hidden person comes back through "Show hidden people" and their card's "Show in People"."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QListView,
    QMenu,
    QSplitter,
    QStackedWidget,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.controller.cards import FaceCard, PersonCard
from app.ui.card_delegate import CardDelegate, DetailRole, PlaceholderRole
from app.ui.gallery import ThumbnailListModel, icon_grid_view
from app.ui.thumbnails import ThumbnailCache

PersonIdRole = Qt.ItemDataRole.UserRole + 1
PERSON_MIME = "application/x-photo-organizer-person"
NO_PEOPLE = (
    "People appear here once faces are found in your photos (faces are looked for while indexing; "
    "switch them on in Settings if they are off)."
)


class PeopleModel(ThumbnailListModel):
    """Rows are people; a card dropped on another asks to merge them."""

    thumbnail_attribute = "cover_region"

    merge_dropped = Signal(int, int)  # keep (the card dropped on), other (the card dragged)
    name_typed = Signal(int, str)  # a name typed on a card

    def set_cards(self, cards: list[PersonCard]) -> None:
        self._set_rows(cards)

    def card(self, row: int) -> PersonCard | None:
        return self._row(row)

    def row_of(self, person_id: int) -> int | None:
        return next((row for row, card in enumerate(self._rows) if card.id == person_id), None)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        card = self.card(index.row()) if index.isValid() else None
        if card is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return card.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{card.title}: {card.faces} faces in {card.photos} photos. Drag onto another person to merge."
        if role == Qt.ItemDataRole.DecorationRole:
            if card.cover_thumbnail is None:
                return None
            return self._cache.get(card.cover_region, card.cover_thumbnail, card.cover_bbox)
        if role == PersonIdRole:
            return card.id
        if role == DetailRole:
            return f"{card.photos} photo{'s' if card.photos != 1 else ''}"
        if role == PlaceholderRole:
            return card.name is None
        if role == Qt.ItemDataRole.EditRole:
            return card.name or ""
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        card = self.card(index.row()) if index.isValid() else None
        name = " ".join(str(value or "").split())
        if card is None or role != Qt.ItemDataRole.EditRole or not name or name == card.name:
            return False
        self.name_typed.emit(card.id, name)  # saved off the GUI thread; the cards reload then
        return False

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid():
            flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemIsEditable
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [PERSON_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        ids = [card.id for card in (self.card(i.row()) for i in indexes) if card is not None]
        data.setData(PERSON_MIME, QByteArray(json.dumps(ids).encode()))
        return data

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        target = self.card(parent.row()) if parent.isValid() else None
        if target is None or not data.hasFormat(PERSON_MIME):
            return False
        for other in json.loads(bytes(data.data(PERSON_MIME).data()).decode() or "[]"):
            if other != target.id:
                self.merge_dropped.emit(target.id, int(other))
        return False  # nothing moves in the model: the merge refreshes it


class FacesModel(ThumbnailListModel):
    """The faces of the opened person."""

    thumbnail_attribute = "region_id"

    def set_faces(self, faces: list[FaceCard]) -> None:
        self._set_rows(faces)

    def face(self, row: int) -> FaceCard | None:
        return self._row(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        face = self.face(index.row()) if index.isValid() else None
        if face is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if face.confirmed else "?"
        if role == Qt.ItemDataRole.ToolTipRole:
            state = "confirmed" if face.confirmed else "suggested"
            return f"{face.path}\\n{state}; right-click: Not this person"
        if role == Qt.ItemDataRole.DecorationRole:
            if face.thumbnail is None:
                return None
            pixmap = self._cache.get(face.region_id, face.thumbnail, face.bbox)
            return QIcon(pixmap) if pixmap is not None else None  # an icon: drawn at the view's icon size
        return None


class PeoplePanel(QStackedWidget):
    name_requested = Signal(int)
    name_typed = Signal(int, str)
    merge_requested = Signal(int, int)  # keep, other
    photos_requested = Signal(int)
    faces_requested = Signal(int)
    hide_requested = Signal(int)
    unhide_requested = Signal(int)
    show_hidden_toggled = Signal(bool)  # hidden people among the cards (marked), or not
    confirm_requested = Signal(int)  # every suggested face of this person is theirs
    not_this_person = Signal(int)  # a face's region id

    def __init__(self, cards_cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PeopleModel(cards_cache, self)
        self.model.merge_dropped.connect(self.merge_requested)
        self.view = icon_grid_view(self)
        self.view.setSpacing(6)
        self.view.setModel(self.model)
        delegate = CardDelegate(QSize(128, 128), self.view)
        self.view.setItemDelegate(delegate)
        self.view.setGridSize(delegate.sizeHint(QStyleOptionViewItem(), QModelIndex()) + QSize(8, 8))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Type a name on a card: click a selected card's name, or F2 (as in a file manager).
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.SelectedClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.model.name_typed.connect(self.name_typed)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_card_menu)
        self.view.activated.connect(lambda index: self.photos_requested.emit(index.data(PersonIdRole)))
        self.view.clicked.connect(lambda index: self.faces_requested.emit(index.data(PersonIdRole)))
        self.faces_model = FacesModel(cards_cache, self)
        self.faces_view = QListView()
        self.faces_view.setViewMode(QListView.ViewMode.IconMode)
        self.faces_view.setMovement(QListView.Movement.Static)
        self.faces_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.faces_view.setIconSize(QSize(72, 72))
        self.faces_view.setGridSize(QSize(84, 96))
        self.faces_view.setModel(self.faces_model)
        self.faces_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.faces_view.customContextMenuRequested.connect(self._on_face_menu)
        self.faces_title = QLabel("Click a person to check their faces; right-click a wrong one.")
        faces_box = QWidget()
        faces_layout = QVBoxLayout(faces_box)
        faces_layout.setContentsMargins(0, 0, 0, 0)
        faces_layout.addWidget(self.faces_title)
        faces_layout.addWidget(self.faces_view, 1)
        self.show_hidden = QCheckBox("Show hidden people")
        self.show_hidden.setToolTip("Hidden people among the cards, marked; right-click one: Show in People")
        self.show_hidden.toggled.connect(self.show_hidden_toggled)
        cards_box = QWidget()
        cards_layout = QVBoxLayout(cards_box)
        cards_layout.setContentsMargins(0, 0, 0, 0)
        cards_layout.addWidget(self.show_hidden)
        cards_layout.addWidget(self.view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(cards_box)
        split.addWidget(faces_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.message = QLabel(NO_PEOPLE, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.addWidget(self.message)  # 0
        self.addWidget(split)  # 1

    def show_cards(self, cards: list[PersonCard], hidden: int = 0) -> None:
        """The cards, and how many people are hidden (the box to show them is there only then)."""
        self.show_hidden.setText(f"Show hidden people ({hidden})")
        self.show_hidden.setVisible(hidden > 0 or self.show_hidden.isChecked())
        selected = set(self.selected_ids())
        self.model.set_cards(cards)
        for person_id in selected:
            row = self.model.row_of(person_id)
            if row is not None:
                self.view.selectionModel().select(
                    self.model.index(row), self.view.selectionModel().SelectionFlag.Select
                )
        self.setCurrentIndex(1 if cards or hidden else 0)

    def show_faces(self, person_id: int | None, faces: list[FaceCard]) -> None:
        self.faces_model.set_faces(faces)
        row = self.model.row_of(person_id) if person_id is not None else None
        card = self.model.card(row) if row is not None else None
        if card is None:
            self.faces_title.setText("Click a person to check their faces; right-click a wrong one.")
        else:
            unconfirmed = sum(not f.confirmed for f in faces)
            hint = f" ({unconfirmed} suggested, marked ?)" if unconfirmed else ""
            self.faces_title.setText(
                f"{card.title}: {len(faces)} faces{hint}. Right-click a wrong one: Not this person."
            )

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [card.id for card in (self.model.card(r) for r in rows) if card is not None]

    def card_menu(self, person_id: int) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Name…", lambda: self.name_requested.emit(person_id))
        menu.addAction("Show photos", lambda: self.photos_requested.emit(person_id))
        menu.addAction("Check faces", lambda: self.faces_requested.emit(person_id))
        menu.addAction("Confirm all suggested faces", lambda: self.confirm_requested.emit(person_id))
        others = [other for other in self.selected_ids() if other != person_id]

        def merge_selected() -> None:
            for other in others:
                self.merge_requested.emit(person_id, other)

        label = f"Merge {len(others)} selected into this person" if others else "Merge (select the others too)"
        merge = menu.addAction(label, merge_selected)
        merge.setEnabled(bool(others))
        menu.addSeparator()
        row = self.model.row_of(person_id)
        card = self.model.card(row) if row is not None else None
        if card is not None and card.hidden:
            menu.addAction("Show in People", lambda: self.unhide_requested.emit(person_id))
        else:
            menu.addAction("Hide", lambda: self.hide_requested.emit(person_id))
        return menu

    def face_menu(self, region_id: int) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Not this person", lambda: self.not_this_person.emit(region_id))
        return menu

    def _on_card_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.card_menu(index.data(PersonIdRole)).popup(self.view.viewport().mapToGlobal(pos))

    def _on_face_menu(self, pos: QPoint) -> None:
        face = self.faces_model.face(self.faces_view.indexAt(pos).row())
        if face is not None:
            self.face_menu(face.region_id).popup(self.faces_view.viewport().mapToGlobal(pos))
