"""Objects and text in the app: switching text on reads the photos already there, the result
carries the word's box, and a detector without weights says so without stopping anything."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.ml.detector import ObjectDetector
from tests.helpers.detector import ColourBlockDetector, coco_categories
from tests.helpers.images import photo, save_jpeg, word_photo
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop


@pytest.fixture
def window(qtbot, library_dir, monkeypatch):  # type: ignore[no-untyped-def]
    # Registered with monkeypatch so the settings dialog's changes are undone after the test.
    monkeypatch.setenv("PHOTO_ORGANIZER_OCR", "0")
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECT", "0")
    win = open_window(qtbot, library_dir)
    yield win
    win.close()


def test_switching_text_on_reads_the_photos_already_indexed(qtbot, window, tmp_path: Path):
    folder = tmp_path / "street"
    sign, box = word_photo("BAKERY", 3, (800, 600))
    save_jpeg(folder / "shop.jpg", sign)
    save_jpeg(folder / "plain.jpg", photo(9, (800, 600)))
    with qtbot.waitSignal(window.indexing_finished, timeout=60000) as first:
        _drop(window, [folder])
    assert first.args[0].region_images == 0

    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    assert not dialog.read_text.isChecked() and not dialog.detect_objects.isChecked()
    dialog.read_text.setChecked(True)
    phases: list[str] = []
    window._relay.progressed.connect(lambda p: phases.append(p.phase))
    with qtbot.waitSignal(window.indexing_finished, timeout=120000) as finished:
        dialog.accept()
    report = finished.args[0]
    assert report.region_images == 2 and report.texts >= 1
    assert "regions" in phases and "lines of text" in window.status_label.text()
    assert QSettings().value("regions/text", type=bool) is True
    assert os.environ["PHOTO_ORGANIZER_OCR"] == "0", "the choice reaches the library as settings, not the environment"

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("bakery")
        window.search_bar.request_search()
    top = window.model.item(0)
    assert top.path.endswith("shop.jpg") and top.why.startswith("ocr")
    assert top.box is not None and top.box[0] < box[2] and box[0] < top.box[2]  # the word's box is drawn


def test_missing_detector_weights_show_a_notice_and_indexing_finishes(qtbot, window, tmp_path: Path, monkeypatch):
    window.controller.use_settings(replace(window.library.settings, detect_objects=True))  # as Settings does
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
        _drop(window, [tmp_path / "p"])
    assert finished.args[0].embedded == 1
    assert window.status.notice_button.isVisible()
    box = window.show_notices()
    qtbot.addWidget(box)
    assert "object detection is off" in box.text() and "Settings" in box.text()


def test_first_use_download_shows_progress_then_indexes(qtbot, library_dir, hub, tmp_path: Path):
    win = open_window(qtbot, library_dir)
    save_jpeg(tmp_path / "p" / "a.jpg", photo(4))
    with qtbot.waitSignal(win.indexing_finished, timeout=60000) as finished:
        _drop(win, [tmp_path / "p"])
    assert finished.args[0] is not None and finished.args[0].embedded == 1
    seen = win.downloads.seen
    assert seen and seen[-1][0] == seen[-1][1] == hub.stat().st_size  # it got to the end
    assert win.downloads.dialog is None  # and the dialog went away
    win.close()


class SlowColourBlocks(ColourBlockDetector):
    """Slow enough per photo that a folder can be dropped while the region pass runs."""

    def forward(self, images):  # type: ignore[no-untyped-def]
        time.sleep(0.3 * len(images))
        return super().forward(images)


def test_a_folder_dropped_during_the_region_pass_is_indexed_first(qtbot, window, tmp_path: Path, monkeypatch):
    window.controller.use_settings(replace(window.library.settings, detect_objects=True))  # as Settings does
    window.library.region_models.use_detector(ObjectDetector(SlowColourBlocks(), coco_categories(), "slow-blocks-1"))
    first, second = tmp_path / "first", tmp_path / "second"
    for i in range(12):
        save_jpeg(first / f"a{i:02d}.jpg", photo(i))
    save_jpeg(second / "new.jpg", photo(50))
    phases: list[str] = []
    window._relay.progressed.connect(lambda p: phases.append(p.phase))
    reports: list = []
    window.indexing_finished.connect(reports.append)

    _drop(window, [first])
    qtbot.waitUntil(lambda: "regions" in phases, timeout=60000)
    _drop(window, [second])
    assert "indexed next" in window.status_label.text()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=120000)

    stepped_aside, after = reports
    assert stepped_aside.regions_deferred and not stepped_aside.cancelled
    assert stepped_aside.region_images < 12  # it did not finish the first folder first
    assert after.embedded == 1 and not after.regions_deferred and not after.cancelled
    # The second run finished the first folder's objects as well as the new photo's.
    assert stepped_aside.region_images + after.region_images == 13
    state = window.library.status().region_pass
    assert state.objects_done == state.images == 13
