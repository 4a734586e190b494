"""Videos that are broken, odd or huge (#29), each made by FFmpeg: every one is a clear failure
line naming the file or is indexed with bounded work, and the run goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import catalog_rows
from tests.helpers.videos import write_audio_only, write_timed_video, write_video

RED, BLUE = (200, 30, 30), (30, 30, 200)
HOURS_10 = [(60.0 * i, ((i * 53) % 256, (i * 97) % 256, (i * 31) % 256)) for i in range(600)]  # a scene a minute


@pytest.fixture
def odd_videos(tmp_path: Path) -> Path:
    folder = tmp_path / "odd"
    whole = write_video(tmp_path / "whole.mp4", [(RED, 2), (BLUE, 2)])
    (folder / "cut off.mp4").parent.mkdir(parents=True)
    (folder / "cut off.mp4").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # a copy cut short
    write_audio_only(folder / "voice memo.mp4")
    (folder / "unknown codec.mp4").write_bytes(whole.read_bytes().replace(b"avc1", b"zzzz"))
    write_timed_video(folder / "ten hours.mp4", HOURS_10)
    variable = [(0.0, RED), (0.1, RED), (0.45, RED), (1.7, RED), (4.25, BLUE), (4.3, BLUE), (6.9, BLUE)]
    write_timed_video(folder / "variable rate.mp4", variable)
    save_jpeg(folder / "photo.jpg", photo(2))
    return folder


def _frames(library: Path) -> dict[str, list[float]]:
    (rows,) = catalog_rows(
        library,
        "SELECT f.path, r.time FROM files f JOIN regions r ON r.image_id = f.image_id "
        "WHERE r.kind = 'frame' ORDER BY r.time",
    )
    found: dict[str, list[float]] = {}
    for path, when in rows:
        found.setdefault(Path(path).name, []).append(when)
    return found


def test_broken_and_odd_videos_are_one_line_each_and_long_ones_cost_little(cli, odd_videos, library_dir):
    report = cli("index", odd_videos, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0, report.err
    assert "Traceback" not in report.err
    failures = {Path(f["path"]).name: f["error"] for f in report.json["failures"]}
    assert set(failures) == {"cut off.mp4", "voice memo.mp4", "unknown codec.mp4"}
    assert all("\n" not in error for error in failures.values())
    assert failures["voice memo.mp4"] == "holds no video stream"
    assert "codec the bundled FFmpeg cannot decode" in failures["unknown codec.mp4"]
    assert failures["cut off.mp4"].startswith("not a video FFmpeg can read")
    assert report.json["embedded"] == 3

    frames = _frames(library_dir)
    assert frames["variable rate.mp4"] == [0.0, 4.25], "each scene at its own time, however frames are spaced"
    long = frames["ten hours.mp4"]
    assert 12 <= len(long) <= 24, "a bounded number of frames"
    assert long[0] == 0.0 and long[-1] > 9 * 3600, "spread over all ten hours, not the first few minutes"
    assert min(b - a for a, b in zip(long, long[1:], strict=False)) >= 36000 / 24 - 60
