"""The Duplicates view (Ctrl+5): the groups on the left (tier, size, why), the current group's
photos side by side on the right with the one to keep marked, a tier filter and a strictness
slider. Keyboard review: ↑/↓ (or J/K) move between groups, ←/→ choose which photo to keep,
Delete moves the others to the Trash (after a confirmation listing them), R removes them from
the library (their files stay), N says the group is not duplicates (it is not shown again)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.controller.cards import DuplicateCard
from app.core.paths import display_path
from app.ui.settling_slider import SettlingSlider
from app.ui.thumbnails import ThumbnailCache

PathRole = Qt.ItemDataRole.UserRole
TIERS = [("All duplicates", None), ("Exact copies", "exact"), ("Same photo", "same"), ("Bursts", "burst")]
KEEP_MARK = "★ Keep · "


class DuplicatesPanel(QWidget):
    group_chosen = Signal(int)
    keep_chosen = Signal(str)  # a member's path
    keep_stepped = Signal(int)  # -1 / +1
    group_stepped = Signal(int)
    tier_chosen = Signal(object)  # str or None
    strictness_changed = Signal(float)
    trash_requested = Signal()
    remove_requested = Signal()
    dismiss_requested = Signal()  # "Not duplicates"

    def __init__(self, cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.cards: list[DuplicateCard] = []
        self.current = 0
        self.tier = QComboBox()
        for text, tier in TIERS:
            self.tier.addItem(text, tier)
        self.tier.currentIndexChanged.connect(lambda i: self.tier_chosen.emit(self.tier.itemData(i)))
        self.strictness = SettlingSlider(
            "loose", "strict", "Loose: more near-identical shots grouped · Strict: only clear duplicates"
        )
        self.strictness.settled.connect(self.strictness_changed)
        self.count = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.tier)
        bar.addWidget(self.strictness)
        bar.addStretch(1)
        bar.addWidget(self.count)

        self.groups = QListWidget()
        self.groups.setObjectName("duplicate-groups")
        self.groups.currentRowChanged.connect(self._on_group_row)
        self.members = QListWidget()
        self.members.setObjectName("duplicate-members")
        self.members.setViewMode(QListView.ViewMode.IconMode)
        self.members.setIconSize(QSize(220, 220))
        self.members.setGridSize(QSize(250, 300))
        self.members.setResizeMode(QListView.ResizeMode.Adjust)
        self.members.setMovement(QListView.Movement.Static)
        self.members.setWordWrap(True)
        self.members.itemDoubleClicked.connect(lambda item: self.keep_chosen.emit(item.data(PathRole)))
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.trash = QPushButton("Move the others to the Trash…")
        self.trash.clicked.connect(self.trash_requested)
        self.remove = QPushButton("Remove the others from the library")
        self.remove.clicked.connect(self.remove_requested)
        keep = QPushButton("Keep this one")
        keep.clicked.connect(self._keep_selected)
        self.dismiss = QPushButton("Not duplicates")
        self.dismiss.clicked.connect(self.dismiss_requested)
        actions = QHBoxLayout()
        actions.addWidget(keep)
        actions.addWidget(self.dismiss)
        actions.addStretch(1)
        actions.addWidget(self.remove)
        actions.addWidget(self.trash)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.why)
        right_layout.addWidget(self.members, 1)
        right_layout.addLayout(actions)
        right_layout.addWidget(
            QLabel(
                "↑↓ groups · ←→ which to keep · Delete: the others to the Trash · R: out of the library · N: not duplicates"
            )
        )
        split = QSplitter()
        split.addWidget(self.groups)
        split.addWidget(right)
        split.setSizes([260, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        # The panel takes the review keys; the lists are clicked, not typed into.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for child in (
            self.groups,
            self.members,
            self.tier,
            self.strictness.slider,
            keep,
            self.dismiss,
            self.trash,
            self.remove,
        ):
            child.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cache.thumbnail_ready.connect(self._on_thumbnail)
        self.show_cards([], 0)

    def show_computing(self) -> None:
        self.count.setText("Looking for duplicates…")

    def show_cards(self, cards: list[DuplicateCard], current: int) -> None:
        self.cards, self.current = cards, current
        self.groups.blockSignals(True)
        self.groups.clear()
        for card in cards:
            kept = next((m for m in card.members if m.kept), None)
            name = display_path(kept.path).rsplit("/", 1)[-1] if kept is not None else ""
            self.groups.addItem(QListWidgetItem(f"{card.title}\n{name}"))
        if cards:
            self.groups.setCurrentRow(current)
        self.groups.blockSignals(False)
        files = sum(len(c.others) for c in cards)
        self.count.setText(
            f"{len(cards)} groups · {files} photos could go" if cards else "No duplicates found: nothing to clean up"
        )
        self._show_members()

    def _show_members(self) -> None:
        self.members.clear()
        card = self.cards[self.current] if self.cards else None
        self.trash.setEnabled(card is not None)
        self.remove.setEnabled(card is not None)
        self.dismiss.setEnabled(card is not None)
        self.why.setText(f"Keep: {card.why}" if card is not None else "")
        for member in card.members if card is not None else ():
            mark = KEEP_MARK if member.kept else ""
            item = QListWidgetItem(f"{mark}{display_path(member.path)}\n{member.details}")
            item.setData(PathRole, member.path)
            item.setToolTip(display_path(member.path))
            pixmap = self._pixmap(member.image_id, member.thumbnail)
            if pixmap is not None:
                item.setIcon(QIcon(pixmap))
            self.members.addItem(item)
            if member.kept:
                self.members.setCurrentItem(item)

    def _pixmap(self, image_id: int, thumbnail: str | None) -> QPixmap | None:
        return self.cache.get(image_id, thumbnail) if thumbnail else None

    def _on_thumbnail(self, image_id: int) -> None:
        card = self.cards[self.current] if self.cards else None
        if card is not None and any(m.image_id == image_id for m in card.members):
            self._show_members()

    def _on_group_row(self, row: int) -> None:
        if row >= 0:
            self.group_chosen.emit(row)

    def _keep_selected(self) -> None:
        item = self.members.currentItem()
        if item is not None:
            self.keep_chosen.emit(item.data(PathRole))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_J):
            self.group_stepped.emit(1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_K):
            self.group_stepped.emit(-1)
        elif key == Qt.Key.Key_Right:
            self.keep_stepped.emit(1)
        elif key == Qt.Key.Key_Left:
            self.keep_stepped.emit(-1)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.trash_requested.emit()
        elif key == Qt.Key.Key_R:
            self.remove_requested.emit()
        elif key == Qt.Key.Key_N:
            self.dismiss_requested.emit()
        else:
            super().keyPressEvent(event)
