"""A strictness slider that reports once it settles (dragged, clicked or stepped), as a value
from 0 (loose) to 1 (strict), between two small labels; the Duplicates view and the
clusters' sliders share it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

STEPS = 100
SETTLE_MS = 300


class SettlingSlider(QWidget):
    settled = Signal(float)  # 0 (loose) .. 1 (strict), once the slider stops moving

    def __init__(self, loose: str, strict: str, tooltip: str, width: int = 140, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.slider.setValue(STEPS // 2)
        self.slider.setPageStep(STEPS // 10)
        self.slider.setFixedWidth(width)
        self.slider.setToolTip(tooltip)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(lambda: self.settled.emit(self.value()))
        self.slider.valueChanged.connect(lambda _value: self._settle.start())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(loose))
        layout.addWidget(self.slider)
        layout.addWidget(QLabel(strict))

    def value(self) -> float:
        return self.slider.value() / STEPS

    def setValue(self, value: int) -> None:  # noqa: N802 (QSlider's name: callers step it like one)
        self.slider.setValue(value)

    def show_value(self, value: float) -> None:
        """Move the handle without reporting (another slider, or a remembered setting, moved)."""
        self.slider.blockSignals(True)
        self.slider.setValue(round(min(max(value, 0.0), 1.0) * STEPS))
        self.slider.blockSignals(False)
