"""The 3D map under a real X server (Xvfb, xcb): it renders points and a click selects a photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.ui.main_window import MainWindow
from tests.helpers.images import photo, save_jpeg
from tests.ui.test_main_window import _drop

pytestmark = pytest.mark.gl


@pytest.fixture
def indexed_window(qtbot, library_dir, tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "photos"
    for i in range(12):
        save_jpeg(root / f"p{i}.jpg", photo(900 + i))
    win = MainWindow(library_dir)
    win.resize(1200, 800)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.library_opened, timeout=20000):
        win.show()
    with qtbot.waitSignal(win.indexing_finished, timeout=60000):
        _drop(win, [root])
    qtbot.waitUntil(lambda: win.model.rowCount() == 12, timeout=10000)
    yield win
    win.close()


def test_map_renders_points_and_a_click_selects_the_photo(qtbot, indexed_window):
    win = indexed_window
    with qtbot.waitSignal(win.map_ready, timeout=120000):
        win.show_map()
    view = win.map_panel.map.view
    assert win.map_panel.map.positions.shape == (12, 3)
    qtbot.waitExposed(view)
    frame = view.grabFramebuffer()
    pixels = np.array(
        [[frame.pixelColor(x, y).red() for x in range(0, frame.width(), 2)] for y in range(0, frame.height(), 2)]
    )
    assert (pixels > 60).sum() > 12, "points were drawn over the dark background"

    screen = win.map_panel.map.screen_positions()
    # The one matrix product for all points agrees with Qt's own mapping, point by point.
    from PySide6.QtGui import QVector4D

    region = (0, 0, view.width(), view.height())
    mvp = view.projectionMatrix(region, region) * view.viewMatrix()
    for i, (px, py, pz) in enumerate(win.map_panel.map.positions):
        v = mvp.map(QVector4D(float(px), float(py), float(pz), 1.0))
        expected = ((v.x() / v.w() + 1) / 2 * view.width(), (1 - v.y() / v.w()) / 2 * view.height())
        assert np.allclose(screen[i], expected, atol=1e-3)
    inside = [i for i, (x, y) in enumerate(screen) if 5 < x < view.width() - 5 and 5 < y < view.height() - 5]
    gaps = {i: min(np.hypot(*(screen[i] - screen[j])) for j in range(len(screen)) if j != i) for i in inside}
    target = max(gaps, key=gaps.get)  # the most isolated point: a click there is unambiguous
    x, y = screen[target]
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: win.views.currentIndex() == 0, timeout=5000)
    current = win.gallery.currentIndex()
    assert win.model.item(current.row()).image_id == win.map_panel.map.image_ids[target]


def test_cluster_colours_give_each_rank_its_hue_and_the_unclustered_grey():
    import pyqtgraph as pg

    from app.ui.map_view import NOISE_COLOUR, cluster_colours

    clusters = np.array([5, -1, 40, 5, 7, 40, 900, -1] + list(range(1000, 1030)))
    colours = cluster_colours(clusters)
    ranks = {c: r for r, c in enumerate(sorted(set(clusters.tolist()) - {-1}))}
    hues = 24  # 33 clusters: hues repeat past 24
    for point, cluster in enumerate(clusters.tolist()):
        if cluster < 0:
            assert np.allclose(colours[point], NOISE_COLOUR)
            continue
        expected = pg.intColor(ranks[cluster], hues=hues, values=1, maxValue=230)
        assert np.allclose(colours[point], (expected.redF(), expected.greenF(), expected.blueF(), 0.95))
