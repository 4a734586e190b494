"""A batch of new images written in one statement per table: each vector with its own image,
copies in the batch stored once, known content and known paths reused, and moves and links
in the same shape."""

from __future__ import annotations

import os

import numpy as np
from sqlalchemy import select

from app.catalog import index_writes
from app.catalog.database import open_catalog
from app.catalog.records import FileLink, ImageFacts, NewImage
from app.catalog.schema import FileRow, ImageRow, RegionRow


def _image(content_hash: str, path: str, rng: np.random.Generator) -> NewImage:
    vector = rng.normal(size=8).astype(np.float32)
    facts = ImageFacts(content_hash, 1000, 40, 30, "JPEG", None, None)
    return NewImage(facts=facts, path=path, size=1000, mtime_ns=1, ctime_ns=2, vector=vector.tobytes())


def test_every_vector_lands_with_its_image_and_known_rows_are_reused(tmp_path):
    engine = open_catalog(tmp_path / "c.sqlite")
    rng = np.random.default_rng(0)
    first = [_image(f"h{i:03d}", f"/p/{i:03d}.jpg", rng) for i in range(300)]  # over one chunk of IN (...)
    written, ids = index_writes.add_embedded_images(engine, first)
    assert [pos for _, pos in written] == list(range(300)) and len(ids) == 300
    with engine.connect() as conn:
        file_ids = {path: fid for path, fid in conn.execute(select(FileRow.path, FileRow.id))}

    raw = os.fsencode("/p/caf") + b"\xe9.jpg"  # a name that is not UTF-8
    second = [
        _image("h001", "/p/copy of 001.jpg", rng),  # known content: a new file of it, no vector
        _image("new-a", "/p/007.jpg", rng),  # a known path now holding new content
        _image("new-b", os.fsdecode(raw), rng),
        _image("new-a", "/p/another a.jpg", rng),  # the same new content twice in the batch
    ]
    written, ids = index_writes.add_embedded_images(engine, second)
    assert [pos for _, pos in written] == [1, 2], "the first of each new content"
    assert ids["h001"] == index_writes.all_image_hashes(engine)["h001"]
    assert ids["new-a"] != ids["h001"]

    with engine.connect() as conn:
        joined = select(ImageRow.content_hash, RegionRow.vector).join(RegionRow, RegionRow.image_id == ImageRow.id)
        vectors = {content_hash: vector for content_hash, vector in conn.execute(joined)}
        files = {
            path: (fid, image) for path, fid, image in conn.execute(select(FileRow.path, FileRow.id, FileRow.image_id))
        }
        region_ids = {rid: image for rid, image in conn.execute(select(RegionRow.id, RegionRow.image_id))}
    for img in first + second[1:3]:
        assert vectors[img.facts.content_hash] == img.vector, img.facts.content_hash
    for region_id, pos in written:
        assert region_ids[region_id] == ids[second[pos].facts.content_hash]
    assert files["/p/007.jpg"] == (file_ids["/p/007.jpg"], ids["new-a"]), "the path keeps its row, with new content"
    assert files["/p/another a.jpg"][1] == files["/p/007.jpg"][1]
    assert files[os.fsdecode(raw)][1] == ids["new-b"]
    assert len(files) == 303

    index_writes.link_files(
        engine,
        [
            FileLink("/p/moved 002.jpg", 1000, 5, 6, files["/p/002.jpg"][1], "/p/002.jpg"),
            FileLink("/p/008.jpg", 1000, 9, 9, ids["h001"]),  # a known path linked to other content
            FileLink("/p/new link.jpg", 1000, 9, 9, ids["h001"]),
        ],
    )
    with engine.connect() as conn:
        after = {
            path: (fid, image) for path, fid, image in conn.execute(select(FileRow.path, FileRow.id, FileRow.image_id))
        }
    assert "/p/002.jpg" not in after and after["/p/moved 002.jpg"][0] == files["/p/002.jpg"][0], "a move renames"
    assert after["/p/008.jpg"] == (files["/p/008.jpg"][0], ids["h001"])
    assert after["/p/new link.jpg"][1] == ids["h001"] and len(after) == 304
