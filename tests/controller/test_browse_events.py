"""Browsing events without Qt: an event's photos, searching within it and coming back with Esc,
and the event showing following its photos when events are recomputed."""

from __future__ import annotations

from pathlib import Path

from app.analysis.results import Event, Events
from app.controller.browse_state import BrowseState
from app.controller.gallery_rows import GalleryItem


def _event(event_id: int, image_ids: list[int]) -> Event:
    return Event(event_id, f"event {event_id}", "2024-05-11T10:00:00", "2024-05-11T11:00:00", [], image_ids)


def _state() -> BrowseState:
    state = BrowseState()
    state.entries = {i: GalleryItem(i, f"/p/{i}.jpg", Path(f"/t/{i}.jpg")) for i in range(1, 11)}
    state.set_events(Events([_event(1, [6, 7, 8]), _event(0, [1, 2, 3, 4])]))
    return state


def test_an_event_scopes_searches_until_another_view_is_chosen():
    state = _state()
    assert [c.size for c in state.event_cards()] == [3, 4] and state.event_cards()[0].cover_id == 6
    assert [i.image_id for i in state.choose_event(0)] == [1, 2, 3, 4]
    assert state.search_scope() is not None and state.search_scope().id == 0
    state.show_results()
    assert state.search_scope().id == 0, "a second search from the results stays within the event"
    assert state.leave_results() and state.showing == "event" and state.event_key == 0
    state.choose_cluster(-1)
    assert state.search_scope() is None
    state.choose_event(1)
    state.choose_folder("/p")
    assert state.search_scope() is None and state.event_key is None


def test_the_event_showing_follows_its_photos_when_events_are_recomputed():
    state = _state()
    state.choose_event(0)
    # An older photo arrived: every event's id moved up by one.
    state.set_events(Events([_event(2, [6, 7, 8]), _event(1, [1, 2, 3, 4, 5]), _event(0, [9])]))
    assert state.showing == "event" and state.event_key == 1
    assert [i.image_id for i in state.event_items()] == [1, 2, 3, 4, 5]
    # Its photos were removed: back to all photos.
    state.set_events(Events([_event(0, [6, 7, 8])]))
    assert state.showing == "all" and state.event_key is None


def test_renamed_events_keep_their_cards_covers_and_new_events_or_rows_find_theirs():
    from app.analysis.results import Cluster, Clustering, EventNames
    from app.controller.browse_state import NOT_GROUPED, EventCards, cluster_cards_of, event_cards_of
    from app.controller.gallery_rows import GalleryRows, gallery_items

    rows = GalleryRows(gallery_items([(i, f"/p/{i}.jpg", f"/t/{i}.jpg", 20240511) for i in (2, 3, 6, 7, 8)]))
    found = Events([_event(6, [6, 7, 8]), _event(1, [1, 2, 3])], version="v1")
    cards = event_cards_of(found.events, rows, found.version)
    assert [(c.key, c.size, c.cover_id, c.cover) for c in cards] == [(6, 3, 6, "/t/6.jpg"), (1, 3, 2, "/t/2.jpg")]
    renamed = found.named(EventNames("v1", ["beach", "dogs"]))
    again = event_cards_of(renamed.events, rows, "v1", EventCards("v1", rows, cards))
    assert [(c.name, c.cover_id) for c in again] == [("beach", 6), ("dogs", 2)]
    # Other events (another version), or other rows: covers are looked up again.
    other = Events([_event(6, [7, 8]), _event(1, [3])], version="v2")
    assert [c.cover_id for c in event_cards_of(other.events, rows, "v2", EventCards("v1", rows, cards))] == [7, 3]
    fewer = GalleryRows(gallery_items([(3, "/p/3.jpg", "/t/3.jpg", 0), (8, "/p/8.jpg", "/t/8.jpg", 0)]))
    assert [c.cover_id for c in event_cards_of(found.events, fewer, "v1", EventCards("v1", rows, cards))] == [8, 3]
    # Cluster covers: the first member the gallery has; those in no group, known by id.
    clustering = Clustering([Cluster(0, "dogs", 3, [], [1, 3, 7])], 2, [], noise_ids=[5, 8])
    assert [(c.key, c.cover_id) for c in cluster_cards_of(clustering, rows)] == [(0, 3), (NOT_GROUPED, 8)]
    plain = {i: rows[i] for i in rows}  # any mapping of rows
    assert cluster_cards_of(clustering, plain) == cluster_cards_of(clustering, rows)
