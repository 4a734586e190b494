"""The main window with a real library, the tiny model and real image files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.analysis.library_analysis import AnalysisInputs, freshness
from app.ui.gallery import GalleryItem, GalleryModel, ScoreRole
from app.ui.main_window import MainWindow
from app.ui.thumbnails import ThumbnailCache
from tests.helpers.images import photo, save_jpeg
from tests.ui.conftest import open_window


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    for i in range(6):
        save_jpeg(root / f"p{i}.jpg", photo(300 + i))
    photo(302).resize((160, 120)).save(root / "p2-copy.jpg", "JPEG", quality=70)
    (root / "broken.jpg").write_bytes(b"not an image")
    return root


@pytest.fixture
def window(qtbot, library_dir):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, library_dir)
    yield win
    win.close()


def _drop(window: MainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(window.width() / 2, window.height() / 2),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def _index(qtbot, window: MainWindow, photos: Path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
        _drop(window, [photos])
    assert finished.args[0] is not None and finished.args[0].embedded == 7
    qtbot.waitUntil(lambda: window.model.rowCount() == 7, timeout=10000)


def test_empty_library_invites_a_drop(window):
    assert window.gallery_panel.currentIndex() == 0
    assert "Drop a folder" in window.gallery_panel.empty_label.text()


def test_dropping_a_folder_indexes_it_and_fills_the_gallery(qtbot, window, photos):
    _index(qtbot, window, photos)
    assert window.gallery_panel.currentIndex() == 1
    # A refresh started during indexing may land first; the post-indexing one carries the failure.
    qtbot.waitUntil(lambda: window.status.skipped_button.isVisible(), timeout=10000)
    assert window.status.skipped_button.text() == "1 files skipped"
    first = window.model.index(0)
    qtbot.waitUntil(lambda: window.model.data(first, Qt.ItemDataRole.DecorationRole) is not None, timeout=5000)


def test_text_search_replaces_the_gallery_and_escape_restores_it(qtbot, window, photos):
    _index(qtbot, window, photos)
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a photo of a tree")
        window.search_bar.request_search()
    assert window.controller.browse.showing_results
    scores = [window.model.index(r).data(ScoreRole) for r in range(window.model.rowCount())]
    assert scores and all(s is not None for s in scores) and scores == sorted(scores, reverse=True)
    with qtbot.waitSignal(window.gallery_refreshed, timeout=10000):
        window.clear_search()
    assert window.model.index(0).data(ScoreRole) is None and window.model.rowCount() == 7


def test_find_similar_from_the_context_menu(qtbot, window, photos):
    _index(qtbot, window, photos)
    row = next(r for r in range(window.model.rowCount()) if window.model.item(r).path.endswith("p2.jpg"))
    menu = window.gallery_actions.context_menu_for(window.model.item(row))
    action = next(a for a in menu.actions() if a.text() == "Find similar")
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        action.trigger()
    assert window.model.item(0).path.endswith("p2-copy.jpg")
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Find similar",
        "Open",
        "Show in folder",
        "Copy path",
        "Teach a name…",
        "Add to album",
        "Rate and mark",
        "Export…",
        "Remove from library",
    ]


def test_remove_from_library_keeps_the_file(qtbot, window, photos):
    _index(qtbot, window, photos)
    target = window.model.item(0)
    window.gallery.setCurrentIndex(window.model.index(0))
    with qtbot.waitSignal(window.gallery_refreshed, timeout=10000):
        window.gallery_actions.remove_selected()
    assert window.model.rowCount() == 6
    assert Path(target.path).exists()


def test_gallery_model_passes_the_model_tester(qtmodeltester, tmp_path):
    cache = ThumbnailCache()
    model = GalleryModel(cache)
    model.set_items([GalleryItem(i, f"/x/{i}.jpg", tmp_path / f"{i}.jpg", 0.5 - i / 100) for i in range(20)])
    qtmodeltester.check(model)
    assert model.data(model.index(99), Qt.ItemDataRole.DisplayRole) is None
    cache.wait()


def test_clusters_panel_refreshes_in_the_background_and_filters_the_gallery(qtbot, window, photos):
    with qtbot.waitSignal(window.clusters_refreshed, timeout=60000):
        _index(qtbot, window, photos)
    texts = [window.side.cluster_list.item(i).text() for i in range(window.side.cluster_list.count())]
    assert texts[0] == "All photos (7)"
    sizes = [c.size for c in window.controller.browse.clusters.values()]
    noise = window.controller.browse.clustering.noise
    assert sum(sizes) + noise == 7
    assert freshness(AnalysisInputs.of(window.library))["clusters"] == "fresh"
    window.side.cluster_list.setCurrentRow(1)
    expected = sizes[0] if sizes else noise
    assert window.model.rowCount() == expected
    window.side.cluster_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: window.model.rowCount() == 7, timeout=10000)


def test_clusters_view_shows_a_card_per_group_and_opens_it(qtbot, window, photos, qtmodeltester):
    from app.ui.cluster_view import ClusterKeyRole

    with qtbot.waitSignal(window.clusters_refreshed, timeout=60000):
        _index(qtbot, window, photos)
    qtbot.waitUntil(lambda: window.clusters_panel.model.rowCount() > 0, timeout=10000)
    qtmodeltester.check(window.clusters_panel.model)
    cards = [window.clusters_panel.model.card(r) for r in range(window.clusters_panel.model.rowCount())]
    assert sum(c.size for c in cards) == 7
    assert all(c.cover is not None for c in cards)  # every card shows one of its photos
    window.views.setCurrentIndex(1)
    assert window.clusters_panel.currentIndex() == 1
    first = window.clusters_panel.model.index(0)
    window.cluster_actions.open_cluster(first.data(ClusterKeyRole))
    assert window.views.currentIndex() == 0
    assert window.model.rowCount() == cards[0].size


def test_list_layout_shows_rows_with_details_and_is_remembered(qtbot, window, photos):
    from PySide6.QtCore import QSettings

    _index(qtbot, window, photos)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.search_bar.list_button.isChecked()
    assert window.gallery.list_mode and window.gallery.timeline_layout().columns == 1
    row = window.gallery.visualRect(window.model.index(1))
    assert row.width() > 3 * row.height()  # a row across the view, not a grid cell
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a photo of a tree")
        window.search_bar.request_search()
    assert not window.gallery.grab().isNull()  # rows paint name, folder and why it matched
    window.close()
    assert QSettings().value("gallery/list", type=bool) is True
    window.search_bar.list_button.setChecked(False)
    assert not window.gallery.list_mode and window.gallery.timeline_layout().columns > 1  # the grid again
    cell = window.gallery.visualRect(window.model.index(1))
    assert cell.width() < 2 * cell.height(), "a grid cell, not a row"


def test_library_folders_list_filter_and_remove_without_touching_files(qtbot, window, photos):
    from tests.conftest import snapshot

    before = snapshot(photos)
    with qtbot.waitSignal(window.folders_refreshed, timeout=60000):
        _index(qtbot, window, photos)
    qtbot.waitUntil(
        lambda: window.side.folder_list.count() == 1 and "(7)" in window.side.folder_list.item(0).text(), timeout=10000
    )
    item = window.side.folder_list.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == str(photos)
    window.side.folder_list.itemClicked.emit(item)
    assert window.model.rowCount() == 7
    menu = window.side.folder_menu(str(photos))
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Refresh (look for new and changed photos)",
        "Show in file manager",
        "Remove from library…",
    ]
    with qtbot.waitSignal(window.gallery_refreshed, timeout=20000):
        window.gallery_actions.remove_folder(str(photos), confirm=False)
    qtbot.waitUntil(lambda: window.side.folder_list.count() == 0 and window.model.rowCount() == 0, timeout=10000)
    assert window.library.status().images == 0
    assert snapshot(photos) == before


def test_viewer_fits_and_centres_the_photo_and_zooms_on_demand(qtbot, window, photos):
    with qtbot.waitSignal(window.indexing_finished, timeout=60000):
        _drop(window, [photos])
    qtbot.waitUntil(lambda: window.model.rowCount() == 7, timeout=10000)
    viewer = window.gallery_actions.open_viewer(0)
    qtbot.addWidget(viewer)
    viewer.resize(1200, 800)
    qtbot.waitUntil(lambda: not viewer.picture.pixmap().isNull(), timeout=10000)
    qtbot.waitExposed(viewer)
    canvas = viewer.picture
    shown = canvas.photo_rect()
    # Fitted: it fills the canvas one way, and sits in the middle both ways.
    assert abs(shown.width() - canvas.width()) < 1 or abs(shown.height() - canvas.height()) < 1
    assert shown.width() <= canvas.width() + 1 and shown.height() <= canvas.height() + 1
    assert abs(shown.center().x() - canvas.width() / 2) < 1 and abs(shown.center().y() - canvas.height() / 2) < 1
    assert shown.width() > 600, "a 320 px photo is shown large, not small in a corner"
    # The hint sits below the photo, not floating over the middle of the window.
    assert viewer.hint.geometry().top() >= canvas.geometry().bottom()
    fitted = canvas.scale()
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.scale() > fitted * 1.2 and not canvas.fitted
    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert canvas.fitted and abs(canvas.scale() - fitted) < 1e-6
    viewer.resize(700, 500)  # fitted again to the new size, still centred
    qtbot.waitUntil(lambda: canvas.width() < 600, timeout=5000)
    again = canvas.photo_rect()
    assert abs(again.center().x() - canvas.width() / 2) < 1 and again.width() <= canvas.width() + 1
    viewer.close()


def test_viewer_shows_details_regions_and_walks_the_list(qtbot, window, photos, tmp_path):
    import numpy as np

    from app.catalog.regions import NewRegion, add_regions
    from tests.helpers.images import exif_with

    save_jpeg(
        photos / "camera.jpg",
        photo(333),
        exif=exif_with(date="2020:01:02 03:04:05", camera=("Canon", "Canon EOS 80D")).tobytes(),
    )
    with qtbot.waitSignal(window.indexing_finished, timeout=60000):
        _drop(window, [photos])
    qtbot.waitUntil(lambda: window.model.rowCount() == 8, timeout=10000)
    row = next(r for r in range(8) if window.model.item(r).path.endswith("camera.jpg"))
    item = window.model.item(row)
    vector = np.zeros(64, dtype=np.float32)
    add_regions(
        window.library.engine,
        [NewRegion(item.image_id, "text", None, (0.1, 0.1, 0.5, 0.3), 0.9, "BAKERY", vector.tobytes())],
    )

    viewer = window.gallery_actions.open_viewer(row)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: "camera.jpg" in viewer.details.text(), timeout=10000)  # loaded off the GUI thread
    text = viewer.details.text()
    assert "camera.jpg" in text and "Canon EOS 80D" in text and "2020-01-02 03:04" in text and "BAKERY" in text
    assert viewer.drawn_regions == ['"BAKERY"']
    assert not viewer.picture.pixmap().isNull()
    with qtbot.waitSignal(viewer.shown, timeout=10000):
        qtbot.keyClick(viewer, Qt.Key.Key_Right if row < 7 else Qt.Key.Key_Left)
    assert viewer.current.path != item.path
    assert os.path.basename(viewer.current.path) in viewer.details.text()
    viewer.close()

    window.gallery.setCurrentIndex(window.model.index(0))
    qtbot.keyClick(window.gallery, Qt.Key.Key_Space)
    opened = [w for w in window.findChildren(type(viewer)) if w.isVisible()]
    assert opened and opened[0].current.path == window.model.item(0).path
    opened[0].close()


def test_threshold_weights_paste_sort_and_size_controls(qtbot, window, photos):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QGuiApplication, QImage, QWheelEvent

    _index(qtbot, window, photos)
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_box.setText("a tree in a field")
        window.search_bar.request_search()
    scores = [window.model.item(r).score for r in range(window.model.rowCount())]
    cut = (scores[0] + scores[-1]) / 2
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_bar.threshold_slider.setValue(int(cut * 100) + 1)
    assert 0 < window.model.rowCount() < len(scores)
    assert all(
        window.model.item(r).score >= window.controller.searching.threshold for r in range(window.model.rowCount())
    )
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.search_bar.threshold_slider.setValue(0)
        window.search_bar.weight_sliders["image"].setValue(50)
    assert abs(window.model.item(0).score - scores[0] / 2) < 1e-3

    QGuiApplication.clipboard().setImage(QImage(str(photos / "p2.jpg")))
    window.search_box.clear()
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        assert window.paste_to_search()
    assert window.model.item(0).path.endswith(("p2.jpg", "p2-copy.jpg"))

    window.search_bar.size_slider.setValue(160)
    before = window.search_bar.size_slider.value()
    wheel = QWheelEvent(
        QPointF(10, 10),
        QPointF(10, 10),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QGuiApplication.sendEvent(window.gallery.viewport(), wheel)
    assert window.search_bar.size_slider.value() == before + 16 and window.gallery.iconSize().width() == before + 16

    with qtbot.waitSignal(window.gallery_refreshed, timeout=10000):
        window.clear_search()
    with qtbot.waitSignal(window.gallery_refreshed, timeout=10000):
        window.search_bar.sort_box.setCurrentIndex(1)
    names = [Path(window.model.item(r).path).name for r in range(window.model.rowCount())]
    assert names == sorted(names, key=str.lower)


def test_pause_holds_indexing_until_resumed(qtbot, window, photos, tmp_path):
    more = tmp_path / "more"
    for i in range(24):
        save_jpeg(more / f"m{i}.jpg", photo(600 + i))
    window.controller.indexing.pause.set()  # paused before it starts: nothing may be embedded
    window.index_paths([more])
    window.status.pause_button.setChecked(True)
    qtbot.wait(1500)
    assert window.controller.indexing.running, "still running, paused"
    assert window.library.status().images == 0
    with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
        window.status.pause_button.setChecked(False)
    assert finished.args[0].embedded == 24


def test_renaming_a_cluster_in_the_panel(qtbot, window, photos):
    with qtbot.waitSignal(window.clusters_refreshed, timeout=60000):
        _index(qtbot, window, photos)
    if not window.controller.browse.clusters:
        pytest.skip("the random test model grouped nothing")
    key = next(iter(window.controller.browse.clusters))
    window.controller.organise.rename_cluster(key, "Holiday")  # saved off the GUI thread, then shown

    def texts() -> list[str]:
        return [window.side.cluster_list.item(i).text() for i in range(window.side.cluster_list.count())]

    qtbot.waitUntil(lambda: any(t.startswith("Holiday (") for t in texts()), timeout=10000)
    assert any(t.startswith("Holiday (") for t in texts())
    with qtbot.waitSignal(window.clusters_refreshed, timeout=60000):
        window.controller.organise.clusters_running = False
        window.controller.organise.refresh_clusters()
    assert "Holiday" in [c.name for c in window.controller.browse.clusters.values()]


def test_settings_switch_the_model_in_the_background(qtbot, window, photos, tmp_path):
    import json

    import open_clip
    import torch
    from PySide6.QtCore import QSettings

    from app.ui.settings_dialog import SettingsChoice

    folder = tmp_path / "other-model"
    folder.mkdir()
    (folder / "open_clip_config.json").write_text(
        json.dumps({"model_cfg": open_clip.get_model_config("PO-Tiny"), "preprocess_cfg": {}})
    )
    torch.manual_seed(5)
    torch.save(open_clip.create_model("PO-Tiny").state_dict(), folder / "open_clip_pytorch_model.bin")
    _index(qtbot, window, photos)
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    assert dialog.model.text() == "PO-Tiny" and dialog.pretrained.text() == "random"
    dialog.close()

    choice = SettingsChoice(f"local-dir:{folder}", "", "cpu", str(tmp_path / "elsewhere"), 600)
    with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
        window.apply_settings(choice)
    assert finished.args[0].reembedded == 7
    assert window.library.spec.key == f"local-dir:{folder.resolve()}"
    assert window.library.status().consistent
    assert window.cache.capacity == 600
    assert QSettings().value("library/path") == str(tmp_path / "elsewhere")
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.find_similar(str(photos / "p2.jpg"))
    assert window.model.item(0).path.endswith("p2-copy.jpg")


def test_missing_weights_offer_a_model_folder_and_then_index(qtbot, library_dir, photos, tmp_path, monkeypatch):
    import json

    import open_clip
    import torch
    from PySide6.QtWidgets import QMessageBox

    # A user's first run, offline: the default model's weights are not there.
    monkeypatch.setenv("PHOTO_ORGANIZER_MODEL", "ViT-B-32")
    monkeypatch.setenv("PHOTO_ORGANIZER_PRETRAINED", "laion2b_s34b_b79k")
    win = MainWindow(library_dir)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.library_opened, timeout=20000):
        win.show()
    with qtbot.waitSignal(win.indexing_finished, timeout=60000) as finished:
        _drop(win, [photos])
    assert finished.args[0] is None
    box = win.model_box  # reaching this line proves the message did not block the event loop
    assert box.isVisible()
    assert "local-dir:" in box.text()
    assert "Choose model folder…" in [b.text() for b in box.buttons()]
    assert isinstance(box, QMessageBox)
    box.close()

    folder = tmp_path / "downloaded-model"
    folder.mkdir()
    (folder / "open_clip_config.json").write_text(
        json.dumps({"model_cfg": open_clip.get_model_config("PO-Tiny"), "preprocess_cfg": {}})
    )
    torch.manual_seed(3)
    torch.save(open_clip.create_model("PO-Tiny").state_dict(), folder / "open_clip_pytorch_model.bin")
    with qtbot.waitSignal(win.indexing_finished, timeout=60000) as finished:
        win.controller.use_model_folder(folder)
    assert finished.args[0] is not None and finished.args[0].embedded == 7
    assert win.library.stored_model == f"local-dir:{folder.resolve()}"
    win.close()


def test_indexing_cut_short_by_a_crash_resumes_when_the_app_opens(qtbot, library_dir, photos):
    from app.catalog import folders
    from app.library import Library

    with Library(library_dir) as library:
        # What a killed run leaves behind (test_kill_resume checks that it does).
        folders.mark_run_started(library.engine, [str(photos)])
    win = open_window(qtbot, library_dir)
    assert win.controller.indexing.running  # started by itself
    qtbot.waitUntil(lambda: not win.controller.indexing.running, timeout=60000)
    status = win.library.status().to_json()
    assert status["images"] == 7 and status["interrupted"] is None
    qtbot.waitUntil(lambda: win.model.rowCount() == 7, timeout=10000)
    win.close()


def test_nothing_resumes_after_a_run_that_ended(qtbot, library_dir, photos):
    from app.library import Library

    with Library(library_dir) as library:
        library.index([photos])
        assert library.interrupted_roots() is None
    win = open_window(qtbot, library_dir)
    assert not win.controller.indexing.running
    win.close()


def test_the_app_freezes_its_startup_heap_once_the_first_gallery_shows(qtbot, library_dir, monkeypatch):
    import gc

    from app.ui.application import freeze_heap_after_first_gallery
    from app.ui.main_window import MainWindow

    calls: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(len(calls)))  # the test process goes on
    win = MainWindow(library_dir)
    qtbot.addWidget(win)
    freeze_heap_after_first_gallery(win)
    try:
        with qtbot.waitSignal(win.gallery_refreshed, timeout=20000):
            win.show()
        assert calls == [0]
        with qtbot.waitSignal(win.gallery_refreshed, timeout=20000):
            win.refresh_gallery()
        assert calls == [0], "only once"
    finally:
        win.close()


def test_a_closed_window_leaves_the_screen_before_the_work_under_way_is_waited_for(qtbot, library_dir):
    """At a million photos the reads under way when the window closes take seconds to end; the
    window is hidden first, not left frozen on the screen while they do."""
    import threading

    win = open_window(qtbot, library_dir)
    release = threading.Event()
    win.tasks.run(lambda: release.wait(10))  # a read still under way
    seen: list[bool] = []
    waited = win.tasks.shutdown

    def shutdown() -> None:
        seen.append(win.isVisible())
        release.set()
        waited()

    win.tasks.shutdown = shutdown  # type: ignore[method-assign]
    win.close()
    assert seen == [False], "hidden before its workers were waited for"


def test_the_windows_modules_leave_scipy_pyqtgraph_and_torch_to_the_views_that_use_them():
    """Importing the window is most of its start: at a million photos SciPy (the Places markers)
    and pyqtgraph (the Places outlines, the 3D map) took 0.43 s of a 1.9 s first gallery. They
    are imported where used, off the GUI thread or when their view first opens."""
    import subprocess
    import sys

    code = (
        "import sys; import app.ui.main_window; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'pyqtgraph', 'torch', 'open_clip'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout
