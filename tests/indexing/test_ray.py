"""Indexing on a Ray cluster (`index --ray`): a cluster of three nodes started on this machine
with Ray's own test utilities; the CLI runs as the driver in its own process, as a user runs it.

The same folder indexed on the cluster and on this machine gives the same catalog, vectors and
thumbnails; a worker killed mid-run and a driver killed mid-run both end, after a rerun, with
every image exactly once and catalog and vectors in agreement."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.images import photo, save_jpeg
from tests.helpers.library_runs import catalog_of, index_folder, mixed_folder, run_cli, status_of
from tests.test_kill_resume import _images_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Three Ray nodes of one CPU each on this machine; its address."""
    from ray.cluster_utils import Cluster

    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    for _ in range(2):
        nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    try:
        yield nodes.address
    finally:
        nodes.shutdown()


def test_the_cluster_gives_the_same_library_as_this_machine(cluster: str, tmp_path: Path):
    photos = tmp_path / "photos"
    mixed_folder(photos)
    local, on_ray = tmp_path / "local", tmp_path / "on-ray"
    here = index_folder(photos, local)
    there = index_folder(photos, on_ray, "--ray", cluster)
    for key in ("scanned", "new", "failed", "embedded", "moved", "unchanged"):
        assert there[key] == here[key], (key, here, there)
    assert here["embedded"] >= 30 and here["failed"] >= 4

    a, b = catalog_of(local), catalog_of(on_ray)
    for key in ("images", "files", "failures", "thumbnails"):
        assert a[key] == b[key], key
    assert a["vectors"].keys() == b["vectors"].keys()
    for content_hash, vector in a["vectors"].items():
        np.testing.assert_allclose(b["vectors"][content_hash], vector, atol=2e-5)
    assert b["per_image"] == 1
    status = status_of(on_ray)
    assert status["consistent"] is True
    assert status["images"] == status["vectors"] == status["index_vectors"] == here["embedded"]

    # Change detection, moves and copies stay the driver's: nothing is embedded twice.
    again = index_folder(photos, on_ray, "--ray", cluster)
    assert again["embedded"] == 0 and again["new"] == 0
    (photos / "trip1" / "img01.jpg").rename(photos / "moved here.jpg")
    (photos / "another copy.jpg").write_bytes((photos / "trip2" / "img02.jpg").read_bytes())
    moved = index_folder(photos, on_ray, "--ray", cluster)
    assert (moved["moved"], moved["embedded"]) == (1, 0), moved
    assert status_of(on_ray)["images"] == here["embedded"]


def _ray_workers(title: str) -> list[int]:
    """Pids of this machine's Ray worker processes whose title names `title`."""
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
    return [int(line.split(None, 1)[0]) for line in out.splitlines() if "ray::" in line and title in line]


def _startindex_folder(photos: Path, library: Path, cluster: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "index", str(photos), "--json", "--ray", cluster],
        env={**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _many_photos(photos: Path, count: int) -> None:
    for i in range(count):
        save_jpeg(photos / f"d{i % 5}" / f"img{i:03d}.jpg", photo(2000 + i, (480, 360)))


def _running_with_commits(tmp_path: Path, count: int, cluster: str) -> tuple[Path, Path, subprocess.Popen[bytes]]:
    """`count` photos being indexed on the cluster by a CLI process that has committed some."""
    photos, library = tmp_path / "photos", tmp_path / "lib"
    _many_photos(photos, count)
    run = _startindex_folder(photos, library, cluster)
    deadline = time.monotonic() + 300
    while run.poll() is None and _images_in(library) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before any kill; the test proved nothing"
    return photos, library, run


def _assert_complete(library: Path, count: int) -> None:
    status = status_of(library)
    assert status["consistent"] is True, status
    assert status["images"] == status["files"] == status["vectors"] == status["index_vectors"] == count, status
    assert catalog_of(library)["per_image"] == 1  # every image embedded exactly once


def test_a_worker_killed_mid_run_costs_only_its_batch(cluster: str, tmp_path: Path):
    count = 400
    photos, library, run = _running_with_commits(tmp_path, count, cluster)
    actors = _ray_workers("Embedding")
    assert actors, "no embedding actor of this run was found to kill"
    # Decoding runs in tasks of its own (were it fused into the actors, they would decode alone).
    assert not _ray_workers("read_and_decode->")
    for pid in actors[:1] + _ray_workers("read_and_decode")[:1]:
        with contextlib.suppress(ProcessLookupError):  # a task's worker may be done already
            os.kill(pid, signal.SIGKILL)
    out, err = run.communicate(timeout=600)
    # Ray restarts the actor and retries the tasks; were the run to fail all the same, it would
    # say so in one line, and the next run finishes what is left.
    if run.returncode != 0:
        assert b"Traceback" not in err, err.decode()
        index_folder(photos, library, "--ray", cluster)
    else:
        assert json.loads(out)["embedded"] == count  # everything the killed worker held was redone
    _assert_complete(library, count)
    assert index_folder(photos, library, "--ray", cluster)["embedded"] == 0


def test_a_driver_killed_mid_run_resumes_on_the_next(cluster: str, tmp_path: Path):
    count = 300
    photos, library, run = _running_with_commits(tmp_path, count, cluster)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=120)
    status = status_of(library)
    assert status["consistent"] is True, status
    assert 0 < status["images"] < count
    assert status["interrupted"] == [str(photos)]
    report = index_folder(photos, library, "--ray", cluster)
    assert report["embedded"] == count - status["images"]
    _assert_complete(library, count)


