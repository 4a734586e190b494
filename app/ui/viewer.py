"""The photo viewer: the photo large, its regions as labelled boxes (OCR text shown), the
file's details, and the left/right arrows through the current list.

The catalog query, the file's details and the decoding (up to 1600 px) run on the window's
task manager; the GUI thread only turns the decoded image into a pixmap and paints. Walking
the list quickly shows the photo the person stopped on: an older load is dropped."""

from __future__ import annotations

import html
import os
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QInputDialog, QLabel, QMenu, QStackedWidget, QVBoxLayout, QWidget

from app.catalog.people import FaceInImage
from app.catalog.records import ImageInfo, RegionInfo
from app.controller.gallery_rows import GalleryItem
from app.core.dates import plausible_date
from app.core.durations import clock
from app.core.media_kinds import is_raw, is_video
from app.core.paths import display_path
from app.core.raw_pairs import PAIR_MARK
from app.indexing.decoding import DecodeError, UnreadableError, decode_for_regions, read_file
from app.ui.photo_canvas import PhotoCanvas
from app.ui.settings_dialog import places_hidden
from app.ui.task_manager import TaskManager
from app.ui.video_player import VideoPlayer, player_unavailable

if TYPE_CHECKING:
    from app.library import Library

Details = tuple[ImageInfo, list[RegionInfo]]

MAX_SIDE = 1600


