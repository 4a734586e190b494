"""The GPU decode path (nvjpeg on CUDA; forced here onto the CPU through torchvision's own JPEG
decoder) indexes exactly the photos the CPU path does, upright, with the same facts, thumbnails
and nearly the same vectors, and reports the same broken files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers.images import exif_with, make_broken_set, make_valid_set, photo, save_jpeg


def _facts(library: Path) -> dict[str, tuple]:
    db = sqlite3.connect(library / "catalog.sqlite")
    try:
        rows = db.execute(
            "SELECT f.path, i.width, i.height, i.taken_at, i.camera, i.content_hash, r.vector FROM files f "
            "JOIN images i ON i.id = f.image_id JOIN regions r ON r.image_id = i.id AND r.kind = 'image'"
        ).fetchall()
    finally:
        db.close()
    return {Path(r[0]).name: (r[1], r[2], r[3], r[4], r[5], np.frombuffer(r[6], np.float32)) for r in rows}


def test_gpu_path_indexes_like_the_cpu_path(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    photos = tmp_path / "photos"
    make_valid_set(photos / "valid")
    make_broken_set(photos / "broken")
    for orientation in (2, 3, 4, 5, 7, 8):  # every EXIF orientation, not only the common 6
        save_jpeg(photos / f"orient{orientation}.jpg", photo(40 + orientation, (300, 200)), exif=exif_with(orientation=orientation).tobytes())

    monkeypatch.setenv("PHOTO_ORGANIZER_GPU_DECODE", "0")
    cpu = cli("index", photos, "--json", "--library", tmp_path / "cpu-lib")
    monkeypatch.setenv("PHOTO_ORGANIZER_GPU_DECODE", "1")
    gpu = cli("index", photos, "--json", "--library", tmp_path / "gpu-lib")
    assert cpu.code == gpu.code == 0, gpu.err
    for key in ("scanned", "new", "embedded", "failed"):
        assert gpu.json[key] == cpu.json[key], key
    assert sorted(f["path"] for f in gpu.json["failures"]) == sorted(f["path"] for f in cpu.json["failures"])

    on_cpu, on_gpu = _facts(tmp_path / "cpu-lib"), _facts(tmp_path / "gpu-lib")
    assert on_gpu.keys() == on_cpu.keys()
    for name, (w, h, taken, camera, content_hash, vector) in on_gpu.items():
        cw, ch, ctaken, ccamera, _, cvector = on_cpu[name]
        assert (w, h, taken, camera) == (cw, ch, ctaken, ccamera), name
        assert float(vector @ cvector) > 0.98, name  # same picture, resized by another library
        thumb = tmp_path / "gpu-lib" / "thumbnails" / content_hash[:2] / f"{content_hash}.jpg"
        cpu_thumb = tmp_path / "cpu-lib" / "thumbnails" / content_hash[:2] / f"{content_hash}.jpg"
        with Image.open(thumb) as a, Image.open(cpu_thumb) as b:
            assert a.size == b.size, name  # upright, and the same size
            diff = np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).mean()
            assert diff < 12, (name, diff)  # the same picture the same way up
