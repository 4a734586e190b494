"""First-use model download: a progress dialog fed from the indexing thread, with Cancel."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core.errors import CancelledError

if TYPE_CHECKING:
    from app.library import Library


class DownloadWatcher(QObject):
    """Hands a library a download callback and shows what it reports; Cancel stops the download."""

    progressed = Signal(int, int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._cancel = threading.Event()
        self.dialog: QProgressDialog | None = None
        self.seen: list[tuple[int, int]] = []  # what was shown (for the status line and tests)
        self.progressed.connect(self._show)

    def attach(self, library: Library) -> Library:
        library.on_download = self._report
        return library

    def _report(self, done: int, total: int) -> None:  # on the indexing thread
        if self._cancel.is_set():
            raise CancelledError("the model download was cancelled")
        self.progressed.emit(done, total)

    def _show(self, done: int, total: int) -> None:
        self.seen.append((done, total))
        if self.dialog is None:
            self.dialog = QProgressDialog("Downloading model weights (first use only)…", "Cancel", 0, 0, self._parent)
            self.dialog.setWindowTitle("Photo Organizer")
            self.dialog.setWindowModality(Qt.WindowModality.NonModal)  # the app stays usable
            self.dialog.setMinimumDuration(0)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self._cancel.set)
            self.dialog.show()
        megabytes, total_mb = done // 1_000_000, total // 1_000_000
        self.dialog.setMaximum(max(1, total_mb) if total else 0)
        self.dialog.setValue(min(megabytes, total_mb) if total else 0)
        amount = f"{megabytes} of {total_mb} MB" if total else f"{megabytes} MB"
        self.dialog.setLabelText(f"Downloading model weights (first use only; cached afterwards)\n{amount}")
        if total and done >= total:
            self.finish()

    def finish(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self._cancel.clear()
