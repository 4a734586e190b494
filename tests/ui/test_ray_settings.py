"""Settings send indexing to Ray, and the choice is remembered; a cluster out of reach is a
message, never a hang or a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tests.helpers.images import photo, save_jpeg
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop

pytestmark = pytest.mark.slow


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    for i in range(5):
        save_jpeg(tmp_path / "photos" / f"p{i}.jpg", photo(900 + i))
    return tmp_path / "photos"


def test_settings_send_indexing_to_ray_and_remember_it(qtbot, library_dir, photos):
    win = open_window(qtbot, library_dir)
    dialog = win.open_settings()
    qtbot.addWidget(dialog)
    assert dialog.use_ray.isEnabled(), "Ray is installed with the test extra"
    assert not dialog.use_ray.isChecked() and not dialog.ray_address.isEnabled()
    dialog.use_ray.setChecked(True)
    assert dialog.ray_address.isEnabled()
    dialog.ray_address.setText("127.0.0.1:1")
    choice = dialog.choice()
    dialog.close()
    assert choice.ray_address == "127.0.0.1:1"
    win.apply_settings(choice)
    assert win.library.settings.ray_address == "127.0.0.1:1"

    with qtbot.waitSignal(win.indexing_finished, timeout=60000) as finished:
        _drop(win, [photos])
    assert finished.args[0] is None
    qtbot.waitUntil(lambda: "cannot reach the Ray cluster at 127.0.0.1:1" in win.status.label.text(), timeout=5000)
    win.close()

    # Remembered: the next window resumes the interrupted run on that cluster (still out of
    # reach); then a Ray on this computer.
    win = open_window(qtbot, library_dir)
    assert win.library.settings.ray_address == "127.0.0.1:1"
    qtbot.waitUntil(lambda: "cannot reach the Ray cluster" in win.status.label.text(), timeout=30000)
    qtbot.waitUntil(lambda: not win.status.cancel_button.isVisible(), timeout=30000)
    dialog = win.open_settings()
    qtbot.addWidget(dialog)
    assert dialog.use_ray.isChecked() and dialog.ray_address.text() == "127.0.0.1:1"
    dialog.ray_address.clear()
    win.apply_settings(dialog.choice())
    dialog.close()
    assert QSettings().value("indexing/ray") == ""
    with qtbot.waitSignal(win.indexing_finished, timeout=240000) as finished:
        _drop(win, [photos])
    assert finished.args[0] is not None and finished.args[0].embedded == 5, win.status.label.text()
    qtbot.waitUntil(lambda: win.model.rowCount() == 5, timeout=10000)

    # And back to this computer alone.
    dialog = win.open_settings()
    qtbot.addWidget(dialog)
    dialog.use_ray.setChecked(False)
    win.apply_settings(dialog.choice())
    dialog.close()
    assert win.library.settings.ray_address is None and QSettings().value("indexing/ray") == "off"
    win.close()
