"""Videos end to end (#29), on files FFmpeg encoded: indexed beside photos with their duration,
recording date, camera and an upright thumbnail; each scene's first keyframe searchable as a
frame at its time ("frame at 0:03"); a file FFmpeg cannot read is one failure line; an index
run again redoes nothing, and a moved video keeps its frames."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import catalog_rows
from tests.helpers.videos import write_video

RED, BLUE, GREEN = (200, 30, 30), (30, 30, 200), (30, 200, 30)


@pytest.fixture
def clips(tmp_path: Path) -> Path:
    folder = tmp_path / "phone"
    write_video(folder / "two scenes.mp4", [(RED, 3), (BLUE, 3)], metadata={"creation_time": "2023-07-14T18:30:05Z"})
    apple = {
        "com.apple.quicktime.creationdate": "2024-06-01T20:15:00+0200",
        "com.apple.quicktime.make": "Apple",
        "com.apple.quicktime.model": "iPhone 15",
    }
    write_video(folder / "IMG_0042.MOV", [(GREEN, 2)], rotation=90, metadata=apple)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    save_jpeg(folder / "photo.jpg", photo(3))
    return folder


def _images(library: Path) -> dict[str, tuple]:
    rows, frames = catalog_rows(
        library,
        "SELECT f.path, i.format, i.width, i.height, i.taken_at, i.camera, i.duration, i.id, i.content_hash "
        "FROM files f JOIN images i ON i.id = f.image_id",
        "SELECT image_id, time FROM regions WHERE kind = 'frame' ORDER BY image_id, time",
    )
    by_name = {Path(r[0]).name: r[1:] for r in rows}
    return {name: (*row, [t for i, t in frames if i == row[6]]) for name, row in by_name.items()}


def test_videos_are_indexed_with_their_facts_and_their_scenes(cli, clips, library_dir):
    report = cli("index", clips, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0, report.err
    assert "Traceback" not in report.err
    assert report.json["embedded"] == 3 and report.json["failed"] == 1
    (failure,) = report.json["failures"]
    assert Path(failure["path"]).name == "broken.mp4" and "FFmpeg" in failure["error"]
    assert report.json["frames"] == 3, "two scenes, and one"

    found = _images(library_dir)
    fmt, width, height, taken_at, camera, duration, _id, content_hash, frames = found["two scenes.mp4"]
    assert (fmt, width, height, duration) == ("MP4", 320, 240, 6.0)
    assert taken_at == datetime(2023, 7, 14, 18, 30, 5, tzinfo=UTC).timestamp()
    assert frames == [0.0, 3.0], "each scene's first keyframe"
    thumb = Image.open(library_dir / "thumbnails" / content_hash[:2] / f"{content_hash}.jpg")
    assert thumb.size[0] > thumb.size[1]

    fmt, width, height, taken_at, camera, duration, _id, content_hash, frames = found["IMG_0042.MOV"]
    assert (fmt, width, height, camera, duration) == ("MOV", 240, 320, "Apple iPhone 15", 2.0), "turned upright"
    assert taken_at == datetime(2024, 6, 1, 18, 15, tzinfo=UTC).timestamp(), "Apple's local time, offset"
    thumb = Image.open(library_dir / "thumbnails" / content_hash[:2] / f"{content_hash}.jpg").convert("RGB")
    assert thumb.size[1] > thumb.size[0]
    assert found["photo.jpg"][5] is None and found["photo.jpg"][8] == [], "a photo has no duration, no frames"

    status = cli("status", "--json").json
    assert status["consistent"]
    assert (status["images"], status["videos"], status["raw"]) == (3, 2, 0)
    assert "videos: 2" in cli("status").out


def test_search_finds_the_moment_inside_a_video(cli, clips, tmp_path):
    assert cli("index", clips, "--no-detect", "--no-ocr").code == 0
    blue = tmp_path / "blue.png"
    picture = Image.new("RGB", (320, 240), BLUE)
    picture.paste((255, 255, 255), (0, 0, 106, 80))
    picture.save(blue)
    found = cli("search", "--image", blue, "--json")
    assert found.code == 0, found.err
    top = found.json["results"][0]
    assert Path(top["path"]).name == "two scenes.mp4"
    assert top["region"]["kind"] == "frame" and top["region"]["time"] == 3.0
    assert top["why"] == "frame at 0:03"
    text = cli("search", "--image", blue).out.splitlines()[0]
    assert "two scenes.mp4" in text and "frame at 0:03" in text


def test_indexing_again_redoes_nothing_and_a_moved_video_keeps_its_frames(cli, clips, library_dir, tmp_path):
    assert cli("index", clips, "--no-detect", "--no-ocr").code == 0
    again = cli("index", clips, "--no-detect", "--no-ocr", "--json").json
    assert again["embedded"] == 0 and again["frames"] == 0 and again["unchanged"] == 3
    moved = clips / "2023"
    moved.mkdir()
    shutil.move(clips / "two scenes.mp4", moved / "two scenes.mp4")
    after = cli("index", clips, "--no-detect", "--no-ocr", "--json").json
    assert after["embedded"] == 0 and after["frames"] == 0 and after["moved"] == 1
    assert _images(library_dir)["two scenes.mp4"][8] == [0.0, 3.0]


def test_a_model_switch_embeds_each_frame_from_its_own_moment(cli, clips, library_dir, tmp_path):
    import numpy as np

    from app.indexing.video_files import frame_at
    from app.library import Library
    from app.ml.preprocess import to_model_input
    from app.ml.spec import ModelSpec
    from tests.helpers.models import save_tiny_model

    assert cli("index", clips, "--no-detect", "--no-ocr").code == 0
    other = ModelSpec.parse(f"local-dir:{save_tiny_model(tmp_path / 'other-model')}")
    with Library(library_dir, other) as library:
        report = library.index([clips])
        assert report.reembedded == 3 + 3, "two videos and a photo, and three frames"
        (frames,) = catalog_rows(
            library_dir,
            "SELECT r.id, r.time FROM regions r JOIN files f ON f.image_id = r.image_id "
            "WHERE r.kind = 'frame' AND f.path LIKE '%two scenes.mp4' ORDER BY r.time",
        )
        embedder = library.embedder.load()
        video = str(clips / "two scenes.mp4")
        assert [when for _id, when in frames] == [0.0, 3.0]
        for region_id, when in frames:
            picture = frame_at(video, when)
            assert picture is not None
            expected = embedder.embed_arrays([to_model_input(picture, embedder.input_spec)])[0]
            assert np.allclose(library.store.reconstruct(region_id), expected, atol=1e-5), when


def test_videos_are_duplicates_only_of_the_same_recording(cli, tmp_path):
    folder = tmp_path / "videos"
    when = {"creation_time": "2023-07-14T18:30:05Z"}
    scenes = [(RED, 3), (BLUE, 3)]
    clip = write_video(folder / "clip.mp4", scenes, metadata=when)
    shutil.copy(clip, folder / "clip copy.mp4")
    write_video(folder / "clip small.mp4", scenes, size=(240, 180), metadata=when)  # re-encoded smaller
    write_video(folder / "short.mp4", [(RED, 2)], metadata=when)  # the same first scene, another length
    still = Image.new("RGB", (320, 240), RED)
    still.paste((255, 255, 255), (0, 0, 106, 80))
    save_jpeg(folder / "still.jpg", still)  # a photo of what the video shows
    assert cli("index", folder, "--no-detect", "--no-ocr").code == 0
    groups = cli("duplicates", "--json").json["groups"]
    named = {(g["tier"], frozenset(Path(p).name for p in g["paths"])) for g in groups}
    assert ("exact", frozenset({"clip.mp4", "clip copy.mp4"})) in named
    same = [names for tier, names in named if tier == "same"]
    assert same == [frozenset({"clip.mp4", "clip small.mp4"})], "the re-encode: same length, same pictures"
    assert not any("short.mp4" in names or "still.jpg" in names for _tier, names in named)
