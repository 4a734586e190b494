"""What the search understood shows as chips beside the box (#33); a click on one drops it and
searches again without its words."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.trips import write_trip
from tests.ui.conftest import open_window
from tests.ui.test_main_window import _drop


def _shown(window) -> set[str]:  # type: ignore[no-untyped-def]
    return {Path(window.model.item(r).path).name for r in range(window.model.rowCount())}


def test_chips_say_what_was_understood_and_a_click_drops_one(qtbot, library_dir, tmp_path):
    folder = write_trip(tmp_path / "trip")
    window = open_window(qtbot, library_dir)
    with qtbot.waitSignal(window.indexing_finished, timeout=120000):
        _drop(window, [folder])
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=20000)
    chips = window.search_bar.chips

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("tram in Lisbon July 2023")
        window.search_bar.request_search()
    assert chips.labels() == ["📍 Lisbon ✕", "📅 July 2023 ✕"] and chips.isVisible()
    assert (
        {"lisbon tram.jpg", "lisbon castle.jpg"}
        <= _shown(window)
        <= {
            "lisbon tram.jpg",
            "lisbon castle.jpg",
            "lisbon cafe.jpg",
        }
    )

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        chips.buttons[0].click()  # drop Lisbon
    assert window.search_box.text() == "tram July 2023"
    assert chips.labels() == ["📅 July 2023 ✕"]
    assert "porto bridge.jpg" in _shown(window) and "sydney opera.jpg" not in _shown(window)

    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a red tram")
        window.search_bar.request_search()
    assert chips.labels() == [] and not chips.isVisible(), "nothing understood: no chips"
    window.close()
