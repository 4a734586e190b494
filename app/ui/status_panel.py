"""The status bar: what is happening (indexing with count, rate, time left and the device),
Pause and Cancel, "N files skipped", notices (objects or text off) and a read-only badge."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar


class StatusPanel(QObject):
    pause_toggled = Signal(bool)
    cancel_requested = Signal()
    skipped_requested = Signal()
    notices_requested = Signal()

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.label = QLabel("Opening library…")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.skipped_button = QPushButton()
        self.skipped_button.setFlat(True)
        self.skipped_button.clicked.connect(self.skipped_requested)
        self.notice_button = QPushButton()  # e.g. detector weights missing
        self.notice_button.setFlat(True)
        self.notice_button.clicked.connect(self.notices_requested)
        self.read_only_label = QLabel()  # a library on read-only media or someone else's folder
        self.read_only_label.setObjectName("readOnly")
        self.notices: list[str] = []
        bar.addWidget(self.label, 1)
        for widget in (
            self.read_only_label,
            self.notice_button,
            self.skipped_button,
            self.progress,
            self.pause_button,
            self.cancel_button,
        ):
            widget.setVisible(False)
            bar.addPermanentWidget(widget)

    def say(self, text: str) -> None:
        self.label.setText(text)

    def work_started(self, message: str, pausable: bool) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.pause_button.setVisible(pausable)
        self.say(message)

    def work_progressed(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)
        self.say(text)

    def work_ended(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.pause_button.setChecked(False)
        self.pause_button.setVisible(False)

    def set_skipped(self, count: int) -> None:
        self.skipped_button.setText(f"{count} files skipped")
        self.skipped_button.setVisible(count > 0)

    def set_notices(self, notices: list[str]) -> None:
        """Things the person should know but that stopped nothing (a model part unavailable)."""
        self.notices = list(notices)
        self.notice_button.setText("⚠ Objects or text off" if notices else "")
        self.notice_button.setToolTip("\n\n".join(notices))
        self.notice_button.setVisible(bool(notices))

    def set_read_only(self) -> None:
        self.read_only_label.setText("Read-only library: search and browse; nothing can be added or changed")
        self.read_only_label.setVisible(True)

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_toggled.emit(paused)
