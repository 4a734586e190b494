"""Showing a chosen set of photos in the gallery (a person's, or those a name was taught from),
as choosing a cluster does: any search gives way to them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.controller.browse_state import BrowseState
from app.controller.window_view import SearchView


def show_chosen_photos(
    view: SearchView, browse: BrowseState, image_ids: Sequence[int], label: Callable[[int], str]
) -> None:
    """Show `image_ids` in the gallery, said as `label(how many are shown)`."""
    if browse.showing_results:
        view.clear_search_box()
    browse.searches.drop_running()
    items = browse.choose_photos(tuple(image_ids))
    view.show_items(items, label(len(items)))
