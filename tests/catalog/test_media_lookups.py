"""The gallery's marks (RAW+JPEG pairs, videos' durations, stars): those of a page of photos,
as the first page reads them, are the whole library's restricted to that page."""

from __future__ import annotations

from sqlalchemy import text

from app.catalog.database import open_catalog
from app.catalog.media_lookups import gallery_marks


def test_a_pages_marks_are_the_whole_librarys_for_its_photos(tmp_path):
    engine = open_catalog(tmp_path / "catalog.sqlite")
    photos = [  # id, path, format, duration
        (1, "/p/IMG_1.DNG", "DNG", None),
        (2, "/p/IMG_1.JPG", "JPEG", None),
        (3, "/p/clip.mp4", "MP4", 12.5),
        (4, "/p/IMG_4.JPG", "JPEG", None),
        (5, "/q/IMG_5.DNG", "DNG", None),
        (6, "/q/IMG_5.JPG", "JPEG", None),
    ]
    with engine.begin() as conn:
        for image_id, path, kind, duration in photos:
            conn.execute(
                text(
                    "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at, duration) "
                    "VALUES (:i, :h, 1, 1, 1, :f, 0, :d)"
                ),
                {"i": image_id, "h": f"{image_id:064d}", "f": kind, "d": duration},
            )
            conn.execute(
                text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, :f, 1, 1, :i)"),
                {"p": path, "f": path.rsplit("/", 1)[0], "i": image_id},
            )
        conn.execute(
            text(
                "INSERT INTO photo_marks(content_hash, favourite, stars, rejected, changed_at) VALUES (:h, 1, 4, 0, 0)"
            ),
            [{"h": f"{image_id:064d}"} for image_id in (2, 4)],
        )
    whole = gallery_marks(engine)
    page = [(i, path) for i, path, _kind, _duration in photos[:4]]  # the newest four, say
    found = gallery_marks(engine, page)
    assert whole.pairs.raw_of and found.pairs.raw_of == {k: v for k, v in whole.pairs.raw_of.items() if k in (1, 2)}
    assert found.durations == whole.durations == {3: 12.5}
    assert found.marks == {k: v for k, v in whole.marks.items() if k in (1, 2, 3, 4)} and len(found.marks) == 2
