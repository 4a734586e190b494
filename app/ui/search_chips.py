"""What the search understood in its words, as chips beside the search box: "📅 July 2023 ✕",
"📍 Lisbon ✕", "👤 Anna ✕". A click on one drops it (its words leave the search) and searches
again; a search understood as nothing shows none."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

ICONS = {"date": "📅", "place": "📍", "person": "👤", "album": "🗂", "tag": "#"}


class SearchChips(QWidget):
    dropped = Signal(str)  # the search's text without the chip's words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.buttons: list[QToolButton] = []
        self.hide()

    def show_chips(self, chips: list[tuple[str, str, str]]) -> None:
        """(kind, what it means, the text without it) for each thing understood."""
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for kind, label, without in chips:
            button = QToolButton()
            button.setText(f"{ICONS.get(kind, '')} {label} ✕")
            button.setToolTip(
                f"Understood as {'a ' + kind if kind != 'person' else 'a person'}: click to search without it"
            )
            button.setAutoRaise(True)
            button.clicked.connect(lambda _checked=False, text=without: self.dropped.emit(text))
            self._layout.addWidget(button)
            self.buttons.append(button)
        self.setVisible(bool(chips))

    def labels(self) -> list[str]:
        return [b.text() for b in self.buttons]
