"""The window's logic without Qt: a runner that holds background work until the test lets it
run (so the order of finishing is the test's to choose), a view that records what it is asked
to show, and a real library with the tiny model."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.controller.browse_state import ALL_PHOTOS, NOT_GROUPED
from app.controller.window_controller import WindowController
from app.search.request import SearchRequest
from app.search.results import SearchHit
from tests.helpers.images import photo, save_jpeg


class HeldTasks:
    """Background work waits here; `finish()` runs it (op, then its callback) in order."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Callable[[], Any], Any, Any]] = []

    def run(self, op: Callable[[], Any], on_success: Any = None, on_error: Any = None) -> None:
        self.waiting.append((op, on_success, on_error))

    def finish(self, index: int = 0) -> None:
        op, on_success, on_error = self.waiting.pop(index)
        try:
            result = op()
        except BaseException as error:  # noqa: BLE001 - handed to the callback as the task manager does
            if on_error is None:
                raise
            on_error(error)
            return
        if on_success is not None:
            on_success(result)

    def finish_all(self) -> None:
        while self.waiting:
            self.finish()


class RecordingView:
    """Every WindowView call, recorded by name; the gallery's rows are kept like the model's."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.rows: tuple[tuple, ...] = ()
        self.said: list[str] = []
        self.errors: list[BaseException] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        def record(*args: object, **named: object) -> None:
            self.calls.append((name, args + tuple(named.values())))

        return record

    def named(self, name: str) -> list[tuple]:
        return [args for called, args in self.calls if called == name]

    def say(self, text: str) -> None:
        self.said.append(text)

    def show_error(self, error: BaseException) -> None:
        self.errors.append(error)

    def gallery_rows(self) -> tuple[tuple, ...]:
        return self.rows

    def gallery_order(self) -> str:
        return "name"

    def show_gallery(self, items: list[tuple] | None, update: Any, failures: int) -> None:
        self.calls.append(("show_gallery", (items, update, failures)))
        if update is not None:
            self.rows = tuple(update.rows)
        elif items is not None:
            self.rows = tuple(items)


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    for i in range(6):
        save_jpeg(folder / f"p{i}.jpg", photo(300 + i))
    return folder


@pytest.fixture
def opened(library_dir: Path):  # type: ignore[no-untyped-def]
    tasks, view, progress = HeldTasks(), RecordingView(), []
    controller = WindowController(view, tasks, progress.append)
    controller.open_library(library_dir)
    tasks.finish()  # the library opens on a worker
    tasks.finish_all()  # its first gallery, clusters and folders
    yield controller, tasks, view
    controller.close()


def _index(controller: WindowController, tasks: HeldTasks, roots: list[Path]) -> None:
    controller.index_paths(roots)
    tasks.finish_all()


def test_opening_shows_the_library_and_an_empty_gallery(opened):
    controller, tasks, view = opened
    assert controller.library is not None and view.named("show_library") == [(False,)]
    assert view.named("show_gallery")[-1][0] == [] and not view.errors
    assert view.named("show_clusters")[-1][0] == [(ALL_PHOTOS, "All photos (0)")]


def test_folders_dropped_before_the_library_opens_are_indexed_once_it_does(library_dir, photos):
    tasks, view = HeldTasks(), RecordingView()
    controller = WindowController(view, tasks, lambda _p: None)
    controller.open_library(library_dir)
    controller.index_paths([photos])  # the library is still opening
    assert controller.indexing.waiting == [photos]
    tasks.finish_all()
    try:
        reports = [r for (r,) in view.named("indexing_done")]
        assert len(reports) == 1 and reports[0].new == 6 and controller.indexing.waiting == []
        assert len(view.rows) == 6, "the gallery shows the new photos"
    finally:
        controller.close()


def test_a_folder_dropped_while_indexing_waits_its_turn_and_the_region_pass_steps_aside(opened, photos, tmp_path):
    controller, tasks, view = opened
    later = tmp_path / "later"
    save_jpeg(later / "x.jpg", photo(999))
    controller.index_paths([photos])
    assert controller.indexing.running and view.named("work_started")[-1] == (f"Indexing {photos} …", True)
    controller.index_paths([later])
    assert controller.indexing.waiting == [later] and controller.indexing.defer_regions.is_set()
    assert "indexed next" in view.said[-1]
    tasks.finish()  # the first run ends: the waiting folder starts at once
    assert controller.indexing.running and controller.indexing.waiting == []
    assert not controller.indexing.defer_regions.is_set()
    tasks.finish_all()
    assert [r.new for (r,) in view.named("indexing_done")] == [6, 1]
    assert not controller.indexing.running and len(view.rows) == 7


def test_pause_and_cancel_reach_the_running_task(opened, photos):
    controller, tasks, view = opened
    controller.index_paths([photos])
    controller.set_paused(True)
    assert controller.indexing.pause.is_set() and view.said[-1].startswith("Paused")
    controller.cancel()
    assert controller.indexing.stopping and not controller.indexing.pause.is_set(), "cancel also resumes, to stop"
    assert view.said[-1] == "Stopping… (what is done is kept)"
    tasks.finish_all()
    (report,) = view.named("indexing_done")[-1]
    assert report.cancelled and not controller.indexing.running


def test_changes_wait_while_indexing_runs(opened, photos):
    controller, tasks, view = opened
    controller.index_paths([photos])
    controller.remove_folder(str(photos))
    assert "once indexing finishes" in view.said[-1] and view.named("tell")
    assert len(tasks.waiting) == 1, "nothing was removed"
    tasks.finish_all()


def test_only_the_newest_search_is_shown(opened, photos):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    library = controller.library
    assert library is not None
    slow = library.search(SearchRequest("red shapes", top_k=3))
    fast = library.search(SearchRequest("blue sky", top_k=2))
    controller.searching.run_latest(lambda: slow)
    controller.searching.run_latest(lambda: fast)
    tasks.finish(1)  # the newer search finishes first
    tasks.finish(0)  # the older one later: dropped
    shown = view.named("show_results")
    assert len(shown) == 1 and [i.image_id for i in shown[0][0]] == [h.image_id for h in fast]
    assert controller.browse.showing_results
    controller.searching.run_latest(lambda: slow)
    controller.searching.clear_search()  # Esc while a search runs: its results never come
    tasks.finish_all()
    assert len(view.named("show_results")) == 1 and not controller.browse.showing_results


def test_results_carry_their_thumbnails_without_a_catalog_query(opened, photos, monkeypatch):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    library = controller.library
    assert library is not None
    hits: list[SearchHit] = library.search(SearchRequest("green field", top_k=4))

    def no_catalog(*_a: object, **_k: object) -> None:
        raise AssertionError("the catalog was queried on the GUI thread")

    monkeypatch.setattr("app.catalog.lookups.images", no_catalog)
    controller.searching.show_hits(hits)
    items, message = view.named("show_results")[-1]
    assert [Path(i.thumbnail) for i in items] == [library.paths.thumbnail(h.content_hash) for h in hits]
    assert message == "4 photos, best first · Esc shows all photos"
    controller.searching.show_hits([])
    assert view.named("show_results")[-1] == ([], "No matching photos. Try other words, or lower the threshold.")


def test_the_gallery_grows_in_place_and_loads_one_at_a_time(opened, photos, tmp_path):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    more = tmp_path / "more"
    for i in range(3):
        save_jpeg(more / f"m{i}.jpg", photo(700 + i))
    library = controller.library
    assert library is not None
    library.index([more])
    controller.refresh_gallery()
    controller.refresh_gallery()  # while the first load runs: one more after it, not two at once
    assert len(tasks.waiting) == 1
    tasks.finish_all()
    loads = view.named("show_gallery")
    items, update, _failures = loads[-1]
    assert update is not None and update.inserts is not None, "planned as insertions, not a reset"
    assert len(view.rows) == 9


def test_a_gallery_read_under_way_as_the_window_closes_stops_and_says_nothing(opened, photos):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    shown = len(view.named("show_gallery"))
    controller.refresh_gallery()  # its read waits on a worker
    controller.stop_work()  # the window closes
    tasks.finish_all()
    assert len(view.named("show_gallery")) == shown and not view.errors


def test_clusters_say_they_are_computing_then_show_and_choosing_one_filters(opened, photos):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])  # indexing ends with a cluster refresh
    assert view.named("show_clusters_computing"), "the Clusters view says it is working"
    rows, cards, current = view.named("show_clusters")[-1]
    assert rows[0] == (ALL_PHOTOS, "All photos (6)") and current == ALL_PHOTOS
    clustering = controller.browse.clustering
    assert clustering is not None and sum(c.size for c in clustering.clusters) + clustering.noise == 6
    assert len(cards) == len(clustering.clusters) + (1 if clustering.noise else 0)
    key = clustering.clusters[0].id if clustering.clusters else NOT_GROUPED
    controller.organise.choose_cluster(key, "a cluster")
    items, label = view.named("show_items")[-1]
    expected = clustering.clusters[0].size if clustering.clusters else clustering.noise
    assert len(items) == expected and label == "a cluster" and controller.browse.showing == "cluster"
    controller.refresh_gallery()  # as indexing does: a cluster stays filtered, not replaced by all
    tasks.finish_all()
    assert len(view.named("show_items")[-1][0]) == expected
    controller.organise.choose_cluster(ALL_PHOTOS, "All photos (6)")
    tasks.finish_all()
    assert controller.browse.whole_gallery and view.named("show_gallery")[-1][1] is not None


def test_a_folder_filters_the_gallery_and_removing_it_forgets_only_the_catalog(opened, photos, tmp_path):
    from tests.conftest import snapshot

    controller, tasks, view = opened
    other = tmp_path / "other"
    save_jpeg(other / "o.jpg", photo(50))
    _index(controller, tasks, [photos])
    _index(controller, tasks, [other])
    (folders,) = view.named("show_folders")[-1]
    assert sorted((Path(f.path).name, f.photos) for f in folders) == [("other", 1), ("photos", 6)]
    controller.organise.choose_folder(str(other))
    assert [Path(i.path).name for i in view.named("show_items")[-1][0]] == ["o.jpg"]
    before = snapshot(other)
    controller.remove_folder(str(other))
    tasks.finish_all()
    assert snapshot(other) == before and controller.browse.whole_gallery and len(view.rows) == 6
    assert any("the files are untouched" in s for s in view.said)


def test_the_map_shows_before_cluster_names_and_takes_them_and_their_colours_later(opened, photos):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    controller.browse.set_clustering(None)  # as before the clusters are ready
    controller.organise.map_wanted = True
    controller.organise.refresh_map()
    assert view.named("show_map_computing")
    tasks.finish_all()
    layout, groups, names = view.named("show_map_points")[-1]
    assert len(layout) == 6 and names == {} and (groups == NOT_GROUPED).all()
    thumbnails = dict(zip(layout.image_ids.tolist(), layout.thumbnails, strict=True))
    assert all(thumbnails.values()) and set(thumbnails) == {row[0] for row in view.rows}
    controller.organise.refresh_clusters()
    tasks.finish_all()
    # Coloured again by the clusters showing (the slider may have moved them), with their names.
    again, groups, names = view.named("show_map_points")[-1]
    assert again is layout, "the points are laid out once; only their groups change"
    assert names == controller.browse.cluster_names()
    cluster_of = {i: c.id for c in controller.browse.clusters.values() for i in c.image_ids}
    assert groups.tolist() == [cluster_of.get(i, NOT_GROUPED) for i in layout.image_ids.tolist()]


def test_a_read_only_library_refuses_to_add_photos(opened, photos, monkeypatch):
    controller, tasks, view = opened
    assert controller.library is not None
    monkeypatch.setattr(controller.library, "read_only", True)
    controller.index_paths([photos])
    assert not tasks.waiting and "read-only" in view.said[-1]
    controller.remove_images([1])
    assert not tasks.waiting and "read-only" in view.said[-1]


def test_progress_is_worded_for_the_status_bar(opened):
    from app.indexing.report import IndexProgress

    controller, _tasks, view = opened
    controller.on_progress(IndexProgress("scanning", 12, 0))
    controller.on_progress(IndexProgress("embedding", 5, 50, rate=2.5, eta_seconds=18))
    controller.on_progress(IndexProgress("regions", 3, 10))
    texts = [args[2] for args in view.named("work_progressed")]
    assert texts[0] == "Looking for photos… 12 found"
    assert texts[1].startswith("Indexing 5 / 50 · 2.5 img/s · ")
    assert texts[2] == "Finding objects and text · 3 / 10 photos"
    assert view.named("work_progressed")[0][1] == 0, "no bar range while counting"


def test_the_controller_needs_no_qt():
    import subprocess

    code = (
        "import sys; import app.controller.window_controller, app.controller.browse_state; "
        "sys.exit(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_switching_models_is_one_task_that_waits_for_indexing(opened, photos):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    controller.index_paths([photos])
    library = controller.library
    assert library is not None
    controller.switch_model(library.spec, library.device)
    assert view.named("tell")[-1] == ("Finish or cancel indexing before switching models.",)
    assert len(tasks.waiting) == 1, "only the indexing runs"
    tasks.finish_all()


def test_the_model_a_library_names_is_used_only_once_the_person_says_yes(opened):
    from app.ml.model_choice import is_chosen
    from app.ml.spec import ModelSpec

    controller, tasks, view = opened
    library = controller.library
    assert library is not None
    library.spec = ModelSpec.parse("local-dir:/nowhere/their-model")  # as a library from elsewhere names it
    controller.answer_model_question(False)
    assert not tasks.waiting and "photos can still be browsed" in view.said[-1]
    assert not is_chosen(library.spec)
    controller.answer_model_question(True)
    tasks.finish()
    assert is_chosen(library.spec), "remembered for next time"
    assert view.said[-1] == "Using local-dir:/nowhere/their-model, as you chose" and view.named("repeat_search")


def test_people_are_listed_named_merged_and_shown_without_qt(library_dir, tmp_path, monkeypatch):
    from tests.helpers.faces import people_folder

    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    tasks, view = HeldTasks(), RecordingView()
    controller = WindowController(view, tasks, lambda _p: None)
    controller.open_library(library_dir)
    tasks.finish_all()
    try:
        _index(controller, tasks, [people_folder(tmp_path / "people")])
        cards, hidden = view.named("show_people")[-1]
        assert [(c.name, c.faces) for c in cards] == [(None, 5), (None, 2)] and hidden == 0
        assert all(c.cover_thumbnail for c in cards), "covers come from the gallery's rows"
        first, second = cards
        controller.index_paths([tmp_path / "people"])  # indexing runs: changes wait
        controller.people.name(first.id, "Barack")
        assert "once indexing finishes" in view.said[-1]
        tasks.finish_all()
        controller.people.name(first.id, "  Barack ")
        tasks.finish_all()
        assert [c.title for c in view.named("show_people")[-1][0]] == ["Barack", "Unnamed"]
        controller.people.hide(second.id)
        tasks.finish_all()
        assert [c.title for c in view.named("show_people")[-1][0]] == ["Barack"], "hidden from People"
        assert view.named("show_people")[-1][1] == 1 and "Show hidden people" in view.said[-1]
        controller.people.set_show_hidden(True)
        assert [c.title for c in view.named("show_people")[-1][0]] == ["Barack", "Unnamed (hidden)"]
        controller.people.unhide(second.id)
        tasks.finish_all()
        assert view.named("show_people")[-1][1] == 0
        assert [c.title for c in view.named("show_people")[-1][0]] == ["Barack", "Unnamed"], "back in People"
        controller.people.set_show_hidden(False)
        controller.people.open_person(first.id)
        tasks.finish_all()
        person_id, faces = view.named("show_person_faces")[-1]
        assert person_id == first.id and len(faces) == 5 and all(f.confirmed for f in faces)
        controller.people.merge(first.id, second.id)
        tasks.finish_all()
        assert [(c.title, c.faces) for c in view.named("show_people")[-1][0]] == [("Barack", 7)]
        controller.people.show_photos(first.id)
        items, label = view.named("show_items")[-1]
        assert len(items) == 6 and label == "Barack: 6 photos" and controller.browse.showing == "photos"
        controller.refresh_gallery()
        tasks.finish_all()
        assert len(view.named("show_items")[-1][0]) == 6, "a person's photos stay filtered through a refresh"
    finally:
        controller.close()


def test_teaching_waits_behind_indexing_and_a_new_name_gathers_three_examples(opened, photos, tmp_path):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    paths = sorted(str(p) for p in photos.glob("*.jpg"))
    controller.names.teach("blicket", paths[:2])
    assert not tasks.waiting and "blicket: 2 examples so far; teach 1 more photo" in view.said[-1]
    assert [c.title for c in view.named("show_names")[-1][0]] == ["blicket (2 of 3 examples)"]

    later = tmp_path / "later"
    save_jpeg(later / "x.jpg", photo(999))
    controller.index_paths([later])
    controller.names.teach("Blicket", paths[2:3])  # the third: taught once indexing is done
    assert controller.indexing.waiting_work and controller.indexing.defer_regions.is_set()
    assert view.said[-1] == "Teaching blicket starts when the current work finishes"
    tasks.finish()  # indexing ends; teaching starts in its turn
    assert controller.indexing.running and view.named("work_started")[-1] == ("Teaching blicket…", False)
    tasks.finish_all()
    assert view.said[-1].startswith("blicket: found 3 of 3 examples in the top 20")
    assert [c.title for c in view.named("show_names")[-1][0]] == ["blicket (3)"]
    assert not controller.indexing.running

    controller.names.teach("blicket", paths[3:4])  # a taught name: one more example is enough
    controller.cancel()  # stopped before its first step: nothing changes
    tasks.finish_all()
    assert view.said[-1] == "Teaching blicket was cancelled; nothing changed"
    assert controller.library is not None and controller.library.names.summaries()[0].examples == 3


def test_photos_indexed_while_results_show_keep_the_results_and_update_the_rows(opened, photos, tmp_path):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    controller.searching.search("red shapes")
    tasks.finish_all()
    results = view.named("show_results")[-1][0]
    later = tmp_path / "later"
    save_jpeg(later / "x.jpg", photo(999))
    shown_before = len(view.named("show_gallery")) + len(view.named("show_items"))
    _index(controller, tasks, [later])
    assert controller.browse.showing_results and view.named("show_results")[-1][0] == results
    assert len(view.named("show_gallery")) + len(view.named("show_items")) == shown_before, "results stay"
    assert len(controller.browse.entries) == 7, "covers and names read the new rows already"


def _asked(view: RecordingView) -> set[str]:
    return {name for name, _args in view.calls}


def test_an_action_refreshes_only_the_views_that_show_what_it_changed(opened, photos):
    from app.controller.changes import Changed, Done

    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    view.calls.clear()
    controller.apply(Done("Renamed beach to shore", Changed.NAMES))
    tasks.finish_all()
    assert view.said[-1] == "Renamed beach to shore"
    assert _asked(view) == {"show_names", "repeat_search"}, "names changed: the Names list, and a search using one"
    view.calls.clear()
    controller.apply(Done(changed=Changed.PEOPLE))
    tasks.finish_all()
    assert _asked(view) == {"show_people"}
    view.calls.clear()
    controller.apply(Done("Nothing to do"))
    tasks.finish_all()
    assert view.calls == [] and view.said[-1] == "Nothing to do"


def test_removing_photos_updates_every_view_that_counts_them(opened, photos):
    controller, tasks, view = opened
    _index(controller, tasks, [photos])
    gone = [row[0] for row in view.rows[:2]]
    view.calls.clear()
    controller.remove_images(gone)
    tasks.finish_all()
    assert any(s.startswith("Removed 2 photos") for s in view.said)
    assert len(view.rows) == 4 and not {r[0] for r in view.rows} & set(gone)
    (folders,) = view.named("show_folders")[-1]
    assert [f.photos for f in folders] == [4], "the Library list's count follows"
    assert view.named("show_clusters")[-1][0][0] == (ALL_PHOTOS, "All photos (4)")
    assert {"show_people", "show_names", "show_duplicates"} <= _asked(view)


class DateOrderView(RecordingView):
    def gallery_order(self) -> str:
        return "date"


def _open_with_photos(library_dir: Path, photos: Path) -> tuple[WindowController, HeldTasks, DateOrderView]:
    from app.library import Library

    with Library(library_dir) as library:
        library.index([photos])
    tasks, view = HeldTasks(), DateOrderView()
    controller = WindowController(view, tasks, lambda _p: None)
    controller.open_library(library_dir)
    tasks.finish()  # the library opens on a worker
    return controller, tasks, view


def _finish_named(tasks: HeldTasks, name: str) -> None:
    tasks.finish(next(k for k, (op, _s, _e) in enumerate(tasks.waiting) if name in op.__qualname__))


def test_the_newest_photos_show_first_then_the_whole_gallery(library_dir, photos, monkeypatch):
    from app.controller import gallery_first_page

    monkeypatch.setattr(gallery_first_page, "FIRST_PAGE", 2)
    monkeypatch.setattr(gallery_first_page, "PAGE_WAIT", 30.0)
    controller, tasks, view = _open_with_photos(library_dir, photos)
    try:
        _finish_named(tasks, "FirstPage.ask")
        (first,) = view.named("show_gallery")
        assert len(view.rows) == 2 and first[1] is not None
        started = time.monotonic()
        _finish_named(tasks, "refresh_gallery")
        assert time.monotonic() - started < 30.0, "the page was read: the whole gallery did not wait"
        assert len(view.rows) == 6 and [r[0] for r in view.rows[:2]] == [r[0] for r in first[1].rows]
        assert len(controller.browse.entries) == 6
        tasks.finish_all()
        assert not view.errors
    finally:
        controller.close()


def test_a_first_page_that_arrives_after_the_whole_gallery_is_not_shown(library_dir, photos, monkeypatch):
    from app.controller import gallery_first_page

    monkeypatch.setattr(gallery_first_page, "FIRST_PAGE", 2)
    monkeypatch.setattr(gallery_first_page, "PAGE_WAIT", 0.3)
    controller, tasks, view = _open_with_photos(library_dir, photos)
    try:
        started = time.monotonic()
        _finish_named(tasks, "refresh_gallery")
        assert time.monotonic() - started >= 0.3, "the whole gallery waited for the page, then went on"
        assert len(view.rows) == 6
        shown = len(view.named("show_gallery"))
        _finish_named(tasks, "FirstPage.ask")
        assert len(view.named("show_gallery")) == shown and len(view.rows) == 6
        tasks.finish_all()
    finally:
        controller.close()


def test_a_library_smaller_than_a_page_shows_its_gallery_in_one_piece(library_dir, photos):
    controller, tasks, view = _open_with_photos(library_dir, photos)  # 6 photos, a page of 2,000
    try:
        _finish_named(tasks, "FirstPage.ask")
        assert view.named("show_gallery") == []
        _finish_named(tasks, "refresh_gallery")
        assert len(view.named("show_gallery")) == 1 and len(view.rows) == 6
        tasks.finish_all()
    finally:
        controller.close()


def test_a_large_librarys_analyses_come_from_one_child_process_that_ends_with_the_window(opened, photos, monkeypatch):
    import os

    from app.analysis import analysis_process

    controller, tasks, view = opened
    monkeypatch.setattr(analysis_process, "CHILD_ABOVE", 0)  # six photos count as a large library
    _index(controller, tasks, [photos])  # clusters and events, and duplicates, in the child
    controller.organise.map_wanted = True
    controller.organise.refresh_map()
    controller.memories.open()
    controller.places.open()  # its estimates are made in the child
    tasks.finish_all()
    child = controller.analyses._process
    assert child is not None and child.is_alive() and child.pid != os.getpid()
    clustering = controller.browse.clustering
    assert clustering is not None and sum(c.size for c in clustering.clusters) + clustering.noise == 6
    assert len(view.named("show_map_points")[-1][0]) == 6
    assert view.named("show_duplicates") and view.named("show_memories") and view.named("show_places")
    assert not view.errors
    controller.close()
    child.join(10)
    assert not child.is_alive(), "closing the window ends the child"
