"""Which paths are there, by listing folders once: the same answers as os.path.exists."""

from __future__ import annotations

import os

from app.core.present_files import LIST_FROM, missing_paths


def _files(folder, count):
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        path = folder / f"IMG_{i:03d}.jpg"
        path.write_bytes(b"\xff\xd8")
        made.append(str(path))
    return made


def test_a_full_folder_is_listed_and_agrees_with_exists(tmp_path):
    here = _files(tmp_path / "2023", LIST_FROM + 5)
    gone = [str(tmp_path / "2023" / f"gone {i}.jpg") for i in range(3)]
    (tmp_path / "2023" / "target.jpg").write_bytes(b"x")
    os.symlink(tmp_path / "2023" / "target.jpg", tmp_path / "2023" / "link.jpg")
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "2023" / "dangling.jpg")
    (tmp_path / "2023" / "now a folder.jpg").mkdir()
    odd = [str(tmp_path / "2023" / name) for name in ("link.jpg", "dangling.jpg", "now a folder.jpg")]
    asked = [gone[0], *here, *odd, gone[1], gone[2]]
    assert missing_paths(asked) == [p for p in asked if not os.path.exists(p)]
    assert missing_paths(asked) == [gone[0], odd[1], gone[1], gone[2]], "a dangling link is missing, in order"


def test_a_folder_that_is_gone_holds_nothing_and_a_few_paths_are_looked_at_one_by_one(tmp_path):
    unplugged = [str(tmp_path / "drive" / f"{i}.jpg") for i in range(LIST_FROM + 2)]
    few = _files(tmp_path / "few", 2)
    assert missing_paths([*few, *unplugged, str(tmp_path / "few" / "x.jpg")]) == [
        *unplugged,
        str(tmp_path / "few" / "x.jpg"),
    ]
    assert missing_paths([]) == []


def test_a_path_asked_twice_is_answered_twice(tmp_path):
    here = _files(tmp_path / "a", LIST_FROM)
    gone = str(tmp_path / "a" / "gone.jpg")
    assert missing_paths([gone, *here, gone]) == [gone, gone]
