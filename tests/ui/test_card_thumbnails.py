"""Cards (clusters, events, people) repaint when their cover's thumbnail arrives: the rows
showing a thumbnail come from an index made once per set of cards, never a scan per arrival."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt

from app.controller.browse_state import ClusterCard
from app.ui.cluster_view import ClusterModel
from app.ui.thumbnails import ThumbnailCache


def test_a_cover_arriving_repaints_every_card_it_covers_and_only_those(qtbot, tmp_path: Path):
    cover = tmp_path / "cover.jpg"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(cover)
    cache = ThumbnailCache(size=32)
    model = ClusterModel(cache)
    model.set_cards([ClusterCard(1, "beach", 3, 7, cover), ClusterCard(2, "dogs", 2, 8, cover)])
    assert model.rows_showing(7) == [0] and model.rows_showing(9) == []
    # New cards (the slider moved): the index follows them.
    cards = [ClusterCard(k, f"group {k}", 2, 7 if k in (4, 9) else 100 + k, cover) for k in range(12)]
    cards.append(ClusterCard(99, "no cover yet", 1, None, None))
    model.set_cards(cards)
    assert model.rows_showing(7) == [4, 9]

    repainted: list[int] = []
    model.dataChanged.connect(lambda first, _last, roles: repainted.append(first.row()))
    assert model.data(model.index(4), Qt.ItemDataRole.DecorationRole) is None  # asked for: loading
    with qtbot.waitSignal(cache.thumbnail_ready, timeout=10000):
        pass
    assert sorted(repainted) == [4, 9]
    assert model.data(model.index(9), Qt.ItemDataRole.DecorationRole) is not None
    cache.shutdown()
