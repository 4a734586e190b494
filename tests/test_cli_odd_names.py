"""Any name the file system can hold is indexed, found and shown (DESIGN.md invariant 9):
bytes that are not UTF-8 (old zip archives, Samba shares), newlines, quotes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers.images import photo, save_jpeg

BAD = b"\xff\xfe"  # not UTF-8: Python hands the name over as lone surrogates


def _bytes_folder(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    root = tmp_path / "archive"
    odd_dir = os.fsencode(root) + b"/old " + BAD
    os.makedirs(odd_dir)
    odd_file = odd_dir + b"/IMG " + BAD + b".jpg"
    save_jpeg(Path(os.fsdecode(odd_file)), photo(1))
    for i in range(3):
        save_jpeg(root / f"good{i}.jpg", photo(10 + i))
    return root, odd_dir, odd_file


def test_a_name_that_is_not_utf8_is_indexed_with_its_folder_and_found_again(cli, tmp_path: Path):
    root, odd_dir, odd_file = _bytes_folder(tmp_path)
    report = cli("index", root, "--json")
    assert report.code == 0, report.err
    assert (report.json["new"], report.json["failed"]) == (4, 0), report.json["failures"]

    hits = cli("similar", os.fsdecode(odd_file), "--json")
    assert hits.code == 0, hits.err
    assert len(hits.json["results"]) == 3, "the other photos, found from the odd one's stored vector"

    found = cli("search", "pattern", "--folder", os.fsdecode(odd_dir), "--json")
    assert found.code == 0, found.err
    (hit,) = found.json["results"]
    assert os.fsencode(hit["path"]) == odd_file, "the JSON path gives back the very bytes"

    plain = cli("search", "pattern", "--folder", os.fsdecode(odd_dir))
    assert plain.code == 0 and "\\xff\\xfe" in plain.out, plain.out
    status = cli("status", "--json").json
    assert status["images"] == status["files"] == 4 and status["consistent"]
    assert cli("index", root, "--json").json["unchanged"] == 4


def test_a_newline_in_a_name_stays_on_one_output_line(cli, tmp_path: Path):
    root = tmp_path / "p"
    save_jpeg(root / "two\nlines.jpg", photo(1))
    save_jpeg(root / 'it\'s "quoted".jpg', photo(2))
    assert cli("index", root).code == 0
    out = cli("search", "pattern").out.strip().splitlines()
    assert len(out) == 2, out
    assert any("two\\nlines.jpg" in line for line in out)
    paths = {h["path"] for h in cli("search", "pattern", "--json").json["results"]}
    assert paths == {str(root / "two\nlines.jpg"), str(root / 'it\'s "quoted".jpg')}
    assert json.dumps(sorted(paths))  # JSON carries the real names
