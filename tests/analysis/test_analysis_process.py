"""A large library's analyses run in one child process: the same results as in the window's
own process, errors that come back as they were raised, a child that dies or is ended."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from app.analysis import analysis_process
from app.analysis.analysis_process import AnalysisProcess
from app.analysis.library_analysis import AnalysisInputs
from app.core.errors import CancelledError, UserError
from tests.helpers.shapes import write_test_set


def _where(inputs: AnalysisInputs, word: str, should_stop=None) -> tuple[int, str, bool, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with inputs.engine.connect() as conn:  # the child opens the catalog itself
        images = int(conn.execute(text("SELECT COUNT(*) FROM images")).scalar_one())
    return os.getpid(), word, should_stop is not None, images


def _saves_after_its_reply(inputs: AnalysisInputs, folder: str) -> str:
    """Leaves its saving until its reply has gone: it waits for the window to have it."""
    from app.analysis.after_reply import after_reply

    def save() -> None:
        answered = Path(folder, "answered")
        waited = time.monotonic() + 30
        while not answered.exists() and time.monotonic() < waited:
            time.sleep(0.01)
        Path(folder, "saved" if answered.exists() else "saved before the reply went").touch()

    after_reply(save)
    return "found"


def _leaves_a_save(inputs: AnalysisInputs, folder: str, name: str, seconds: float = 0.0) -> str:
    """Leaves a saving of `name` under one key, as each move of the slider leaves its clusters'."""
    from app.analysis.after_reply import after_reply

    def save() -> None:
        time.sleep(seconds)
        Path(folder, name).touch()

    after_reply(save, key="the same file")
    return name


def _fails(inputs: AnalysisInputs) -> None:
    raise UserError("the folder is not there")


def _dies(inputs: AnalysisInputs) -> None:
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def _sleeps(inputs: AnalysisInputs) -> None:
    time.sleep(60)


def _sleeping_job(analyses: AnalysisProcess, inputs: AnalysisInputs) -> tuple[threading.Thread, list[BaseException]]:
    """A worker thread waiting on a long job in the child, and where the way it ended goes."""
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            analyses.run(analysis_process.CHILD_ABOVE + 1, _sleeps, inputs)
        except BaseException as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=wait)
    waiting.start()
    return waiting, outcome


@pytest.fixture
def library(library_dir: Path):  # type: ignore[no-untyped-def]
    from app.library import Library

    opened = Library(library_dir)
    yield opened
    opened.close()


@pytest.fixture
def analyses():  # type: ignore[no-untyped-def]
    made = AnalysisProcess()
    yield made
    made.close()


def test_a_small_library_is_analysed_here_and_a_large_one_in_one_child(library, analyses):
    inputs = AnalysisInputs.of(library)
    here = analyses.run(analysis_process.CHILD_ABOVE, _where, inputs, "small", stop=lambda: False)
    assert here == (os.getpid(), "small", True, 0)
    first = analyses.run(analysis_process.CHILD_ABOVE + 1, _where, inputs, "large", stop=lambda: False)
    assert first[0] != os.getpid() and first[1:] == ("large", False, 0)
    again = analyses.run(analysis_process.CHILD_ABOVE + 1, _where, inputs, "again")
    assert again[0] == first[0], "one child serves every analysis"


def test_errors_come_back_and_a_dead_child_is_started_again(library, analyses):
    inputs = AnalysisInputs.of(library)
    large = analysis_process.CHILD_ABOVE + 1
    with pytest.raises(UserError, match="the folder is not there"):
        analyses.run(large, _fails, inputs)
    before = analyses.run(large, _where, inputs, "alive")[0]
    with pytest.raises(UserError, match="ended before it finished"):
        analyses.run(large, _dies, inputs)
    after = analyses.run(large, _where, inputs, "alive")[0]
    assert after not in (before, os.getpid())


def test_closing_ends_an_analysis_under_way_at_once(library, analyses):
    inputs = AnalysisInputs.of(library)
    waiting, outcome = _sleeping_job(analyses, inputs)
    deadline = time.monotonic() + 30
    while analyses._process is None and time.monotonic() < deadline:  # the child is starting
        time.sleep(0.05)
    time.sleep(1.0)
    started = time.monotonic()
    analyses.close()
    waiting.join(10)
    assert not waiting.is_alive() and time.monotonic() - started < 5
    assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)
    with pytest.raises(CancelledError):
        analyses.run(analysis_process.CHILD_ABOVE + 1, _where, inputs, "closed")


