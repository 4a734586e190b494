"""How a moment in a video reads in results and in the gallery."""

from __future__ import annotations

from app.catalog.records import RegionInfo
from app.core.durations import clock
from app.search.ranking import explain, region_weight


def test_a_moment_reads_as_a_clock():
    assert [clock(s) for s in (0, 3.9, 42, 605, 3723.5)] == ["0:00", "0:03", "0:42", "10:05", "1:02:03"]


def test_a_frame_is_explained_by_its_moment_and_weighed_as_a_whole_picture():
    frame = RegionInfo(1, 1, "frame", None, (0.0, 0.0, 1.0, 1.0), 1.0, None, 42.0)
    assert explain(frame, "similar image") == "frame at 0:42"
    assert region_weight(frame, {"image": 0.5, "object": 1.0, "text": 1.0}) == 0.5
