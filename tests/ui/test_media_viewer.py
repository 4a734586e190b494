"""RAW photos and videos in the window (#29): a RAW appears in the gallery like any photo and
the viewer shows the very pixels the thumbnail was made from (Qt cannot read a RAW itself),
upright; a RAW+JPEG pair is one photo; a video shows its duration and plays in the viewer from
the moment a search found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.ui.gallery import BadgeRole
from tests.helpers.raw_files import exiftool, write_dng
from tests.ui.conftest import open_window

GREEN = (30, 200, 30)


def _drop(window, folder: Path) -> None:  # type: ignore[no-untyped-def]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    centre = QPointF(window.width() / 2, window.height() / 2)
    window.dropEvent(
        QDropEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    )


def test_a_raw_photo_shows_in_the_gallery_and_upright_in_the_viewer(qtbot, library_dir, tmp_path):
    folder = tmp_path / "card"
    rgb = np.zeros((600, 800, 3), np.uint8)
    rgb[:] = (220, 40, 40)
    shot = write_dng(folder / "IMG_0001.dng", rgb, preview=Image.new("RGB", (800, 600), GREEN))
    lisbon = ("-GPSLatitude=38.7223", "-GPSLatitudeRef=N", "-GPSLongitude=9.1393", "-GPSLongitudeRef=W")
    exiftool(shot, "-Orientation#=6", *lisbon)
    window = open_window(qtbot, library_dir)
    try:
        with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
            _drop(window, folder)
        assert finished.args[0] is not None and finished.args[0].embedded == 1
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
        viewer = window.gallery_actions.open_viewer(0)
        qtbot.addWidget(viewer)
        qtbot.waitUntil(lambda: not viewer.picture.pixmap().isNull(), timeout=10000)
        image = viewer.picture.pixmap().toImage()
        assert image.height() > image.width(), "turned as the RAW's EXIF says"
        centre = image.pixelColor(image.width() // 2, image.height() // 2)
        assert abs(centre.green() - GREEN[1]) < 40 and centre.red() < 90, "the camera's preview, as indexed"
        assert "DNG" in viewer.details.text()
        assert "Lisbon, Portugal" in viewer.details.text() and "38.72230° N, 9.13930° W" in viewer.details.text()
        viewer.close()
    finally:
        window.close()


def test_a_raw_and_its_jpeg_are_one_photo_in_the_gallery_marked_and_both_in_the_viewer(qtbot, library_dir, tmp_path):
    from tests.helpers.images import photo, save_jpeg

    folder = tmp_path / "card"
    picture = photo(5, (800, 600))
    jpeg = save_jpeg(folder / "IMG_3001.JPG", picture)
    raw = write_dng(folder / "IMG_3001.dng", np.asarray(picture), preview=picture)
    save_jpeg(folder / "IMG_3002.JPG", photo(6, (800, 600)))
    window = open_window(qtbot, library_dir)
    try:
        with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
            _drop(window, folder)
        assert finished.args[0] is not None and finished.args[0].embedded == 3
        qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10000)
        shown = {window.model.item(r).path: window.model.item(r) for r in range(2)}
        assert set(shown) == {str(jpeg), str(folder / "IMG_3002.JPG")}, "the pair once, as its JPEG"
        row = list(shown).index(str(jpeg))
        label = window.model.data(window.model.index(row, 0))
        assert label == "IMG_3001.JPG · RAW+JPEG"
        viewer = window.gallery_actions.open_viewer(row)
        qtbot.addWidget(viewer)
        qtbot.waitUntil(lambda: "RAW+JPEG" in viewer.details.text(), timeout=10000)
        assert str(raw) in viewer.details.text() and str(jpeg) in viewer.details.text()
        viewer.close()
    finally:
        window.close()


def test_a_video_shows_its_duration_and_plays_from_the_moment_a_search_found(qtbot, library_dir, tmp_path):
    from tests.helpers.videos import write_video

    folder = tmp_path / "phone"
    write_video(folder / "two scenes.mp4", [((200, 30, 30), 3), ((30, 30, 200), 3)])
    blue = tmp_path / "blue.png"
    picture = Image.new("RGB", (320, 240), (30, 30, 200))
    picture.paste((255, 255, 255), (0, 0, 106, 80))
    picture.save(blue)
    window = open_window(qtbot, library_dir)
    try:
        with qtbot.waitSignal(window.indexing_finished, timeout=60000) as finished:
            _drop(window, folder)
        assert finished.args[0] is not None and finished.args[0].frames == 2
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
        first = window.model.index(0, 0)
        assert window.model.data(first) == "two scenes.mp4"
        assert window.model.data(first, BadgeRole) == "▶ 0:06"
        qtbot.waitUntil(lambda: window.model.data(first, Qt.ItemDataRole.DecorationRole) is not None, timeout=10000)
        assert _white_in_lower_right(window), "the length is painted over the thumbnail"
        with qtbot.waitSignal(window.search_finished, timeout=20000):
            window.search_actions.search_by_image(blue)
        hit = window.model.item(0)
        assert hit is not None and hit.time == 3.0 and hit.why == "frame at 0:03"
        assert Path(hit.thumbnail).name.endswith("@3000.jpg"), "the result shows the frame it found"
        assert window.model.data(window.model.index(0, 0), BadgeRole) == "▶ at 0:03"
        viewer = window.gallery_actions.open_viewer(0)
        qtbot.addWidget(viewer)
        qtbot.waitUntil(
            lambda: viewer.player is not None and viewer.stage.currentWidget() is viewer.player, timeout=10000
        )
        player = viewer.player
        assert player is not None
        qtbot.waitUntil(lambda: player.player.position() >= 3000, timeout=10000)
        assert "Duration" in viewer.details.text() and "0:06" in viewer.details.text()
        viewer.close()
        assert player.player.source().isEmpty(), "closing the viewer stops the video"
    finally:
        window.close()


def _white_in_lower_right(window) -> bool:  # noqa: ANN001
    """Whether the first card's picture has white (a badge's text) in its lower-right quarter:
    the video's representative frame there is plain red."""
    cell = window.gallery.visualRect(window.model.index(0, 0))
    image = window.gallery.viewport().grab(cell).toImage()
    width, height = image.width(), image.height()
    return any(
        min(image.pixelColor(x, y).red(), image.pixelColor(x, y).green(), image.pixelColor(x, y).blue()) > 200
        for x in range(width // 2, width - 6)
        for y in range(height // 2, height - 28)
    )
