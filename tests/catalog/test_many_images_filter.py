"""A filter of more photos than SQLite takes bound parameters (32,766 by default, 250,000 as
Debian builds it): a place, person, album or tag with 270,000 photos at a million is a search
like any other, not "too many SQL variables"."""

from __future__ import annotations

import numpy as np
from sqlalchemy import text

from app.catalog.database import open_catalog
from app.catalog.places import images_at_place
from app.catalog.search_lookups import CatalogFilters, image_ids_matching, region_ids_matching


def test_a_quarter_of_a_million_photos_pass_a_filter(tmp_path):
    engine = open_catalog(tmp_path / "catalog.sqlite")
    n = 300_000
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) "
            "INSERT INTO images(id, content_hash, byte_size, width, height, format, added_at, taken_at) "
            "SELECT i, printf('%064d', i), 1, 1, 1, 'JPEG', 0, 1600000000 + i FROM k",
            (n,),
        )
        conn.exec_driver_sql(
            "INSERT INTO files(path, folder, size, mtime_ns, image_id) SELECT '/p/' || id || '.jpg', '/p', 1, 0, id FROM images"
        )
        conn.exec_driver_sql(
            "INSERT INTO regions(image_id, kind, x0, y0, x1, y1, confidence, vector) "
            "SELECT id, 'image', 0, 0, 1, 1, 1, x'00' FROM images"
        )
        conn.execute(
            text(
                "INSERT INTO image_places(image_id, city, region, country, country_code, estimated, by) "
                "SELECT id, CASE WHEN id % 8 THEN 'Lisboa' ELSE 'Porto' END, 'Lisboa', 'Portugal', 'PT', 0, 'gps' "
                "FROM images"
            )
        )
    in_lisbon = images_at_place(engine, "LISBOA")
    assert len(in_lisbon) == n and len(images_at_place(engine, "porto")) == n // 8
    assert images_at_place(engine, "Reykjavik") == frozenset()
    chosen = frozenset(i for i in range(1, n + 1) if i % 10)  # 270,000
    regions = region_ids_matching(engine, CatalogFilters(images=chosen))
    assert len(regions) == len(chosen) and np.all(np.diff(regions) > 0)
    newest = image_ids_matching(engine, CatalogFilters(images=chosen, after=1600000000 + 100), 3)
    assert newest == [n - 1, n - 2, n - 3], "newest first; 300,000 is not chosen"