class PhotoViewer(QDialog):
    shown = Signal()  # the current photo and its details are on screen
    face_named = Signal(int, str)  # "This is…": a face's region id, the name
    face_refused = Signal(int)  # "Not <name>"
    similar_faces_wanted = Signal(int)  # photos with this face
    teach_wanted = Signal(int)  # "Teach a name from this…": a region's id (photo, object or face)

    def __init__(
        self, library: Library, items: list[GalleryItem], index: int, tasks: TaskManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.tasks = tasks
        self._showing = 0  # which load is wanted; older ones are dropped
        self.finished.connect(self._forget_loads)  # closed: a load still running shows nothing
        self.items = items
        self.index = index
        self.drawn_regions: list[str] = []
        self.setWindowTitle("Photo")
        self.resize(1200, 800)
        self.picture = PhotoCanvas()
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setFixedWidth(300)
        self.stage = QStackedWidget()  # the photo, or a video playing
        self.stage.addWidget(self.picture)
        self.player: VideoPlayer | None = None  # made for the first video shown
        self.finished.connect(self._stop_video)
        row = QHBoxLayout()
        row.addWidget(self.stage, 1)
        row.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)  # the photo takes the space; the hint stays at the bottom
        self.hint = QLabel("← → previous / next · wheel or + − zoom, drag to pan, 0 fits · Esc closes")
        layout.addWidget(self.hint)
        self.picture.setFocus()
        self.picture.region_menu_requested.connect(lambda region, at: self.region_menu(region).popup(at))
        self.faces: list[FaceInImage] = []
        self.regions: list[RegionInfo] = []
        self.show_current()

    @property
    def current(self) -> GalleryItem:
        return self.items[self.index]

    def show_current(self) -> None:
        item = self.current
        self.setWindowTitle(display_path(os.path.basename(item.path)))
        self._showing += 1
        wanted, library = self._showing, self.library

        def load() -> tuple[Details | None, QImage, tuple[float | None, float | None], list[FaceInImage]]:
            details, faces = library.details(item.image_id), library.people.faces_in_image(item.image_id)
            return details, _read_image(item.path), _file_facts(item.path), faces

        def done(loaded: tuple[Details | None, QImage, tuple[float | None, float | None], list[FaceInImage]]) -> None:
            if wanted == self._showing:
                self._show(item, *loaded)

        self.tasks.run(load, done)

    def _forget_loads(self) -> None:
        self._showing = -1

    def _show(
        self,
        item: GalleryItem,
        found: Details | None,
        image: QImage,
        facts: tuple[float | None, float | None],
        faces: list[FaceInImage] | None = None,
    ) -> None:
        self.faces = faces or []
        names = {f.region_id: f.name or "?" for f in self.faces}
        regions = [r for r in (found[1] if found else []) if r.kind != "face" or r.region_id in names]
        self.regions = regions
        # What was found in a video's other frames is listed, not drawn on the one shown.
        drawn = [r for r in regions if r.time is None]
        on_picture = {r.region_id for r in drawn}
        objects = [(r.region_id, r.bbox) for r in drawn if r.kind == "object"]
        self.picture.boxes = [(f.region_id, f.bbox) for f in self.faces if f.region_id in on_picture] + objects
        self.drawn_regions = []
        if not image.isNull():
            pixmap = QPixmap.fromImage(image)
            self._draw_regions(pixmap, drawn, names)
            self.picture.set_pixmap(pixmap)
        else:
            self.picture.set_message("The photo could not be opened (moved or deleted?).")
        self._show_video(item)
        self.details.setText(self._details_html(item, found, facts))
        self.shown.emit()

    def _show_video(self, item: GalleryItem) -> None:
        """A video plays (from the moment a search found, if it found one); a photo stops it."""
        if not is_video(item.path) or player_unavailable() is not None:
            self._stop_video()
            return
        if self.player is None:
            self.player = VideoPlayer()
            self.stage.addWidget(self.player)
        self.stage.setCurrentWidget(self.player)
        self.player.play(item.path, item.time)

    def _stop_video(self) -> None:
        self.stage.setCurrentWidget(self.picture)
        if self.player is not None:
            self.player.stop()

    def face_menu(self, region_id: int) -> QMenu:
        """Right-click on a face: say who it is, or who it is not; photos with this face."""
        menu = QMenu(self)
        face = next((f for f in self.faces if f.region_id == region_id), None)
        menu.addAction("This is…", lambda: self._ask_who(region_id, face.name if face else None))
        if face is not None and face.name:
            menu.addAction(f"Not {face.name}", lambda: self.face_refused.emit(region_id))
        menu.addAction("Find similar faces", lambda: self.similar_faces_wanted.emit(region_id))
        return menu

    def region_menu(self, region_id: int) -> QMenu:
        """Right-click on the photo: a face's actions on a face; on any box, or on the photo
        itself (`region_id` 0), teach a name from it."""
        is_face = any(f.region_id == region_id for f in self.faces)
        menu = self.face_menu(region_id) if is_face else QMenu(self)
        if is_face:
            menu.addSeparator()
        region = next((r for r in self.regions if r.region_id == region_id), None)
        if region_id == 0:
            region = next((r for r in self.regions if r.kind == "image"), None)
        if region is not None:
            what = "face" if is_face else (region.label or "object") if region.kind == "object" else "photo"
            menu.addAction(f"Teach a name from this {what}…", lambda: self.teach_wanted.emit(region.region_id))
        return menu

    def _ask_who(self, region_id: int, current: str | None) -> None:
        name, ok = QInputDialog.getText(self, "Who is this?", "Name:", text=current or "")
        if ok and name.strip():
            self.face_named.emit(region_id, name)

    def _draw_regions(self, pixmap: QPixmap, regions: list[RegionInfo], names: dict[int, str] | None = None) -> None:
        painter = QPainter(pixmap)
        width, height = pixmap.width(), pixmap.height()
        font = QFont()
        font.setPixelSize(max(12, height // 40))
        painter.setFont(font)
        for region in regions:
            if region.kind == "image":
                continue
            x0, y0, x1, y1 = region.bbox
            box = QRect(round(x0 * width), round(y0 * height), round((x1 - x0) * width), round((y1 - y0) * height))
            colour = {"text": QColor(255, 200, 0), "face": QColor(80, 220, 120)}.get(region.kind, QColor(0, 200, 255))
            painter.setPen(QPen(colour, max(2, width // 400)))
            painter.drawRect(box)
            if region.kind == "text" and region.text:
                label = f'"{region.text}"'
            elif region.kind == "object" and region.text:
                label = f"{region.text} {region.confidence:.0%}"  # the detector's class: dog 87%
            elif region.kind == "face":
                label = (names or {}).get(region.region_id, "?")
            else:
                label = region.label or region.kind
            painter.drawText(box.adjusted(4, 2, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
            self.drawn_regions.append(label)
        painter.end()

    def _details_html(self, item: GalleryItem, found: Details | None, facts: tuple[float | None, float | None]) -> str:
        rows = [("File", display_path(item.path))]
        if item.pair:
            rows.append((PAIR_MARK, display_path(item.pair)))  # the other file of the shot
        size, file_time = facts
        if size is not None:
            rows.append(("Size", f"{size / 1e6:.1f} MB"))
        if found is not None:
            info, regions = found
            rows.append(("Pixels", f"{info.width} × {info.height} ({info.format})"))
            if info.duration is not None:
                unavailable = player_unavailable()
                rows.append(("Duration", clock(info.duration) + (f" ({unavailable})" if unavailable else "")))
            when = info.taken_at
            label = "Taken" if when else "File date"
            when = when or file_time
            if when:
                rows.append((label, datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")))
            if info.camera:
                rows.append(("Camera", info.camera))
            if info.place and not places_hidden():
                rows.append(("Place", info.place + (" (estimated from its event)" if info.place_estimated else "")))
            if info.latitude is not None and info.longitude is not None and not places_hidden():
                rows.append(("Coordinates", _coordinates(info.latitude, info.longitude)))
            described = next((r.text for r in regions if r.kind == "image" and r.text), None)
            if described:
                rows.append(("Description", described))  # as another photo app kept it (XMP)
            texts = [r.text for r in regions if r.kind == "text" and r.text]
            objects = sorted(
                {f"{r.text} ({r.label})" if r.text else r.label for r in regions if r.kind == "object" and r.label}
            )
            if objects:
                rows.append(("Objects", ", ".join(objects)))
            if texts:
                rows.append(("Text", " · ".join(texts)))
            if len(info.paths) > 1:
                rows.append(("Copies", "<br>".join(html.escape(display_path(p)) for p in info.paths[1:])))
        if item.why:
            rows.append(("Matched", f"{item.why} (score {item.score:.3f})"))
        return "".join(f"<p><b>{k}</b><br>{v if k == 'Copies' else html.escape(str(v))}</p>" for k, v in rows)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_K and self.player is not None and self.stage.currentWidget() is self.player:
            self.player.play_or_pause()
        elif event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Space) and self.index < len(self.items) - 1:
            self.index += 1
            self.show_current()
        elif event.key() == Qt.Key.Key_Left and self.index > 0:
            self.index -= 1
            self.show_current()
        else:
            super().keyPressEvent(event)


def _read_image(path: str) -> QImage:
    """The photo upright, at most MAX_SIDE on its long side (QImage: safe off the GUI thread).
    What Qt cannot read (RAW files, HEIC) comes through the indexer's own decoding: the viewer
    shows the very pixels the thumbnail and the model were made from."""
    reader = QImageReader(path)
    if is_raw(path) or not reader.canRead():
        return _decoded_image(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > MAX_SIDE:
        reader.setScaledSize(size.scaled(QSize(MAX_SIDE, MAX_SIDE), Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def _decoded_image(path: str) -> QImage:
    try:
        rgb = decode_for_regions(read_file(path), MAX_SIDE)
    except (DecodeError, UnreadableError):
        return QImage()  # the viewer says it cannot show the photo
    height, width = rgb.shape[:2]
    return QImage(rgb.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def _file_facts(path: str) -> tuple[float | None, float | None]:
    """(size in bytes, modification time), or Nones when the file is out of reach (or its
    time is no date a person could read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return float(st.st_size), plausible_date(st.st_mtime)


def _coordinates(latitude: float, longitude: float) -> str:
    """38.72230° N, 9.13930° W"""
    return (
        f"{abs(latitude):.5f}° {'N' if latitude >= 0 else 'S'}, {abs(longitude):.5f}° {'E' if longitude >= 0 else 'W'}"
    )
