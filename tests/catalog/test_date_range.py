"""A date range's photos found through the indexes are exactly those whose date (taken, else the
newest file's time) is within it, for open and closed ranges, ranges that hold ties and file
times, and a range of too many files, which is left to the date expression."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from app.catalog.date_range import images_between
from app.catalog.schema import FileRow, ImageRow
from app.catalog.search_lookups import CatalogFilters, image_ids_matching, region_ids_matching
from app.catalog.sql_helpers import taken_or
from tests.helpers.mixed_dates import NOW, YEAR, mixed_date_library


def _expected(conn, after, before) -> list[int]:  # type: ignore[no-untyped-def]
    newest = select(func.max(FileRow.mtime_ns)).where(FileRow.image_id == ImageRow.id).scalar_subquery() / 1e9
    when = taken_or(newest)
    conditions = [
        c
        for c in (when >= after if after is not None else None, when <= before if before is not None else None)
        if c is not None
    ]
    return sorted(int(i) for i in conn.execute(select(ImageRow.id).where(*conditions)).scalars())


RANGES = [
    (NOW - 3 * YEAR, NOW - 2 * YEAR),  # holds a tie of dates taken at its start
    (NOW - 5 * YEAR - 1, NOW - 5 * YEAR + 1),
    (NOW - YEAR, None),  # since a year ago: copy times
    (None, NOW - 10 * YEAR),
    (NOW - YEAR / 2, NOW - YEAR / 2),  # one instant: files copied at once
    (NOW + 40 * YEAR, None),  # nothing
]


@pytest.mark.parametrize(("seed", "undated", "files_new"), [(11, 0.3, 0.5), (12, 1.0, 0.9), (13, 0.05, 0.0)])
def test_a_ranges_photos_are_those_whose_date_is_within_it(tmp_path, seed, undated, files_new):
    engine = mixed_date_library(tmp_path / "catalog.sqlite", seed, 1200, undated, files_new)
    with engine.connect() as conn:
        for after, before in RANGES:
            found = images_between(conn, after, before)
            assert found is not None and found.tolist() == _expected(conn, after, before), (after, before)
            assert images_between(conn, after, before, most=0) is None or not _files_within(conn, after, before)


def _files_within(conn, after, before) -> int:  # type: ignore[no-untyped-def]
    lo = -(2**62) if after is None else int(after * 1e9)
    hi = 2**62 if before is None else int(before * 1e9)
    return int(conn.execute(select(func.count()).where(FileRow.mtime_ns.between(lo, hi))).scalar_one())


def test_searchs_filters_give_the_same_photos_through_the_indexes_or_the_expression(tmp_path, monkeypatch):
    import app.catalog.date_range as date_range

    engine = mixed_date_library(tmp_path / "catalog.sqlite", 14, 800, 0.3, 0.4)
    with engine.begin() as conn:  # a vector for each image's whole-image region
        conn.exec_driver_sql(
            "INSERT INTO regions(image_id, kind, x0, y0, x1, y1, confidence, vector) "
            "SELECT id, 'image', 0, 0, 1, 1, 1, x'00' FROM images"
        )
    for after, before in RANGES:
        filters = CatalogFilters(after=after, before=before)
        indexed = (region_ids_matching(engine, filters), image_ids_matching(engine, filters, 50))
        monkeypatch.setattr(date_range, "MOST_FILES", -1)  # every range has too many files
        worked_out = (region_ids_matching(engine, filters), image_ids_matching(engine, filters, 50))
        monkeypatch.undo()
        assert np.array_equal(np.sort(indexed[0]), np.sort(worked_out[0])) and indexed[1] == worked_out[1]