def test_closing_while_the_child_starts_ends_it_before_any_job_is_sent(library, analyses, monkeypatch):
    """The window closes while a worker is starting the child (a spawn takes a tenth of a
    second): the child just started is ended, and the worker's call ends with it, instead of
    the closing window waiting for the job it would have sent (10-20 s at 200,000 photos)."""
    import multiprocessing.context

    spawning, real_start = threading.Event(), multiprocessing.context.SpawnProcess.start

    def slow_start(process) -> None:  # type: ignore[no-untyped-def]
        spawning.set()
        time.sleep(0.5)
        real_start(process)

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", slow_start)
    waiting, outcome = _sleeping_job(analyses, AnalysisInputs.of(library))
    assert spawning.wait(30)
    started = time.monotonic()
    analyses.close()
    waiting.join(10)
    assert not waiting.is_alive() and time.monotonic() - started < 5
    assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)
    assert analyses._process is None or not analyses._process.is_alive()


def test_the_child_saves_what_it_found_once_the_window_has_its_answer(library, analyses, tmp_path):
    from app.analysis.after_reply import after_reply

    inputs = AnalysisInputs.of(library)
    large = analysis_process.CHILD_ABOVE + 1
    folder = tmp_path / "saves"
    folder.mkdir()
    started = time.monotonic()
    assert analyses.run(large, _saves_after_its_reply, inputs, str(folder)) == "found"
    assert time.monotonic() - started < 25 and not list(folder.iterdir()), "the answer came first"
    (folder / "answered").touch()
    analyses.run(large, _where, inputs, "next")  # the child finishes saving before the next job
    assert sorted(p.name for p in folder.iterdir()) == ["answered", "saved"]
    # Here (a small library, the command line) it is saved at once.
    saved: list[str] = []
    after_reply(lambda: saved.append("now"))
    assert saved == ["now"]


def test_clusters_and_events_from_the_child_are_those_made_here(cli, tmp_path, shapes_model, library_dir, analyses):
    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import clusters, concept_vectors
    from app.analysis.library_events import window_clusters
    from app.analysis.results import EventNames, Events
    from app.library import Library

    folder = tmp_path / "shapes"
    write_test_set(folder, per_class=4, seed=321)
    assert cli("index", folder, "--model", shapes_model).code == 0
    library = Library(library_dir)
    try:
        inputs = AnalysisInputs.of(library)
        large = analysis_process.CHILD_ABOVE + 1
        packed, events = analyses.run(large, window_clusters, inputs, 0.5, vocabulary=lambda: concept_vectors(inputs))
        found = packed.clustering()  # the window's records, made where it asks
        assert not found.cached and found.clusters, "computed in the child"
        analyses.run(large, _where, inputs, "saved")  # the child saves its clusters after its answer
        for cached in (library.paths.root / "analysis").glob("*.json"):
            if cached.name.startswith(("clusters-", "events")):
                cached.unlink()
        here_packed, here_events = window_clusters(inputs, 0.5)
        here_found = here_packed.clustering()
        assert not here_found.cached
        # The slider's next move: the events the window holds come back as their names only.
        packed_moved, names = analyses.run(
            large, window_clusters, inputs, 0.8, events.version, vocabulary=lambda: concept_vectors(inputs)
        )
        moved = packed_moved.clustering()
        here_moved, here_named = window_clusters(inputs, 0.8)
        everything = clusters(inputs, ClusterParams(strictness=0.8))  # the command line's, with paths
    finally:
        library.close()
    assert [(c.name, c.image_ids, c.paths) for c in found.clusters] == [
        (c.name, c.image_ids, c.paths) for c in here_found.clusters
    ]
    assert found.noise_ids == here_found.noise_ids and found.radius == here_found.radius
    assert events.events == here_events.events and events.version
    assert isinstance(names, EventNames) and isinstance(here_named, Events)
    assert events.named(names).events == here_named.events
    assert [(c.name, c.image_ids) for c in moved.clusters] == [(c.name, c.image_ids) for c in everything.clusters]
    # The window's form leaves the paths out (its gallery has them) and knows the rest by id.
    assert all(c.paths == [] for c in moved.clusters) and moved.noise_paths == []
    assert all(c.paths for c in everything.clusters) and everything.noise_ids is not None
    by_path = {p: i for c in everything.clusters for p, i in zip(c.paths, c.image_ids, strict=True)}
    assert len(by_path) == sum(c.size for c in everything.clusters), "a path for each photo grouped"
    assert sorted(moved.noise_ids or []) == everything.noise_ids and len(everything.noise_paths) == everything.noise


