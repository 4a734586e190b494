"""Faces and words inside a video (#29), on a video FFmpeg encoded from real photos of real
people and a shop sign: each found at its moment, a person filmed twice counts once, the words
are found by search at the moment they show, and each face's picture is its own frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers.faces import face_photos
from tests.helpers.images import word_photo
from tests.helpers.library_runs import catalog_rows
from tests.helpers.videos import write_video

SIZE = (640, 480)


def _fitted(path: Path) -> np.ndarray:
    """A photo letterboxed into the video's frame."""
    picture = Image.open(path).convert("RGB")
    picture.thumbnail(SIZE)
    frame = Image.new("RGB", SIZE, (90, 90, 90))
    frame.paste(picture, ((SIZE[0] - picture.width) // 2, (SIZE[1] - picture.height) // 2))
    return np.asarray(frame)


@pytest.fixture
def party(tmp_path: Path) -> Path:
    faces = face_photos()
    sign = np.asarray(word_photo("BAKERY", seed=5, size=SIZE, height=0.2)[0].convert("RGB"))
    scenes = [(_fitted(faces[n]), 3.0) for n in ("obama.jpg", "biden.jpg", "obama2.jpg")] + [(sign, 3.0)]
    return write_video(tmp_path / "phone" / "party.mp4", scenes, size=SIZE, fps=2)


def _found(library: Path) -> tuple[list[tuple[float, int | None]], list[tuple[str, float]], str]:
    faces, texts, ((content_hash,),) = catalog_rows(
        library,
        "SELECT r.time, p.person_id FROM regions r LEFT JOIN face_people p ON p.region_id = r.id "
        "WHERE r.kind = 'face' ORDER BY r.time",
        "SELECT text, time FROM regions WHERE kind = 'text' ORDER BY time",
        "SELECT content_hash FROM images",
    )
    return faces, texts, content_hash


def test_faces_and_words_in_a_video_are_found_at_their_moments(cli, party, library_dir, monkeypatch):
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    monkeypatch.setenv("PHOTO_ORGANIZER_OCR", "1")
    report = cli("index", party.parent, "--no-detect", "--json")
    assert report.code == 0, report.err
    assert report.json["frames"] == 4 and report.json["faces"] == 2, "two people: the one filmed twice once"

    faces, texts, content_hash = _found(library_dir)
    assert [round(t) for t, _ in faces] in ([0, 3], [3, 6]), "each person at a moment they show"
    assert len({p for _, p in faces}) == 2
    assert [(text.upper(), when) for text, when in texts] == [("BAKERY", 9.0)], "the sign, once, at 0:09"
    thumbnails = library_dir / "thumbnails" / content_hash[:2]
    assert sorted(p.name for p in thumbnails.glob(f"{content_hash}@*.jpg")) == [
        f"{content_hash}@{ms}.jpg" for ms in (0, 3000, 6000, 9000)
    ], "every scene frame has its picture"

    people = cli("people", "--json").json["people"]
    assert [(p["faces"], [Path(x).name for x in p["photos"]]) for p in people] == [(1, ["party.mp4"])] * 2

    found = cli("search", "bakery", "--json")
    assert found.code == 0, found.err
    top = found.json["results"][0]
    assert Path(top["path"]).name == "party.mp4"
    assert top["region"]["kind"] == "text" and top["region"]["time"] == 9.0
    assert top["why"].lower() == 'ocr keyword: "bakery" at 0:09'
