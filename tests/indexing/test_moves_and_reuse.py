"""Camera cards reuse names, people renumber and rename: moves are matched by content before a
path is reused, nothing is re-embedded, and a photo keeps its regions (DESIGN.md invariant 4)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from app.catalog import lookups
from app.catalog.regions import NewRegion, add_regions
from app.library import Library
from tests.helpers.images import photo, save_jpeg


def _image_of(lib: Library, path: Path) -> int | None:
    return lookups.image_id_for_path(lib.engine, str(path))


def test_a_reused_camera_name_keeps_the_moved_photo_with_its_regions(library_dir: Path, tmp_path: Path):
    cam = tmp_path / "cam"
    save_jpeg(cam / "DSC_0001.jpg", photo(1))  # A
    save_jpeg(cam / "DSC_0002.jpg", photo(2))  # B
    with Library(library_dir) as lib:
        lib.index([cam])
        a = _image_of(lib, cam / "DSC_0001.jpg")
        assert a is not None
        vector = np.ones(lib.store.dim if lib.store else 1, np.float32).tobytes()
        (text_region,) = add_regions(
            lib.engine, [NewRegion(a, "text", None, (0.1, 0.1, 0.5, 0.2), 0.9, "BAKERY", vector)]
        )
        lib.store.add(np.array([text_region]), np.frombuffer(vector, np.float32)[None, :])  # type: ignore[union-attr]

        (cam / "2023").mkdir()
        shutil.move(cam / "DSC_0001.jpg", cam / "2023" / "DSC_0001.jpg")
        save_jpeg(cam / "DSC_0001.jpg", photo(3))  # C takes the old name
        report = lib.index([cam])

        assert (report.new, report.moved, report.removed, report.failed, report.embedded) == (1, 1, 0, 0, 1), report
        assert _image_of(lib, cam / "2023" / "DSC_0001.jpg") == a, "the moved photo is the same image"
        assert [r.region_id for r in lookups.regions_of_image(lib.engine, a) if r.kind == "text"] == [text_region]
        status = lib.status().to_json()
        assert status["images"] == status["files"] == 3 and status["consistent"]
        assert lib.index([cam]).embedded == 0


def test_renumbering_past_a_link_batch_moves_every_photo_and_embeds_nothing(library_dir: Path, tmp_path: Path):
    cam = tmp_path / "cam"
    count = 300  # more than one batch of links (256)
    for i in range(1, count + 1):
        save_jpeg(cam / f"DSC_{i:04d}.jpg", photo(5000 + i, (48, 36)))
    with Library(library_dir) as lib:
        lib.index([cam])
        before = {i: _image_of(lib, cam / f"DSC_{i:04d}.jpg") for i in range(1, count + 1)}
        for i in range(count, 0, -1):  # every file one number up
            os.rename(cam / f"DSC_{i:04d}.jpg", cam / f"DSC_{i + 1:04d}.jpg")
        report = lib.index([cam])
        assert report.failed == 0 and report.embedded == 0, report.failures[:3]
        assert (report.moved, report.new, report.removed) == (count, 0, 0)
        after = {i: _image_of(lib, cam / f"DSC_{i + 1:04d}.jpg") for i in range(1, count + 1)}
        assert after == before, "every photo keeps its image under its new name"
        status = lib.status().to_json()
        assert status["images"] == status["files"] == status["vectors"] == count and status["consistent"]


def test_a_rewrite_with_the_old_size_and_mtime_is_noticed(library_dir: Path, tmp_path: Path):
    path = save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    with Library(library_dir) as lib:
        lib.index([path.parent])
        old = _image_of(lib, path)
        st = path.stat()
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01  # other content, the same size
        path.write_bytes(bytes(data))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `touch -r` leaves it
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
        report = lib.index([path.parent])
        assert report.unchanged == 0 and report.embedded == 1, "the change time gave it away"
        assert _image_of(lib, path) not in (None, old)
        assert lib.index([path.parent]).unchanged == 1
