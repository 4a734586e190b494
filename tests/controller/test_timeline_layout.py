"""The timeline's layout: groups by day or month, cells, headers, hit tests and moves."""

from __future__ import annotations

import numpy as np
import pytest

from app.controller.timeline_layout import TimelineLayout, day_title, group_starts

CELL = (100, 120)
HEADER = 40


def _days(*runs: tuple[int, int]) -> np.ndarray:
    return np.concatenate([np.full(count, day, np.int64) for day, count in runs])


def test_titles_name_the_day_or_the_month():
    assert day_title(20240714) == "Sunday 14 July 2024"
    assert day_title(20240229) == "Thursday 29 February 2024"
    assert day_title(202407) == "July 2024"
    assert day_title(0) == "Date unknown"
    assert day_title(20240231) == "20240231"  # never a traceback for a key no calendar has


def test_groups_are_runs_of_a_day_or_a_month_and_only_in_date_order():
    days = _days((20240714, 3), (20240713, 2), (20240630, 4), (20230101, 1))
    starts, keys = group_starts(days, by_month=False)
    assert starts.tolist() == [0, 3, 5, 9] and keys.tolist() == [20240714, 20240713, 20240630, 20230101]
    starts, keys = group_starts(days, by_month=True)
    assert starts.tolist() == [0, 5, 9] and keys.tolist() == [202407, 202406, 202301]
    assert group_starts(days[::-1].copy(), by_month=False) is not None, "oldest first is a timeline too"
    assert group_starts(np.array([20240714, 20230101, 20240714]), by_month=False) is None, "ranked: no timeline"


def _layout(counts: list[int], width: int = 350) -> TimelineLayout:
    days = _days(*[(20240700 + 20 - i, n) for i, n in enumerate(counts)])
    return TimelineLayout(len(days), group_starts(days, by_month=False), width, CELL, HEADER)


def test_cells_sit_under_their_day_header_in_lines_of_equal_cells():
    layout = _layout([5, 2, 7])  # 3 columns in 350 px
    assert layout.columns == 3 and layout.grouped
    assert [layout.cell_of(r).y for r in (0, 2, 3, 4)] == [HEADER, HEADER, HEADER + 120, HEADER + 120]
    assert (layout.cell_of(4).x, layout.cell_of(5).x) == (100, 0), "a new day starts a new line"
    second_top = HEADER + 2 * 120
    assert layout.cell_of(5).y == second_top + HEADER
    assert layout.height == 3 * HEADER + (2 + 1 + 3) * 120
    assert layout.cell_of(-1) is None and layout.cell_of(14) is None


def test_every_cell_is_found_again_under_the_pointer_and_headers_hold_none():
    layout = _layout([5, 2, 7, 1, 30])
    for row in range(layout.rows):
        cell = layout.cell_of(row)
        assert layout.row_at(cell.x + cell.width // 2, cell.y + cell.height // 2) == row
        assert layout.nearest_row(cell.x + 1, cell.y + 1) == row
    assert layout.row_at(10, 5) is None, "on the first header"
    assert layout.row_at(250, HEADER + 125) is None, "past the end of the first day's second line"
    assert layout.nearest_row(250, HEADER + 125) == 4, "the nearest photo: the day's last"
    assert layout.nearest_row(10, 5) == 0 and layout.row_at(340, 50) is None  # beyond the last column


def test_what_shows_between_two_heights():
    layout = _layout([5, 2, 7])
    assert list(layout.rows_between(0, HEADER - 1)) == []
    assert list(layout.rows_between(0, HEADER + 10)) == [0, 1, 2]
    assert list(layout.rows_between(HEADER + 130, HEADER + 2 * 120 + 10)) == [3, 4]  # 2nd line, then a header
    assert [h[0] for h in layout.headers_between(0, layout.height)] == [0, 1, 2]
    assert [h[2] for h in layout.headers_between(HEADER + 2 * 120 + 1, HEADER + 2 * 120 + 2)] == [20240719]


def test_up_and_down_keep_the_column_across_days():
    layout = _layout([5, 2, 7])
    assert layout.row_above_or_below(1, 1) == 4  # the line below, same column
    assert layout.row_above_or_below(4, 1) == 6, "into the next day, same column (its second cell)"
    assert layout.row_above_or_below(6, -1) == 4
    assert layout.row_above_or_below(2, 1) == 4, "a short line: its last photo"
    assert layout.row_above_or_below(0, -1) == 0 and layout.row_above_or_below(13, 5) == 13
    assert layout.row_above_or_below(0, 100) == 13, "a page past the end stops on the last line"
    assert layout.row_above_or_below(2, 100) == 13, "its last photo when the last line is short"


def test_months_for_the_scrubber_and_no_groups_without_dates():
    days = _days((20240714, 3), (20240702, 2), (20240630, 4), (20231231, 1))
    layout = TimelineLayout(len(days), group_starts(days, False), 350, CELL, HEADER)
    assert [(year, month) for _top, year, month in layout.months()] == [(2024, 7), (2024, 6), (2023, 12)]
    assert [top for top, _y, _m in layout.months()] == [0, layout.tops[2], layout.tops[3]]
    flat = TimelineLayout(10, None, 350, CELL, HEADER)
    assert not flat.grouped and flat.months() == [] and flat.cell_of(0).y == 0 and flat.height == 4 * 120


@pytest.mark.parametrize("width", [99, 350, 2000])
def test_a_hundred_thousand_photos_over_years_lay_out_exactly(width):
    rng = np.random.default_rng(7)
    counts = rng.integers(1, 120, 2500)
    days = np.repeat(np.arange(20300000, 20300000 - len(counts), -1), counts)[:100_000]
    layout = TimelineLayout(len(days), group_starts(days, False), width, CELL, HEADER)
    last = layout.cell_of(len(days) - 1)
    assert last.y + last.height == layout.height
    for row in rng.integers(0, len(days), 500).tolist():
        cell = layout.cell_of(row)
        assert layout.row_at(cell.x + 5, cell.y + 5) == row
