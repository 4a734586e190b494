"""Playing a video in the viewer (QtMultimedia, whose FFmpeg backend ships in the Qt wheel):
the picture, play/pause, a position slider and the time. A search that found a moment starts it
there. Where QtMultimedia cannot load (a system without PulseAudio's client library), the
viewer shows the video's frame and says why it cannot play."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from app.core.durations import clock


def player_unavailable() -> str | None:
    """Why videos cannot play here, or None when they can."""
    try:
        import PySide6.QtMultimedia  # noqa: F401
        import PySide6.QtMultimediaWidgets  # noqa: F401
    except ImportError as exc:
        return f"videos cannot play here: {exc}"
    return None


class VideoPlayer(QWidget):
    """A video with its controls; `play(path, seconds)` starts it at a moment."""

    position_changed = Signal(int)  # milliseconds

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        super().__init__(parent)
        self.video = QVideoWidget()
        self.player: Any = QMediaPlayer(self)
        self._audio = QAudioOutput(self)
        self.player.setAudioOutput(self._audio)
        self.player.setVideoOutput(self.video)
        self.toggle = QToolButton()
        self.toggle.setText("⏸")
        self.toggle.setToolTip("Play or pause (K)")
        self.toggle.clicked.connect(self.play_or_pause)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.sliderMoved.connect(self.player.setPosition)
        self.time = QLabel("0:00 / 0:00")
        controls = QHBoxLayout()
        controls.addWidget(self.toggle)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addLayout(controls)
        self.player.durationChanged.connect(lambda ms: self.slider.setRange(0, int(ms)))
        self.player.positionChanged.connect(self._moved)
        self.player.playbackStateChanged.connect(self._state)
        self.player.mediaStatusChanged.connect(self._status)
        self._start_at: int | None = None  # where to start once the video has loaded (ms)

    def play(self, path: str, seconds: float | None) -> None:
        self._start_at = round((seconds or 0.0) * 1000)
        self.player.setSource(QUrl.fromLocalFile(path))

    def _status(self, status: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._start_at is not None:
            self.player.setPosition(self._start_at)
            self._start_at = None
            self.player.play()

    def play_or_pause(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def stop(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())

    def _moved(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(int(ms))
        self.time.setText(f"{clock(ms / 1000)} / {clock(self.player.duration() / 1000)}")
        self.position_changed.emit(int(ms))

    def _state(self, state: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        self.toggle.setText("⏸" if state == QMediaPlayer.PlaybackState.PlayingState else "▶")
