"""What the window remembers between runs: geometry, splitter, the view shown, thumbnail size,
grid or list, the thumbnail cache's size, and how the Clusters view groups (similar photos at
a strictness, or events)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QTabWidget

if TYPE_CHECKING:
    from app.controller.window_controller import WindowController
    from app.ui.analysis_panels import ClustersPanel
    from app.ui.search_bar import SearchBar
    from app.ui.thumbnails import ThumbnailCache


class RememberedWindow(Protocol):
    """What of the window is remembered: its geometry and the parts named here."""

    splitter: QSplitter
    views: QTabWidget
    search_bar: SearchBar
    cache: ThumbnailCache
    controller: WindowController
    clusters_panel: ClustersPanel

    def restoreGeometry(self, geometry: QByteArray, /) -> bool: ...

    def saveGeometry(self) -> QByteArray: ...

    def resize(self, w: int, h: int, /) -> None: ...

    def show_strictness(self, strictness: float) -> None: ...


def restore_window_state(window: RememberedWindow) -> int:
    """Restores what was remembered; returns the view (tab) to show once the library is open."""
    settings = QSettings()
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    else:
        window.resize(1100, 750)
    splitter = settings.value("window/splitter")
    if isinstance(splitter, QByteArray):
        window.splitter.restoreState(splitter)
    window.search_bar.size_slider.setValue(_int_setting(settings, "gallery/size", 160))
    window.search_bar.list_button.setChecked(bool(settings.value("gallery/list", False, type=bool)))
    window.cache.capacity = _int_setting(settings, "gallery/cache", window.cache.capacity)
    strictness = min(max(_int_setting(settings, "clusters/strictness", 50), 0), 100) / 100
    window.controller.organise.strictness = strictness
    window.show_strictness(strictness)
    if settings.value("clusters/grouping", "similar") == "events":
        window.clusters_panel.by_events.setChecked(True)
    return _int_setting(settings, "window/view", 0)


def save_window_state(window: RememberedWindow) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/splitter", window.splitter.saveState())
    settings.setValue("window/view", window.views.currentIndex())
    settings.setValue("gallery/size", window.search_bar.size_slider.value())
    settings.setValue("gallery/list", window.search_bar.list_button.isChecked())
    settings.setValue("gallery/cache", window.cache.capacity)
    settings.setValue("clusters/strictness", round(window.controller.organise.strictness * 100))
    settings.setValue("clusters/grouping", window.clusters_panel.grouping)


def _int_setting(settings: QSettings, key: str, default: int) -> int:
    """A remembered number, or `default` when missing or not a number (a hand-edited file)."""
    try:
        return int(str(settings.value(key, default)))
    except ValueError:
        return default
