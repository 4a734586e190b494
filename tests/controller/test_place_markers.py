"""The Places map's markers without Qt: clustering by zoom level (every photo in exactly one
marker at every level, no two markers on top of each other, a photo's own spot at the deepest
level), a marker's photos, and the list Country › Region › City."""

from __future__ import annotations

import numpy as np
import pytest

from app.catalog.places import PlaceSummary
from app.controller.place_markers import MARKER_CELL_PX, MAX_LEVEL, PlaceMarkers
from app.controller.place_tree import place_tree
from app.controller.world_outlines import TILE_PX, outlines_at_level, point_count, world_outlines
from app.core.web_mercator import to_lat_lon, to_world

LISBON, PORTO, SYDNEY = (38.7223, -9.1393), (41.1496, -8.6110), (-33.8688, 151.2093)


def _markers(points: list[tuple[float, float]]) -> PlaceMarkers:
    lat, lon = np.array(points).T
    return PlaceMarkers.build(np.arange(1, len(points) + 1), lat, lon)


def test_web_mercator_goes_there_and_back():
    lat = np.array([0.0, 38.7223, -33.8688, 85.0, -85.0])
    lon = np.array([0.0, -9.1393, 151.2093, 179.9, -179.9])
    x, y = to_world(lat, lon)
    assert np.all((x >= 0) & (x <= 1) & (y >= 0) & (y <= 1))
    assert (x[0], y[0]) == (0.5, 0.5) and y[1] < 0.5 < y[2], "north is up"
    back_lat, back_lon = to_lat_lon(x, y)
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)


def test_every_photo_is_in_one_marker_at_every_level_and_markers_do_not_overlap():
    rng = np.random.default_rng(3)
    centres = rng.uniform([-50, -170], [60, 170], (40, 2))
    which = rng.integers(0, len(centres), 3000)
    points = centres[which] + rng.normal(0, 0.3, (3000, 2))
    markers = _markers([tuple(p) for p in points])
    for level, shown in enumerate(markers.levels):
        assert shown.counts.sum() == 3000 and len(shown.member_of) == 3000
        np.testing.assert_array_equal(np.bincount(shown.member_of, minlength=len(shown.counts)), shown.counts)
        world_px = TILE_PX * 2**level
        gaps = np.hypot(shown.x[:, None] - shown.x[None], shown.y[:, None] - shown.y[None]) * world_px
        np.fill_diagonal(gaps, np.inf)
        assert gaps.min() >= MARKER_CELL_PX / 2, f"two markers closer than half a cell at level {level}"
    counts = [len(level.counts) for level in markers.levels]
    assert counts == sorted(counts), "zooming in never joins markers"
    assert counts[0] < 16 and counts[MAX_LEVEL] == 3000


def test_markers_split_as_the_zoom_grows():
    markers = _markers([LISBON, (38.7139, -9.1334), PORTO, SYDNEY])
    by_level = {level: sorted(markers.levels[level].counts.tolist()) for level in (3, 9, 17)}
    assert by_level[3] == [1, 3], "Portugal is one marker from afar; Sydney another"
    assert by_level[9] == [1, 1, 2], "Lisbon's two photos, a kilometre apart, are one marker in a city's view"
    assert by_level[17] == [1, 1, 1, 1], "streets apart"
    level = 9
    lisbon = int(markers.levels[level].member_of[0])
    assert markers.photos(level, lisbon).tolist() == [1, 2]
    box = markers.bounds(np.array([3]))
    assert box is not None and box[0] == box[2], "one photo: a point"
    assert markers.bounds(np.array([99])) is None
    view = markers.in_view(level, (0.0, 0.0, 0.5, 1.0))
    assert {int(markers.levels[level].counts[i]) for i in view} == {1, 2}, "Portugal is west of Greenwich"


def test_no_photos_make_no_markers():
    markers = PlaceMarkers.empty()
    assert len(markers) == 0 and all(len(level.counts) == 0 for level in markers.levels)
    assert markers.bounds() is None and len(markers.in_view(5, (0, 0, 1, 1))) == 0


def test_the_outlines_are_the_worlds_countries_simplified_by_level():
    countries = {outline.name for outline in world_outlines()}
    assert {"Portugal", "Iceland", "Fiji", "Australia", "Lesotho"} <= countries and len(countries) > 200
    detail = [point_count(outlines_at_level(level)) for level in (0, 3, 7)]
    assert detail[0] < detail[1] < detail[2] <= point_count(world_outlines())
    assert detail[0] < 20_000, "a whole-world view draws a few thousand points"
    portugal = next(o for o in world_outlines() if o.name == "Portugal")
    x, y = to_world(*LISBON)
    assert portugal.box[0] <= x <= portugal.box[2] and portugal.box[1] <= y <= portugal.box[3]


@pytest.mark.parametrize("reverse", [False, True])
def test_the_list_is_country_region_city_with_counts(reverse):
    summaries = [
        PlaceSummary("Portugal", "Lisbon", "Lisbon", 3, 1, 38.72, -9.14, [1, 2, 5]),
        PlaceSummary("Portugal", "Porto", "Porto", 1, 0, 41.15, -8.61, [3]),
        PlaceSummary("Australia", "New South Wales", "Sydney", 1, 0, -33.87, 151.2, [4]),
        PlaceSummary("Monaco", "", "Monaco", 2, 0, 43.73, 7.42, [6, 7]),
    ]
    tree = place_tree(list(reversed(summaries)) if reverse else summaries)
    assert [(n.name, n.count, n.estimated) for n in tree] == [
        ("Australia", 1, 0),
        ("Monaco", 2, 0),
        ("Portugal", 4, 1),
    ]
    portugal = tree[2]
    assert [(r.name, r.count) for r in portugal.children] == [("Lisbon", 3), ("Porto", 1)]
    assert [(c.name, c.image_ids) for c in portugal.children[0].children] == [("Lisbon", (1, 2, 5))]
    assert portugal.image_ids == (1, 2, 3, 5) and portugal.label == "Portugal (4, 1 estimated)"
    assert [(c.name, c.children) for c in tree[1].children] == [("Monaco", ())], "no region: the city itself"
