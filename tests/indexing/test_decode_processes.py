"""Decoding in processes (the GPU path) indexes exactly what decoding in threads does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.images import make_broken_set, photo, save_jpeg


def test_process_pool_gives_the_same_library(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PHOTO_ORGANIZER_DECODE_PROCESSES", "1")
    folder = tmp_path / "p"
    for i in range(10):
        save_jpeg(folder / f"{i}.jpg", photo(70 + i))
    shutil.copy(folder / "3.jpg", folder / "3-copy.jpg")  # same content in one run: one image
    make_broken_set(tmp_path / "p" / "broken")
    out = cli("index", folder, "--json", "--workers", "2", "--batch-size", "4")
    assert out.code == 0, out.err
    report = out.json
    assert report["embedded"] == 10 and report["new"] == 11 and report["failed"] >= 5
    status = cli("status", "--json").json
    assert status["images"] == 10 and status["files"] == 11
    assert status["consistent"] and status["vectors"] == status["index_vectors"] == 10
