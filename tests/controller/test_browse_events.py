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
