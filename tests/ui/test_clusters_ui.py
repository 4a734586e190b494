"""The Clusters view: the strictness slider regroups live and keeps a renamed cluster's name;
events as a second grouping, opened into the gallery and searched within."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.dated_photos import shoot_five_events
from tests.ui.conftest import open_window


@pytest.fixture
def events_shot(cli, tmp_path: Path, shapes_model: str) -> list[list[str]]:
    expected = shoot_five_events(tmp_path / "camera")
    assert cli("index", tmp_path / "camera", "--model", shapes_model, "--no-detect", "--no-ocr").code == 0
    return expected


@pytest.fixture
def window(qtbot, library_dir, events_shot):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, library_dir)
    qtbot.waitUntil(
        lambda: win.controller.browse.clustering is not None and bool(win.controller.browse.events), timeout=60000
    )
    return win


def _groups(window) -> dict[frozenset[int], str]:  # type: ignore[no-untyped-def]
    return {frozenset(c.image_ids): c.name for c in window.controller.browse.clusters.values()}


def _side_texts(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [window.side.cluster_list.item(i).text() for i in range(window.side.cluster_list.count())]


def test_the_strictness_slider_regroups_and_keeps_a_renamed_cluster(qtbot, window):
    browse = window.controller.browse
    panel = window.clusters_panel
    assert browse.clustering.radius["how"] == "chosen" and browse.clustering.radius["strictness"] == 0.5
    assert panel.summary.text().startswith(f"{len(browse.clusters)} groups")
    largest = max(browse.clusters.values(), key=lambda c: c.size)
    window.controller.organise.rename_cluster(largest.id, "Morning walk")
    qtbot.waitUntil(lambda: any(t.startswith("Morning walk (") for t in _side_texts(window)), timeout=10000)
    before = _groups(window)

    with qtbot.waitSignal(window.clusters_refreshed, timeout=30000):
        panel.strictness.setValue(100)  # the strictest: half the chosen radius
    qtbot.waitUntil(lambda: browse.clustering.radius["strictness"] == 1.0, timeout=30000)
    stricter = _groups(window)
    assert stricter != before, "the groups changed"
    assert browse.clustering.radius["eps"] < browse.clustering.radius["base"]
    assert window.side.strictness.value() == 1.0, "the side panel's slider follows"
    renamed = set(largest.image_ids)
    for members, name in stricter.items():
        kept = len(members & renamed) / len(members | renamed)
        assert (name == "Morning walk") == (kept >= 0.5), "the name stays where half its photos stay"

    with qtbot.waitSignal(window.clusters_refreshed, timeout=30000):
        window.side.strictness.setValue(0)  # the loosest, from the side panel
    qtbot.waitUntil(lambda: browse.clustering.radius["strictness"] == 0.0, timeout=30000)
    looser = _groups(window)
    assert len(looser) <= len(before) and browse.clustering.noise <= len(window.controller.browse.entries)
    assert panel.strictness.value() == 0.0
    assert "Morning walk" in looser.values(), "merged into a looser group, the renamed one keeps its name"


def test_events_open_in_the_gallery_and_a_search_stays_within_them(qtbot, window, events_shot):
    from app.ui.cluster_view import ClusterKeyRole

    panel = window.clusters_panel
    window.views.setCurrentIndex(1)
    panel.by_events.click()
    assert panel.currentIndex() == 2 and not panel.strictness.isVisible()
    assert panel.event_model.rowCount() == 5 and panel.summary.text() == "5 events"
    names = [panel.event_model.index(r).data() for r in range(5)]
    assert names[0].startswith("14–15 May 2024") and names[-1].startswith("Saturday 11 May 2024, morning")
    blue = panel.event_model.index(3)
    assert blue.data().startswith("Saturday 11 May 2024, afternoon")
    panel.event_opened.emit(blue.data(ClusterKeyRole))
    assert window.views.currentIndex() == 0
    shown = {window.model.item(r).path for r in range(window.model.rowCount())}
    assert shown == set(events_shot[1])

    with qtbot.waitSignal(window.search_finished, timeout=30000):
        window.controller.searching.search("circle")
    found = {window.model.item(r).path for r in range(window.model.rowCount())}
    assert found and found <= set(events_shot[1]), "a search within the event finds only its photos"
    assert "in Saturday 11 May 2024, afternoon" in window.status_label.text()
    window.clear_search()
    qtbot.waitUntil(lambda: window.model.rowCount() == len(events_shot[1]), timeout=10000)
    assert {window.model.item(r).path for r in range(window.model.rowCount())} == set(events_shot[1])
    panel.by_similarity.click()
    assert panel.currentIndex() == 1 and not panel.strictness.isHidden()


def test_the_grouping_and_strictness_are_remembered(qtbot, window, library_dir):
    from PySide6.QtCore import QSettings

    window.clusters_panel.by_events.click()
    window.clusters_panel.strictness.setValue(80)  # reported once the slider settles (300 ms)
    qtbot.waitUntil(lambda: window.controller.browse.clustering.radius["strictness"] == 0.8, timeout=30000)
    window.close()
    assert QSettings().value("clusters/strictness") in (80, "80")
    again = open_window(qtbot, library_dir)
    assert again.clusters_panel.grouping == "events" and again.controller.organise.strictness == 0.8
    assert again.side.strictness.value() == 0.8 and again.clusters_panel.strictness.value() == 0.8
    qtbot.waitUntil(lambda: again.controller.browse.clustering is not None, timeout=60000)
    assert again.controller.browse.clustering.radius["strictness"] == 0.8
