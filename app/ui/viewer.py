"""The photo viewer: the photo large, its regions as labelled boxes (OCR text shown), the
file's details, and the left/right arrows through the current list."""

from __future__ import annotations

import html
import os
from datetime import datetime

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImageReader, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from app.ui.gallery import GalleryItem

MAX_SIDE = 1600


class PhotoViewer(QDialog):
    def __init__(self, library, items: list[GalleryItem], index: int, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.library = library
        self.items = items
        self.index = index
        self.drawn_regions: list[str] = []
        self.setWindowTitle("Photo")
        self.resize(1200, 800)
        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setMinimumSize(QSize(200, 200))
        self.details = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setFixedWidth(300)
        row = QHBoxLayout()
        row.addWidget(self.picture, 1)
        row.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        self.hint = QLabel("← → previous / next · Esc closes")
        layout.addWidget(self.hint)
        self._pixmap = QPixmap()
        self.show_current()

    @property
    def current(self) -> GalleryItem:
        return self.items[self.index]

    def show_current(self) -> None:
        item = self.current
        self.setWindowTitle(os.path.basename(item.path))
        found = self.library.details(item.image_id)
        regions = found[1] if found else []
        self._pixmap = self._load(item.path)
        self.drawn_regions = []
        if not self._pixmap.isNull():
            self._draw_regions(regions)
        else:
            self.picture.setText("The photo could not be opened (moved or deleted?).")
        self._fit()
        self.details.setText(self._details_html(item, found))

    def _load(self, path: str) -> QPixmap:
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > MAX_SIDE:
            reader.setScaledSize(size.scaled(QSize(MAX_SIDE, MAX_SIDE), Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        return QPixmap.fromImage(image) if not image.isNull() else QPixmap()

    def _draw_regions(self, regions) -> None:  # type: ignore[no-untyped-def]
        painter = QPainter(self._pixmap)
        width, height = self._pixmap.width(), self._pixmap.height()
        font = QFont()
        font.setPixelSize(max(12, height // 40))
        painter.setFont(font)
        for region in regions:
            if region.kind == "image":
                continue
            x0, y0, x1, y1 = region.bbox
            box = QRect(round(x0 * width), round(y0 * height), round((x1 - x0) * width), round((y1 - y0) * height))
            colour = QColor(255, 200, 0) if region.kind == "text" else QColor(0, 200, 255)
            painter.setPen(QPen(colour, max(2, width // 400)))
            painter.drawRect(box)
            if region.kind == "text" and region.text:
                label = f'"{region.text}"'
            elif region.kind == "object" and region.text:
                label = f"{region.text} {region.confidence:.0%}"  # the detector's class: dog 87%
            else:
                label = region.label or region.kind
            painter.drawText(box.adjusted(4, 2, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
            self.drawn_regions.append(label)
        painter.end()

    def _details_html(self, item: GalleryItem, found) -> str:  # type: ignore[no-untyped-def]
        rows = [("File", item.path)]
        try:
            stat = os.stat(item.path)
            rows.append(("Size", f"{stat.st_size / 1e6:.1f} MB"))
            file_time = stat.st_mtime
        except OSError:
            file_time = None
        if found is not None:
            info, regions = found
            rows.append(("Pixels", f"{info.width} × {info.height} ({info.format})"))
            when = info.taken_at
            label = "Taken" if when else "File date"
            when = when or file_time
            if when:
                rows.append((label, datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")))
            if info.camera:
                rows.append(("Camera", info.camera))
            texts = [r.text for r in regions if r.kind == "text" and r.text]
            objects = sorted({f"{r.text} ({r.label})" if r.text else r.label for r in regions if r.kind == "object" and r.label})
            if objects:
                rows.append(("Objects", ", ".join(objects)))
            if texts:
                rows.append(("Text", " · ".join(texts)))
            if len(info.paths) > 1:
                rows.append(("Copies", "<br>".join(html.escape(p) for p in info.paths[1:])))
        if item.why:
            rows.append(("Matched", f"{item.why} (score {item.score:.3f})"))
        return "".join(f"<p><b>{k}</b><br>{v if k == 'Copies' else html.escape(str(v))}</p>" for k, v in rows)

    def _fit(self) -> None:
        if not self._pixmap.isNull():
            self.picture.setPixmap(
                self._pixmap.scaled(self.picture.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            )

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Space) and self.index < len(self.items) - 1:
            self.index += 1
            self.show_current()
        elif event.key() == Qt.Key.Key_Left and self.index > 0:
            self.index -= 1
            self.show_current()
        else:
            super().keyPressEvent(event)
