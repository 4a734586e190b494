"""The Places view's logic without Qt: estimates are made after indexing even before the view is
ever opened (the viewer and --place see them); opening it loads the list and the markers; a
marker's and a place's photos reach the gallery; hiding places shows only that they are hidden."""

from __future__ import annotations

from pathlib import Path

from app.catalog import lookups
from app.controller.window_controller import WindowController
from tests.controller.test_window_controller import HeldTasks, RecordingView
from tests.helpers.trips import NO_GPS, write_trip


def test_places_are_estimated_loaded_and_opened(library_dir, tmp_path):
    trip = write_trip(tmp_path / "trip")
    tasks, view = HeldTasks(), RecordingView()
    controller = WindowController(view, tasks, lambda _p: None)
    try:
        controller.open_library(library_dir)
        tasks.finish_all()
        controller.index_paths([trip])
        tasks.finish_all()
        library = controller.library
        assert library is not None
        ids = {Path(p).name: i for i, _t, p in lookups.image_times(library.engine)}
        cafe = lookups.images(library.engine, [ids[NO_GPS]])[ids[NO_GPS]]
        assert (cafe.place, cafe.place_estimated) == ("Lisbon, Portugal", True), "estimated without the view"
        assert view.named("show_places") == []

        controller.places.open()
        tasks.finish_all()
        (tree, markers), *_ = view.named("show_places")
        assert [(n.name, n.count, n.estimated) for n in tree] == [("Australia", 1, 0), ("Portugal", 4, 1)]
        assert len(markers) == 4
        level = 9
        lisbon = int(markers.levels[level].member_of[list(markers.image_ids).index(ids["lisbon tram.jpg"])])
        assert controller.places.marker_label(level, lisbon) == "Lisbon, Portugal · 2 photos"
        controller.places.show_marker(level, lisbon)
        items, said = view.named("show_items")[-1]
        assert {Path(i.path).name for i in items} == {"lisbon tram.jpg", "lisbon castle.jpg"}
        assert said.startswith("Lisbon, Portugal: 2 photos") and view.named("show_gallery_view")
        controller.places.show_place(tree[1])
        items, said = view.named("show_items")[-1]
        assert len(items) == 4 and said.startswith("Portugal: 4 photos")

        controller.places.set_hidden(True)
        assert view.calls[-1] == ("show_places_hidden", ())
        controller.places.open()
        assert view.calls[-1] == ("show_places_hidden", ())
        controller.places.set_hidden(False)
        assert view.calls[-1][0] == "show_places"
    finally:
        controller.close()
