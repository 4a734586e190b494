"""The map's points as arrays: groups found by image id however the clusters list them."""

from __future__ import annotations

import numpy as np

from app.analysis.results import MapPoint, MapPoints
from app.controller.browse_state import NOT_GROUPED
from app.controller.map_layout import MapLayout


def _layout(image_ids: list[int]) -> MapLayout:
    points = [MapPoint(f"/p/{i}.jpg", i, float(i), 0.0, -float(i), 0) for i in image_ids]
    return MapLayout.of(MapPoints(points), {i: f"/t/{i}.jpg" for i in image_ids if i % 2})


def test_points_keep_their_order_and_their_thumbnails():
    layout = _layout([30, 10, 20])
    assert layout.image_ids.tolist() == [30, 10, 20] and layout.positions.dtype == np.float32
    assert layout.positions[:, 0].tolist() == [30.0, 10.0, 20.0] and layout.paths[1] == "/p/10.jpg"
    assert layout.thumbnails == ["", "", ""] and _layout([3]).thumbnails == ["/t/3.jpg"]


def test_each_point_takes_its_clusters_id_and_the_rest_none():
    layout = _layout([30, 10, 20, 40, 50])
    # 99 came after the map was made: it has no point, and must not land on another's.
    groups = layout.groups({7: [20, 99, 30], 3: [50], 5: []})
    assert groups.tolist() == [7, NOT_GROUPED, 7, NOT_GROUPED, 3]
    assert layout.groups({}).tolist() == [NOT_GROUPED] * 5
    assert _layout([]).groups({1: [1]}).tolist() == []


def test_groups_at_a_hundred_thousand_points_match_a_dictionary():
    rng = np.random.default_rng(4)
    ids = rng.permutation(200_000)[:100_000]
    layout = _layout(ids.tolist())
    members: dict[int, list[int]] = {}
    for image_id in rng.choice(ids, 60_000, replace=False).tolist():
        members.setdefault(int(rng.integers(0, 3000)), []).append(image_id)
    cluster_of = {i: c for c, group in members.items() for i in group}
    assert layout.groups(members).tolist() == [cluster_of.get(i, NOT_GROUPED) for i in ids.tolist()]
