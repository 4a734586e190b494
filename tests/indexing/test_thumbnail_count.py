"""The list of missing thumbnails `status` and the index run make by listing the cache (hashes
read as one text, each cache folder listed once) is exactly the thumbnails missing, whatever the
cache holds: thumbnails gone, a link whose target went, a file in the wrong folder, a hash no
thumbnail can have."""

from __future__ import annotations

import os

from sqlalchemy import text

from app.catalog.database import open_catalog
from app.core.paths import LibraryPaths
from app.indexing.thumbnail_repair import listed_missing_thumbnails


def test_the_count_is_the_repairs_list(tmp_path):
    paths = LibraryPaths(tmp_path / "library")
    engine = open_catalog(tmp_path / "catalog.sqlite")
    hashes = [f"{i:02x}" * 32 for i in range(40)] + ["../../etc/passwd", "AB" * 32]
    with engine.begin() as conn:
        for i, h in enumerate(hashes, start=1):
            conn.execute(
                text(
                    "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at) "
                    "VALUES (:i, :h, 1, 1, 1, 'JPEG', 0)"
                ),
                {"i": i, "h": h},
            )
    assert _listed(engine, paths) == hashes[:40]
    for h in hashes[:40]:
        made = paths.thumbnails / h[:2] / f"{h}.jpg"
        made.parent.mkdir(parents=True, exist_ok=True)
        made.write_bytes(b"jpeg")
    (paths.thumbnails / hashes[3][:2] / f"{hashes[3]}.jpg").unlink()
    os.replace(
        paths.thumbnails / hashes[4][:2] / f"{hashes[4]}.jpg", paths.thumbnails / hashes[5][:2] / f"{hashes[4]}.jpg"
    )
    target = tmp_path / "elsewhere.jpg"
    target.write_bytes(b"jpeg")
    link = paths.thumbnails / hashes[6][:2] / f"{hashes[6]}.jpg"
    link.unlink()
    link.symlink_to(target)
    assert _listed(engine, paths) == [hashes[3], hashes[4]]
    target.unlink()  # the link's target went
    assert _listed(engine, paths) == [hashes[3], hashes[4], hashes[6]]


def _listed(engine, paths) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(listed_missing_thumbnails(engine, paths))