def test_the_slider_reclusters_from_what_it_kept_without_reading_a_vector(
    cli, tmp_path, shapes_model, library_dir, monkeypatch
):
    from app.analysis import library_analysis
    from app.analysis.clustering import ClusterParams
    from app.catalog import analysis_vectors
    from app.library import Library

    folder = tmp_path / "shapes"
    write_test_set(folder, per_class=4, seed=321)
    assert cli("index", folder, "--model", shapes_model).code == 0
    library = Library(library_dir)
    try:
        inputs = AnalysisInputs.of(library)
        library_analysis.clusters(inputs, ClusterParams(strictness=0.5), keep_graph=True)
        read = analysis_vectors.vectors_for_analysis
        calls = []
        monkeypatch.setattr(analysis_vectors, "vectors_for_analysis", lambda *a, **k: calls.append(a) or read(*a, **k))
        moved = {s: library_analysis.clusters(inputs, ClusterParams(strictness=s), keep_graph=True) for s in (0.1, 0.9)}
        assert calls == [], "each move re-clusters the kept graph and vectors"
        for strictness, found in moved.items():
            fresh = library_analysis.clusters(inputs, ClusterParams(strictness=strictness), use_cache=False)
            assert not found.cached and [(c.name, c.image_ids) for c in found.clusters] == [
                (c.name, c.image_ids) for c in fresh.clusters
            ]
        assert len(calls) == 2, "a fresh computation reads them"
    finally:
        library.close()


def test_the_slider_never_replaces_the_default_clusters_the_map_and_events_read(
    cli, tmp_path, shapes_model, library_dir
):
    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import clusters
    from app.analysis.library_events import window_clusters
    from app.library import Library

    folder = tmp_path / "shapes"
    write_test_set(folder, per_class=4, seed=321)
    assert cli("index", folder, "--model", shapes_model).code == 0
    assert cli("clusters", "--json").code == 0
    default = library_dir / "analysis" / "clusters-image-dbscan-epsauto-min2.json"
    made = default.read_bytes()
    library = Library(library_dir)
    try:
        inputs = AnalysisInputs.of(library)
        for strictness in (0.8, 0.2):
            window_clusters(inputs, strictness)
        assert default.read_bytes() == made, "the slider keeps its own file"
        assert (library_dir / "analysis" / "clusters-image-dbscan-epsauto-min2-moved.json").exists()
        assert clusters(inputs, ClusterParams()).cached and clusters(inputs, ClusterParams(strictness=0.2)).cached
        assert not clusters(inputs, ClusterParams(strictness=0.8)).cached, "one file for every moved strictness"
    finally:
        library.close()


def test_a_dragged_slider_saves_only_its_last_moves_clusters(library, analyses, tmp_path):
    inputs = AnalysisInputs.of(library)
    large = analysis_process.CHILD_ABOVE + 1
    folder = tmp_path / "saves"
    folder.mkdir()
    for move in ("first move", "second move", "last move"):  # one after another, as a drag asks
        assert analyses.run(large, _leaves_a_save, inputs, str(folder), move) == move
    analyses.run(large, _where, inputs, "another job")  # the work left is done before another kind of job
    assert sorted(p.name for p in folder.iterdir()) == ["last move"]
    analyses.run(large, _leaves_a_save, inputs, str(folder), "rested")
    deadline = time.monotonic() + 30
    while not (folder / "rested").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (folder / "rested").exists(), "saved once the child is idle"


def test_closing_waits_for_the_last_save_but_not_for_a_job(library, analyses, tmp_path):
    inputs = AnalysisInputs.of(library)
    large = analysis_process.CHILD_ABOVE + 1
    analyses.run(large, _leaves_a_save, inputs, str(tmp_path), "last clusters", 1.0)
    started = time.monotonic()
    analyses.close()
    assert (tmp_path / "last clusters").exists(), "saved before the child ended"
    assert time.monotonic() - started < analysis_process.FINISH_SECONDS + 1
    assert analyses._process is not None and not analyses._process.is_alive()