def test_regions_on_the_cluster_match_this_machine(cluster: str, tmp_path: Path):
    from tests.helpers.faces import people_folder
    from tests.helpers.images import word_photo

    photos = tmp_path / "photos"
    people_folder(photos / "people")
    for i, word in enumerate(("BAKERY", "HOTEL")):
        image, _ = word_photo(word, seed=40 + i, size=(800, 600))
        save_jpeg(photos / f"sign{i}.jpg", image)
    env = {"PHOTO_ORGANIZER_OCR": "1", "PHOTO_ORGANIZER_FACES": "1"}
    found = {}
    for name, extra in (("local", []), ("on-ray", ["--ray", cluster])):
        done = run_cli(["index", str(photos), "--json", *extra], tmp_path / name, **env)
        assert done.returncode == 0, done.stderr
        found[name] = json.loads(done.stdout)
    assert found["on-ray"]["texts"] == found["local"]["texts"] >= 2
    assert found["on-ray"]["faces"] == found["local"]["faces"] >= 6

    def regions(library: Path) -> tuple[list, dict]:
        db = sqlite3.connect(library / "catalog.sqlite")
        try:
            texts = db.execute(
                "SELECT i.content_hash, r.text, round(r.x0, 3), round(r.y0, 3), i.text_by, i.faces_by "
                "FROM regions r JOIN images i ON i.id = r.image_id WHERE r.kind = 'text' ORDER BY 1, 2"
            ).fetchall()
            faces = {
                (h, round(x0, 3), round(y0, 3)): np.frombuffer(d, np.float32)
                for h, x0, y0, d in db.execute(
                    "SELECT i.content_hash, r.x0, r.y0, f.vector FROM regions r JOIN images i ON i.id = r.image_id "
                    "JOIN face_descriptors f ON f.region_id = r.id WHERE r.kind = 'face'"
                )
            }
        finally:
            db.close()
        return texts, faces

    (texts_here, faces_here), (texts_there, faces_there) = regions(tmp_path / "local"), regions(tmp_path / "on-ray")
    assert texts_there == texts_here
    assert {t[1] for t in texts_here} >= {"BAKERY", "HOTEL"}
    assert faces_there.keys() == faces_here.keys()
    for key, descriptor in faces_here.items():
        np.testing.assert_allclose(faces_there[key], descriptor, atol=1e-4)
    for name in ("local", "on-ray"):
        status = status_of(tmp_path / name)
        passed = status["region_pass"]
        assert status["consistent"] is True and passed["text_done"] == passed["faces_done"] == passed["images"], status


def test_pause_and_stop_work_on_the_cluster_as_here(cluster: str, tmp_path: Path):
    from app.indexing.pipeline import IndexOptions
    from app.indexing.run_setup import RunControls
    from app.library import Library

    photos = tmp_path / "photos"
    count = 240
    _many_photos(photos, count)
    pause, stop = threading.Event(), threading.Event()
    seen: list[int] = []

    def progress(p: object) -> None:
        done = getattr(p, "done", 0)
        if getattr(p, "phase", "") == "embedding" and done:
            seen.append(done)
            if done == 40:
                pause.set()

    options = IndexOptions(detect=False, ocr=False, faces=False, ray=cluster, batch_size=16)
    reports = []
    with Library(tmp_path / "lib") as library:
        worker = threading.Thread(
            target=lambda: reports.append(library.index([photos], options, RunControls(progress, stop.is_set, pause)))
        )
        worker.start()
        deadline = time.monotonic() + 300
        while not pause.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        paused_at = len(seen)
        time.sleep(3.0)
        assert len(seen) == paused_at, "outcomes kept coming while paused"
        # The two batches started by the 40th photo are committed as the pause begins.
        assert _images_in(tmp_path / "lib") == 32
        pause.clear()
        while len(seen) < paused_at + 20 and worker.is_alive():
            time.sleep(0.05)
        stop.set()
        worker.join(timeout=300)
        assert not worker.is_alive()
        report = reports[0]
        assert report.cancelled and 0 < report.embedded < count
        status = library.status()
        assert status.consistent
    report = index_folder(photos, tmp_path / "lib", "--ray", cluster)
    _assert_complete(tmp_path / "lib", count)


def test_a_node_that_cannot_see_the_photos_is_named(cluster: str, tmp_path: Path):
    import ray

    from app.core.errors import UserError
    from app.indexing.ray_indexing import check_nodes_see

    seen = tmp_path / "seen.jpg"
    save_jpeg(seen, photo(1))
    ray.init(address=cluster, log_to_driver=False)
    try:
        check_nodes_see(ray, [str(seen)])
        with pytest.raises(UserError, match=r"the Ray node at \S+ cannot see /nowhere/photos/a\.jpg: every machine"):
            check_nodes_see(ray, [str(seen), "/nowhere/photos/a.jpg"])
    finally:
        ray.shutdown()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("127.0.0.1:1", "photo-organizer: error: cannot reach the Ray cluster at 127.0.0.1:1: Connection refused"),
        ("nonsense", "photo-organizer: error: 'nonsense' is not a Ray address: give HOST:PORT"),
    ],
)
def test_a_cluster_out_of_reach_is_one_line(tmp_path: Path, address: str, message: str):
    photos = tmp_path / "photos"
    save_jpeg(photos / "a.jpg", photo(1))
    started = time.monotonic()
    done = run_cli(["index", str(photos), "--ray", address], tmp_path / "lib")
    assert done.returncode == 2
    assert done.stderr.strip().startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert time.monotonic() - started < 30


def test_ray_is_imported_only_when_asked(tmp_path: Path):
    photos = tmp_path / "photos"
    save_jpeg(photos / "a.jpg", photo(1))
    script = (
        "import sys; from app.cli import main; code = main(['index', sys.argv[1], '--json']); "
        "assert code == 0; print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(photos)],
        env={**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(tmp_path / "lib")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
