"""Indexing from the window: adding folders, progress with pause and cancel, the region pass,
missing model weights, and what was skipped. A mixin of `MainWindow`, split out to keep
modules small."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.core.errors import CancelledError, ModelUnavailableError
from app.core.paths import display_path
from app.indexing.report import time_left


class IndexingMixin:
    """Expects the attributes MainWindow sets up (library, tasks, status bar widgets, downloads…)."""

    # --- indexing -----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos")
        if folder:
            self.index_paths([Path(folder)])

    def index_paths(self, roots: list[Path]) -> None:
        if self.library is None:
            self._queued_roots += roots
            return
        if self.library.read_only:
            self.say_read_only("Photos cannot be added")
            return
        if self._stop_indexing is not None:
            self._queued_roots += roots
            # New photos go first: finding objects and text (slow) steps aside at its next
            # batch and continues after them.
            self._defer_regions.set()
            self.status_label.setText("Queued: the dropped folders are indexed next, then objects and text continue")
            return
        library = self.library
        self._last_roots = list(roots)
        stop = self._begin_background_work(f"Indexing {', '.join(str(r) for r in roots)} …", pausable=True)
        self._refresh_timer.start()
        self._run_index(library, roots, stop)

    def _run_index(self, library, roots: list[Path], stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
        defer = self._defer_regions
        self.tasks.run(
            lambda: library.index(
                roots, progress=self._relay.progressed.emit, should_stop=stop.is_set, pause=self._pause_indexing, defer_regions=defer.is_set
            ),
            self._on_indexed,
            self._on_index_error,
        )

    def _on_pause_toggled(self, paused: bool) -> None:
        if paused:
            self._pause_indexing.set()
            self.pause_button.setText("Resume")
            self.status_label.setText("Paused: Resume continues where it stopped")
        else:
            self._pause_indexing.clear()
            self.pause_button.setText("Pause")

    def _begin_background_work(self, message: str, pausable: bool) -> threading.Event:
        """Show progress, Cancel (and Pause) for a long library task; returns its stop flag."""
        stop = threading.Event()
        self._stop_indexing = stop
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.pause_button.setVisible(pausable)
        self.status_label.setText(message)
        return stop

    def cancel_indexing(self) -> None:
        self._pause_indexing.clear()
        if self._stop_indexing is not None:
            self._stop_indexing.set()
            self.status_label.setText("Stopping… (what is done is kept)")

    def _on_progress(self, p) -> None:  # type: ignore[no-untyped-def]
        if p.phase == "scanning":
            self.status_label.setText(f"Looking for photos… {p.done} found")
            return
        if p.phase == "regions":
            self.progress.setRange(0, max(1, p.total))
            self.progress.setValue(p.done)
            self.status_label.setText(f"Finding objects and text · {p.done:,} / {p.total:,} photos{_eta(p.eta_seconds)}")
            return
        self.progress.setRange(0, max(1, p.total))
        self.progress.setValue(p.done)
        device = self.library.embedder.device.upper() if self.library is not None and self.library.model_loaded else ""
        self.status_label.setText(f"Indexing {p.done:,} / {p.total:,} · {p.rate:.1f} img/s{_eta(p.eta_seconds)}  {device}")

    def _indexing_done(self) -> None:
        self.downloads.finish()
        self._stop_indexing = None
        self._defer_regions.clear()
        self._refresh_timer.stop()
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.pause_button.setChecked(False)
        self.pause_button.setVisible(False)
        self.refresh_gallery()
        self.refresh_clusters()
        self.refresh_folders()
        if self.map is not None:
            self.refresh_map()
        if self._queued_roots:
            roots, self._queued_roots = self._queued_roots, []
            self.index_paths(roots)

    def _on_indexed(self, report) -> None:  # type: ignore[no-untyped-def]
        verb = "Stopped" if report.cancelled else "Done"
        found = f" · {report.objects} objects, {report.texts} lines of text" if report.region_images else ""
        if report.regions_deferred:
            found += " · objects and text continue after the next folder"
        self.status_label.setText(
            f"{verb}: {report.new} new, {report.moved} moved, {report.removed} removed, {report.failed} skipped{found}"
        )
        self.set_notices(report.warnings)
        self._indexing_done()
        self.indexing_finished.emit(report)

    def _on_index_error(self, error: BaseException) -> None:
        self._indexing_done()
        if isinstance(error, ModelUnavailableError):
            self.show_model_missing(str(error))
        elif isinstance(error, CancelledError):
            self.status_label.setText("Download cancelled: indexing needs the search model; add the folder again to resume")
        else:
            self._on_error(error)
        self.indexing_finished.emit(None)

    def show_model_missing(self, message: str) -> QMessageBox:
        """Weights are missing and cannot be downloaded: offer a model folder instead."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Model weights needed", message, QMessageBox.StandardButton.Close, self)
        choose = box.addButton("Choose model folder…", QMessageBox.ButtonRole.ActionRole)

        def clicked(button) -> None:  # type: ignore[no-untyped-def]
            if button is choose:
                folder = QFileDialog.getExistingDirectory(self, "An open_clip model folder (open_clip_config.json + weights)")
                if folder:
                    self.use_model_folder(Path(folder))

        box.buttonClicked.connect(clicked)
        box.open()
        self.model_box = box
        return box

    def use_model_folder(self, folder: Path) -> None:
        """Use a local open_clip model folder, then index the folders that were waiting."""
        from app.ml.spec import LOCAL_DIR, ModelSpec

        spec = ModelSpec.parse(f"{LOCAL_DIR}{folder}")
        library = self.library
        if library is None:
            return
        if library.stored_model is not None:
            self.switch_model(spec, library.device)
            return
        roots, root = list(self._last_roots), library.root

        def reopen():  # type: ignore[no-untyped-def]
            from app.library import Library

            library.close()
            return self.downloads.attach(Library(root, model=spec, device=library.device))

        def reopened(new_library) -> None:  # type: ignore[no-untyped-def]
            self.library = new_library
            if roots:
                self.index_paths(roots)

        self.library = None
        self.tasks.run(reopen, reopened, self._on_error)

    def set_notices(self, notices: list[str]) -> None:
        """Things the person should know but that stopped nothing (a model part unavailable)."""
        self._notices = list(notices)
        self.notice_button.setText("⚠ Objects or text off" if notices else "")
        self.notice_button.setToolTip("\n\n".join(notices))
        self.notice_button.setVisible(bool(notices))

    def show_notices(self) -> QMessageBox:
        text = "\n\n".join(self._notices) + "\n\nTo stop looking for objects or text, switch them off in Settings (Ctrl+,)."
        box = QMessageBox(QMessageBox.Icon.Warning, "Part of indexing was skipped", text, parent=self)
        box.open()
        return box

    def find_regions(self) -> None:
        """Run only the region pass (after objects or text were switched on in the settings)."""
        if self.library is None:
            return
        if self._stop_indexing is not None:
            self.status_label.setText("Objects and text will be found after the current indexing")
            return
        stop = self._begin_background_work("Finding objects and text in your photos…", pausable=True)
        self._run_index(self.library, [], stop)

    def show_skipped(self) -> None:
        """The files that were skipped, with reasons (read from the catalog off the GUI thread)."""
        if self.library is None:
            return
        self.tasks.run(self.library.failures, self._show_skipped, self._on_error)

    def _show_skipped(self, failures: list[dict]) -> None:
        text = "\n".join(
            f"{display_path(f['path'])}: {f['error']}" + (" (could not be read just now; tried again next time)" if f["retry"] else "")
            for f in failures[:500]
        ) or "No files were skipped."
        box = QMessageBox(QMessageBox.Icon.Information, "Skipped files", f"{len(failures)} files could not be read.", parent=self)
        box.setDetailedText(text)
        box.open()
        self.skipped_shown.emit(box)


def _eta(seconds: float | None) -> str:
    return f" · {time_left(seconds)}" if seconds else ""
