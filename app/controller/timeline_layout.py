"""The gallery as a timeline, Qt-free: photos grouped by day (or by month when the thumbnails are
small), each group a header line and then rows of equal cells. Everything the view asks (where
a photo's cell is, which photo is under a point, what is on screen, where each month begins)
is arithmetic over the groups, so that 100,000 photos lay out in the time of their groups."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import numpy as np

MONTH_GROUPS_BELOW = 96  # thumbnails smaller than this group by month ("zoomed out")


def day_title(key: int) -> str:
    """A day's header ("Saturday 14 July 2024"); a month key (YYYYMM) is "July 2024"."""
    if key <= 0:
        return "Date unknown"
    if key < 1_000_000:
        year, month = divmod(key, 100)
        return f"{calendar.month_name[month]} {year}" if 1 <= month <= 12 else str(year)
    try:
        day = date(key // 10000, key // 100 % 100, key % 100)
    except ValueError:
        return str(key)
    return f"{calendar.day_name[day.weekday()]} {day.day} {calendar.month_name[day.month]} {day.year}"


def group_starts(days: np.ndarray, by_month: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The first row of each run of photos taken the same day (month), and that day's key:
    photos come newest first, so a day is one run. None when the rows are not in date order
    (ranked results, an album ordered by hand): such a list has no timeline."""
    keys = days // 100 if by_month else days
    if len(keys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    steps = np.diff(keys)
    if not ((steps <= 0).all() or (steps >= 0).all()):
        return None
    starts = np.concatenate(([0], np.flatnonzero(steps) + 1)).astype(np.int64)
    return starts, keys[starts].astype(np.int64)


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    width: int
    height: int


class TimelineLayout:
    """Where every row of the gallery sits. `starts` are the groups' first rows (one group with
    no header when the gallery is not a timeline), `cell` the size of each photo's cell and
    `header` the height of a group's title line."""

    def __init__(
        self, rows: int, groups: tuple[np.ndarray, np.ndarray] | None, width: int, cell: tuple[int, int], header: int
    ) -> None:
        self.rows = rows
        self.cell_width, self.cell_height = max(1, cell[0]), max(1, cell[1])
        self.columns = max(1, width // self.cell_width)
        if groups is None or len(groups[0]) == 0:
            self.starts, self.keys, self.header = np.zeros(1, np.int64), np.zeros(1, np.int64), 0
        else:
            self.starts, self.keys, self.header = groups[0], groups[1], header
        self.counts = np.diff(np.append(self.starts, rows))
        lines = -(-self.counts // self.columns)  # ceiling
        heights = self.header + lines * self.cell_height
        self.tops = np.concatenate(([0], np.cumsum(heights)[:-1])).astype(np.int64)
        self.height = int(heights.sum()) if rows else 0

    @property
    def grouped(self) -> bool:
        return self.header > 0

    def group_of(self, row: int) -> int:
        return int(np.searchsorted(self.starts, row, side="right")) - 1

    def cell_of(self, row: int) -> Cell | None:
        if not 0 <= row < self.rows:
            return None
        group = self.group_of(row)
        line, column = divmod(row - int(self.starts[group]), self.columns)
        y = int(self.tops[group]) + self.header + line * self.cell_height
        return Cell(column * self.cell_width, y, self.cell_width, self.cell_height)

    def row_at(self, x: int, y: int) -> int | None:
        """The photo whose cell holds the point (content coordinates), or None (a header, a gap)."""
        if self.rows == 0 or y < 0 or x < 0 or y >= self.height:
            return None
        group = int(np.searchsorted(self.tops, y, side="right")) - 1
        inside = y - int(self.tops[group]) - self.header
        column = x // self.cell_width
        if inside < 0 or column >= self.columns:
            return None
        index = inside // self.cell_height * self.columns + column
        return int(self.starts[group]) + index if index < self.counts[group] else None

    def nearest_row(self, x: int, y: int) -> int | None:
        """The photo at the point, or the nearest one in reading order: the first of a group
        whose header it is on, the last of a line it is past the end of."""
        if self.rows == 0:
            return None
        y = min(max(0, y), self.height - 1)
        group = int(np.searchsorted(self.tops, y, side="right")) - 1
        inside = y - int(self.tops[group]) - self.header
        if inside < 0:
            return int(self.starts[group])
        column = min(max(0, x) // self.cell_width, self.columns - 1)
        index = min(inside // self.cell_height * self.columns + column, int(self.counts[group]) - 1)
        return int(self.starts[group]) + index

    def rows_between(self, top: int, bottom: int) -> range:
        """The rows whose lines meet content heights top..bottom (for painting, selecting)."""
        if self.rows == 0 or bottom < 0 or top >= self.height:
            return range(0)
        return range(self._first_row_from(max(0, top)), self._last_row_to(min(bottom, self.height - 1)) + 1)

    def _first_row_from(self, y: int) -> int:
        group = int(np.searchsorted(self.tops, y, side="right")) - 1
        line = max(0, (y - int(self.tops[group]) - self.header) // self.cell_height)
        return min(int(self.starts[group]) + line * self.columns, self.rows - 1)

    def _last_row_to(self, y: int) -> int:
        group = int(np.searchsorted(self.tops, y, side="right")) - 1
        inside = y - int(self.tops[group]) - self.header
        if inside < 0:
            return int(self.starts[group]) - 1  # in a header: the group before ends the range
        end = int(self.starts[group]) + (inside // self.cell_height + 1) * self.columns
        return min(end, int(self.starts[group] + self.counts[group])) - 1

    def headers_between(self, top: int, bottom: int) -> list[tuple[int, int, int]]:
        """(group, its header's top, its key) for the headers meeting content heights top..bottom."""
        if not self.grouped:
            return []
        first = max(0, int(np.searchsorted(self.tops, top, side="right")) - 1)
        last = int(np.searchsorted(self.tops, bottom, side="right"))
        return [(g, int(self.tops[g]), int(self.keys[g])) for g in range(first, last)]

    def row_above_or_below(self, row: int, lines: int) -> int:
        """The photo `lines` lines up (negative) or down from `row` in its column, across groups."""
        group = self.group_of(row)
        line, column = divmod(row - int(self.starts[group]), self.columns)
        step = 1 if lines > 0 else -1
        for _ in range(abs(lines)):
            group_lines = -(-int(self.counts[group]) // self.columns)
            if 0 <= line + step < group_lines:
                line += step
            elif 0 <= group + step < len(self.starts):
                group += step
                line = 0 if step > 0 else -(-int(self.counts[group]) // self.columns) - 1
            else:
                break
        return min(
            int(self.starts[group]) + line * self.columns + column, int(self.starts[group] + self.counts[group]) - 1
        )

    def months(self) -> list[tuple[int, int, int]]:
        """(content height, year, month) where each month's first group begins, newest first as
        the photos are: what the date scrubber shows."""
        if not self.grouped:
            return []
        months = self.keys // 100 if self.keys.max() >= 1_000_000 else self.keys
        marks, last = [], -1
        for top, month in zip(self.tops.tolist(), months.tolist(), strict=True):
            if month != last and month > 0:
                marks.append((top, month // 100, month % 100))
                last = month
        return marks
