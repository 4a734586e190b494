"""The window readies the quick text path as it opens: the first search answers without
loading the torch model."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.shapes import write_test_set
from tests.ui.conftest import open_window


def test_the_first_search_needs_no_model_load(qtbot, cli, library_dir, tmp_path: Path):
    write_test_set(tmp_path / "shapes", per_class=2, seed=9)
    assert cli("index", tmp_path / "shapes").code == 0  # the text tower is exported once per model
    window = open_window(qtbot, library_dir)
    library = window.library
    qtbot.waitUntil(lambda: library.model_loaded, timeout=20000)  # warmed in the background
    assert library._embedder is None, "the torch model was not loaded to get there"
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.controller.searching.search("red circle")
    assert window.model.rowCount() > 0
    assert library._embedder is None, "the search read the words without the torch model"
